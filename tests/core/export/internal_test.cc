#include <gtest/gtest.h>

#include "core/export/internal/amount.h"
#include "core/export/internal/uuid.h"

namespace unitclock::core::exports::internal {
namespace {

TEST(ExportAmount, DecimalsWithoutTrailingZeros) {
  EXPECT_EQ(DecimalAmount(0), "0");
  EXPECT_EQ(DecimalAmount(5), "0.05");
  EXPECT_EQ(DecimalAmount(9000), "90");
  EXPECT_EQ(DecimalAmount(4550), "45.5");
  EXPECT_EQ(DecimalAmount(4505), "45.05");
  EXPECT_EQ(DecimalAmount(12345), "123.45");
  EXPECT_EQ(DecimalAmount(-150), "-1.5");
}

// Expected values from Python's hashlib and uuid modules.
TEST(ExportUuid, Sha1MatchesKnownDigests) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex(std::string(1000, 'a')), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
}

TEST(ExportUuid, NameBasedUuidIsRfc4122Version5) {
  // uuid.uuid5(uuid.NAMESPACE_DNS, "www.example.com")
  EXPECT_EQ(NameBasedUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"),
            "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

}  // namespace
}  // namespace unitclock::core::exports::internal

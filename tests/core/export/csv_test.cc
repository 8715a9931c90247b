#include "core/export/csv.h"

#include <gtest/gtest.h>

#include "tests/core/export/samples.h"

namespace unitclock::core::exports {
namespace {

constexpr const char* kHeader =
    "date_of_service,platform,patient_ref,provider_ref,payer_id,code,modifiers,units,minutes,"
    "place_of_service,suggestion_id,review_id\r\n";

TEST(ExportCsv, NoClaimsIsTheHeaderAlone) { EXPECT_EQ(WriteCsv({}), kHeader); }

TEST(ExportCsv, OneRowPerLineInClaimOrder) {
  const auto claims = testing::SampleClaims();
  EXPECT_EQ(WriteCsv(claims),
            std::string(kHeader) +
                "2026-03-02,clinic-a,p-1,t-7,medicare,97110,GP KX,2,31,10,s-1,r-1\r\n"
                "2026-03-02,clinic-a,p-1,t-7,medicare,97140,GP CQ KX,1,12,10,s-1,r-1\r\n"
                "2026-03-03,clinic-a,p-2,t-8,commercial-cpt,97530,GP 95,3,44,02,s-2,r-2\r\n");
}

TEST(ExportCsv, QuotesFieldsWithCommasQuotesAndLineBreaks) {
  Claim claim = testing::OneLineClaim();
  claim.platform = "clinic, north";
  claim.patient_ref = "say \"hi\"";
  claim.provider_ref = "two\nlines";
  claim.review_id = "cr\rhere";
  claim.lines[0].modifiers.clear();
  const std::vector<Claim> claims = {claim};
  EXPECT_EQ(WriteCsv(claims), std::string(kHeader) +
                                  "2026-03-02,\"clinic, north\",\"say \"\"hi\"\"\",\"two\nlines\","
                                  "medicare,97110,,2,31,10,s-1,\"cr\rhere\"\r\n");
}

TEST(ExportCsv, AClaimWithoutLinesWritesNoRow) {
  Claim claim = testing::OneLineClaim();
  claim.lines.clear();
  const std::vector<Claim> claims = {claim};
  EXPECT_EQ(WriteCsv(claims), kHeader);
}

}  // namespace
}  // namespace unitclock::core::exports

// The lists of event seqs that a session's row keeps (seq_list.h).
#include "plugin/store/sqlite/seq_list.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace unitclock::store::sqlite_backend {
namespace {

TEST(SeqListTest, KeepsSeqsInFewBytes) {
  std::string list;
  AppendSeq(list, 0, 1);
  AppendSeq(list, 1, 2);
  AppendSeq(list, 2, 300);
  EXPECT_EQ(list.size(), 4u);  // 1, +1, +298 (two bytes)
  std::vector<std::int64_t> seqs;
  EXPECT_EQ(DecodeSeqs(list, seqs), 300);
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 300}));
  seqs.clear();
  EXPECT_EQ(DecodeSeqs("", seqs), 0);
  EXPECT_TRUE(seqs.empty());
}

TEST(SeqListTest, RefusesBytesThatAreNoList) {
  std::vector<std::int64_t> seqs;
  EXPECT_FALSE(DecodeSeqs(std::string("\x81", 1), seqs));      // cut short
  EXPECT_FALSE(DecodeSeqs(std::string("\x05\x00", 2), seqs));  // a seq not above the last
  EXPECT_FALSE(DecodeSeqs(std::string(11, '\xff'), seqs));     // a varint too long
}

RC_GTEST_PROP(SeqListProperty, DecodesWhatWasAppended, (const std::vector<std::uint32_t>& gaps)) {
  std::string list;
  std::vector<std::int64_t> want;
  std::int64_t last = 0;
  for (std::uint32_t gap : gaps) {
    const std::int64_t seq = last + 1 + gap;
    AppendSeq(list, last, seq);
    want.push_back(seq);
    last = seq;
  }
  std::vector<std::int64_t> got;
  RC_ASSERT(DecodeSeqs(list, got) == last);
  RC_ASSERT(got == want);
}

}  // namespace
}  // namespace unitclock::store::sqlite_backend

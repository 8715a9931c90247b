// The SQLite event log's in-memory event id index: its fingerprint (SipHash-2-4,
// checked against the reference vectors) and its multimap of fingerprints.
#include "plugin/store/sqlite/event_id_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace unitclock::store::sqlite_backend {
namespace {

using ::testing::UnorderedElementsAreArray;

// The reference key, bytes 00 01 .. 0f.
constexpr FingerprintKey kReferenceKey = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};

std::string Bytes(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
  return s;
}

std::vector<std::int64_t> Seqs(const EventIdIndex& index, std::uint64_t fingerprint) {
  std::vector<std::int64_t> out;
  index.AnyOf(fingerprint, [&](std::int64_t seq) {
    out.push_back(seq);
    return false;
  });
  return out;
}

TEST(FingerprintTest, IsSipHash24OfTheReferenceVectors) {
  // From SipHash's reference implementation (vectors.h) and its paper
  // (Appendix A: the 15-byte message 00 .. 0e).
  EXPECT_EQ(Fingerprint(kReferenceKey, ""), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(Fingerprint(kReferenceKey, Bytes(1)), 0x74f839c593dc67fdULL);
  EXPECT_EQ(Fingerprint(kReferenceKey, Bytes(8)), 0x93f5f5799a932462ULL);
  EXPECT_EQ(Fingerprint(kReferenceKey, Bytes(15)), 0xa129ca6149be45e5ULL);
}

TEST(FingerprintTest, DependsOnTheKey) {
  const std::string id = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";
  EXPECT_NE(Fingerprint(kReferenceKey, id), Fingerprint({1, 2}, id));
  EXPECT_EQ(Fingerprint({1, 2}, id), Fingerprint({1, 2}, id));
}

TEST(FingerprintTest, BlocksKeepEightLittleEndianBytesEach) {
  std::vector<char> block;
  AppendFingerprint(0x0102030405060708ULL, block);
  AppendFingerprint(0xfffefdfcfbfaf9f8ULL, block);
  ASSERT_EQ(block.size(), 16u);
  EXPECT_EQ(block[0], 0x08);
  EXPECT_EQ(block[7], 0x01);
  const std::string_view blob(block.data(), block.size());
  EXPECT_EQ(ReadFingerprint(blob, 0), 0x0102030405060708ULL);
  EXPECT_EQ(ReadFingerprint(blob, 1), 0xfffefdfcfbfaf9f8ULL);
}

TEST(EventIdIndexTest, KeepsEverySeqOfAFingerprint) {
  EventIdIndex index;
  EXPECT_TRUE(Seqs(index, 42).empty());
  index.Add(42, 1);
  index.Add(7, 2);
  index.Add(42, 3);  // another id with the same fingerprint
  EXPECT_THAT(Seqs(index, 42), UnorderedElementsAreArray({1, 3}));
  EXPECT_THAT(Seqs(index, 7), UnorderedElementsAreArray({2}));
  EXPECT_TRUE(Seqs(index, 8).empty());
  EXPECT_EQ(index.size(), 3u);
  // AnyOf stops at the first seq its function accepts.
  int calls = 0;
  EXPECT_TRUE(index.AnyOf(42, [&](std::int64_t) { return ++calls == 1; }));
  EXPECT_EQ(calls, 1);
  index.Clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(Seqs(index, 42).empty());
}

// Whatever is added, in whatever numbers (the table grows many times), each
// fingerprint finds exactly its seqs: a model check against std::multimap.
RC_GTEST_PROP(EventIdIndexProperty, FindsExactlyTheSeqsAddedUnderEachFingerprint,
              (const std::vector<std::uint8_t>& small_fingerprints)) {
  EventIdIndex index;
  index.Reserve(small_fingerprints.size());  // sized once for these; grows later for the rest
  std::multimap<std::uint64_t, std::int64_t> model;
  std::int64_t seq = 0;
  for (std::uint8_t f : small_fingerprints) {
    // Few distinct fingerprints (many shared), spread over the high bits
    // that pick the slot as well as the low ones.
    const std::uint64_t fingerprint = (std::uint64_t{f} << 56) | (f % 5) | 1;
    index.Add(fingerprint, ++seq);
    model.emplace(fingerprint, seq);
  }
  for (int i = 0; i < 3000; ++i) {  // grow past several doublings
    const std::uint64_t fingerprint = 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(i + 1);
    index.Add(fingerprint, ++seq);
    model.emplace(fingerprint, seq);
  }
  RC_ASSERT(index.size() == model.size());
  std::set<std::uint64_t> keys;
  for (const auto& [k, v] : model) keys.insert(k);
  for (std::uint64_t k : keys) {
    std::vector<std::int64_t> want;
    for (auto [it, end] = model.equal_range(k); it != end; ++it) want.push_back(it->second);
    std::vector<std::int64_t> got = Seqs(index, k);
    std::sort(got.begin(), got.end());
    RC_ASSERT(got == want);
  }
}

}  // namespace
}  // namespace unitclock::store::sqlite_backend

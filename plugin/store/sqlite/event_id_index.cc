#include "plugin/store/sqlite/event_id_index.h"

#include <bit>
#include <cstring>
#include <utility>

namespace unitclock::store::sqlite_backend {
namespace {

std::uint64_t Load64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void Round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
  void Compress(std::uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
};

}  // namespace

std::uint64_t Fingerprint(const FingerprintKey& key, std::string_view id) {
  // SipHash-2-4 (Aumasson and Bernstein, 2012), as in its reference code.
  SipState s{key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
             key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL};
  const std::size_t whole = id.size() & ~std::size_t{7};
  for (std::size_t i = 0; i < whole; i += 8) s.Compress(Load64(id.data() + i));
  std::uint64_t last = static_cast<std::uint64_t>(id.size() & 0xff) << 56;
  for (std::size_t i = whole; i < id.size(); ++i) {
    last |= static_cast<std::uint64_t>(static_cast<unsigned char>(id[i])) << (8 * (i - whole));
  }
  s.Compress(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.Round();
  const std::uint64_t h = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
  return h == 0 ? 1 : h;
}

void AppendFingerprint(std::uint64_t fingerprint, std::vector<char>& out) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((fingerprint >> (8 * i)) & 0xff));
}

std::uint64_t ReadFingerprint(std::string_view blob, std::size_t i) {
  return Load64(blob.data() + 8 * i);
}

void EventIdIndex::Add(std::uint64_t fingerprint, std::int64_t seq) {
  if (4 * (size_ + 1) > 3 * slots_.size()) Grow();
  std::size_t i = Home(fingerprint);
  while (slots_[i].fingerprint != 0) i = (i + 1) & mask_;
  slots_[i] = Slot{fingerprint, seq};
  ++size_;
}

void EventIdIndex::Reserve(std::size_t n) {
  while (4 * n > 3 * slots_.size()) Grow();
}

void EventIdIndex::Clear() {
  slots_.clear();
  mask_ = 0;
  shift_ = 64;
  size_ = 0;
}

void EventIdIndex::Grow() {
  std::vector<Slot> old = std::exchange(slots_, {});
  const std::size_t capacity = old.empty() ? 1024 : 2 * old.size();
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  shift_ = 64 - std::countr_zero(capacity);
  for (const Slot& s : old) {
    if (s.fingerprint == 0) continue;
    std::size_t i = Home(s.fingerprint);
    while (slots_[i].fingerprint != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

}  // namespace unitclock::store::sqlite_backend

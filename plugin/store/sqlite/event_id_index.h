#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

// Which event ids the SQLite event log holds, in memory: the event ids'
// uniqueness check, kept out of the file so that ids in any order (random
// UUIDs as well as time-ordered ones) cost the same to append.
//
// The log's `events` table is kept in arrival order (its key is `seq`, the
// arrival number), so that an append writes at its end whatever the id.
// A B-tree keyed on the id would put each new random id on a page of its
// own, and a commit would write as many pages as it has events. Instead,
// each commit also writes one row of `event_id_blocks`, the 64-bit
// fingerprints of its events' ids in arrival order, and this index maps
// fingerprints to `seq`s in memory. A fingerprint found is only a
// candidate: the log compares the stored row's id (two ids may share a
// fingerprint). The fingerprint is SipHash-2-4 under a random key made with
// the file (`store_meta`), so that nobody sending ids can choose ids that
// collide.
namespace unitclock::store::sqlite_backend {

// The 128-bit key of a file's fingerprints.
using FingerprintKey = std::array<std::uint64_t, 2>;

// SipHash-2-4 of `id` under `key`: the fingerprint of an event id. Never 0
// (0 is mapped to 1), which the index keeps for empty slots.
std::uint64_t Fingerprint(const FingerprintKey& key, std::string_view id);

// Fingerprints, as `event_id_blocks` stores them: 8 bytes each, little-endian.
void AppendFingerprint(std::uint64_t fingerprint, std::vector<char>& out);
std::uint64_t ReadFingerprint(std::string_view blob, std::size_t i);

// A multimap from fingerprint to seq: open addressing with linear probing,
// 16 bytes a slot, at most three quarters full (so 21 to 43 bytes per stored
// event). Not thread-safe (the writer thread's).
class EventIdIndex {
 public:
  // Adds the event at `seq` with this fingerprint.
  void Add(std::uint64_t fingerprint, std::int64_t seq);
  // Calls `found(seq)` for each seq added with `fingerprint`, until it
  // returns true; whether one did.
  template <typename Found>
  bool AnyOf(std::uint64_t fingerprint, Found found) const {
    if (slots_.empty()) return false;
    for (std::size_t i = Home(fingerprint);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.fingerprint == 0) return false;
      if (s.fingerprint == fingerprint && found(s.seq)) return true;
    }
  }
  std::size_t size() const { return size_; }
  // Makes room for `n` entries in all, so that loading them grows the table
  // once rather than at every doubling.
  void Reserve(std::size_t n);
  // Forgets everything (to be loaded again from the file).
  void Clear();

 private:
  struct Slot {
    std::uint64_t fingerprint = 0;  // 0: empty
    std::int64_t seq = 0;
  };
  std::size_t Home(std::uint64_t fingerprint) const {
    // The fingerprint is already uniform: its high bits pick the slot.
    return static_cast<std::size_t>(fingerprint >> shift_) & mask_;
  }
  void Grow();

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace unitclock::store::sqlite_backend

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Lists of event seqs (the arrival numbers of the SQLite log's events), as a
// session's row keeps the seqs of its events: the first seq, then the
// difference from each to the next, as unsigned LEB128 varints. Seqs only
// grow, so that appending one needs the last seq only, and most take a byte
// or two.
namespace unitclock::store::sqlite_backend {

// Appends `seq` to `list`, whose last seq is `last` (0 for an empty list).
// `seq` must be greater than `last`.
void AppendSeq(std::string& list, std::int64_t last, std::int64_t seq);

// The seqs of `list`, appended to `out`; nullopt if the bytes are not such
// a list (cut short, or a seq not above the one before). Returns the last
// seq read (0 for an empty list).
std::optional<std::int64_t> DecodeSeqs(std::string_view list, std::vector<std::int64_t>& out);

}  // namespace unitclock::store::sqlite_backend

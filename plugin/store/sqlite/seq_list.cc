#include "plugin/store/sqlite/seq_list.h"

namespace unitclock::store::sqlite_backend {

void AppendSeq(std::string& list, std::int64_t last, std::int64_t seq) {
  auto delta = static_cast<std::uint64_t>(seq - last);
  while (delta >= 0x80) {
    list.push_back(static_cast<char>((delta & 0x7f) | 0x80));
    delta >>= 7;
  }
  list.push_back(static_cast<char>(delta));
}

std::optional<std::int64_t> DecodeSeqs(std::string_view list, std::vector<std::int64_t>& out) {
  std::int64_t last = 0;
  std::size_t i = 0;
  while (i < list.size()) {
    std::uint64_t delta = 0;
    int shift = 0;
    for (;;) {
      if (i == list.size() || shift > 56) return std::nullopt;  // cut short, or too long
      const auto byte = static_cast<unsigned char>(list[i++]);
      delta |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) == 0) break;
    }
    if (delta == 0 || delta > static_cast<std::uint64_t>(INT64_MAX - last)) return std::nullopt;
    last += static_cast<std::int64_t>(delta);
    out.push_back(last);
  }
  return last;
}

}  // namespace unitclock::store::sqlite_backend

#pragma once

#include <string>
#include <string_view>

namespace unitclock::core {

// The FNV-1a 64-bit hash of `bytes` as 16 lowercase hex digits
// (http://www.isthe.com/chongo/tech/comp/fnv/): stable across builds and
// platforms, unlike std::hash. For ids and change detection, not security.
std::string Fnv1a64Hex(std::string_view bytes);

}  // namespace unitclock::core

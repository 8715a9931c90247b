#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Protobuf's wire format by hand, for tests that send what no well-behaved
// client would: undecodable messages, fields repeated or cut short.
namespace unitclock::testing {

// `payload` as length-delimited field `number` of a message (wire type 2):
// its tag, its length as a varint, then its bytes.
inline std::string LengthDelimited(int number, std::string_view payload) {
  std::string out;
  const auto varint = [&out](std::uint64_t v) {
    for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    out.push_back(static_cast<char>(v));
  };
  varint(static_cast<std::uint64_t>(number) << 3 | 2);
  varint(payload.size());
  out.append(payload);
  return out;
}

}  // namespace unitclock::testing

#include "plugin/client/internal/event_id.h"

#include <array>

namespace unitclock::client::internal {
namespace {

constexpr std::uint32_t kMaxCounter = 0xFFF;

// `bytes` as 8-4-4-4-12 lowercase hex.
std::string Format(const std::array<std::uint8_t, 16>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

}  // namespace

EventIdGenerator::EventIdGenerator() {
  std::random_device device;
  random_.seed((std::uint64_t{device()} << 32) ^ device());
}

std::string EventIdGenerator::Next(std::int64_t now_ms) {
  std::int64_t ms;
  std::uint32_t counter;
  std::uint64_t random;
  {
    absl::MutexLock lock(&mu_);
    if (now_ms > last_ms_) {
      last_ms_ = now_ms;
      counter_ = 0;
    } else if (++counter_ > kMaxCounter) {
      // The counter is spent: borrow the next millisecond, staying monotonic.
      ++last_ms_;
      counter_ = 0;
    }
    ms = last_ms_;
    counter = counter_;
    random = random_();
  }
  std::array<std::uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  b[6] = static_cast<std::uint8_t>(0x70 | (counter >> 8));  // version 7
  b[7] = static_cast<std::uint8_t>(counter);
  for (int i = 8; i < 16; ++i) b[i] = static_cast<std::uint8_t>(random >> (8 * (15 - i)));
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3F));  // variant 10
  return Format(b);
}

}  // namespace unitclock::client::internal

// libFuzzer entry point of the HTTP request target (see http_request_fuzz.h).
// Built only with clang and -DUNITCLOCK_FUZZ=ON; scripts/fuzz.sh runs it.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/http_request_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  unitclock::fuzz::FuzzHttpRequest(data, size);
  return 0;
}

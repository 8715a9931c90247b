// libFuzzer entry point of the event-batch fuzz target (see event_batch_fuzz.h).
// Built only with clang and -DUNITCLOCK_FUZZ=ON; scripts/fuzz.sh runs it.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>

#include "tests/fuzz/event_batch_fuzz.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Protobuf logs every string field that is not UTF-8; the fuzzer sends many.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  unitclock::fuzz::FuzzEventBatch(data, size);
  return 0;
}

// Replays the seed corpus (tests/fuzz/corpus/) and every input a fuzz run
// once crashed on (tests/fuzz/regressions/) through FuzzEventBatch, in the
// regular build, so that ctest (and the sanitizer build in CI) covers them.
#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/event_batch_fuzz.h"

namespace unitclock::fuzz {
namespace {

namespace fs = std::filesystem;

// Fewer files than these means a folder went missing or was emptied.
constexpr std::size_t kMinCorpusFiles = 20;
constexpr std::size_t kMinRegressionFiles = 1;

// The regular files of `folder`, sorted by name.
std::vector<fs::path> FilesIn(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_regular_file(ec) && entry.path().filename() != "README.md") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void ReplayFolder(const fs::path& folder, std::size_t min_files) {
  google::protobuf::SetLogHandler(nullptr);
  const std::vector<fs::path> files = FilesIn(folder);
  ASSERT_GE(files.size(), min_files) << folder;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << file;
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    FuzzEventBatch(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
}

TEST(FuzzRegression, SeedCorpus) { ReplayFolder(UNITCLOCK_FUZZ_DIR "/corpus", kMinCorpusFiles); }

TEST(FuzzRegression, CrashInputs) {
  ReplayFolder(UNITCLOCK_FUZZ_DIR "/regressions", kMinRegressionFiles);
}

TEST(FuzzRegression, EmptyAndGarbageInputs) {
  FuzzEventBatch(nullptr, 0);
  const std::uint8_t garbage[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
  FuzzEventBatch(garbage, sizeof garbage);
}

}  // namespace
}  // namespace unitclock::fuzz

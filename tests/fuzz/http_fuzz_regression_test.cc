// Replays the HTTP request seed corpus (tests/fuzz/http_corpus/) and every
// input a fuzz run once stopped on (tests/fuzz/http_regressions/) through
// FuzzHttpRequest in the regular build, so that ctest (and the sanitizer
// build in CI) covers them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/http_request_fuzz.h"

namespace unitclock::fuzz {
namespace {

namespace fs = std::filesystem;

// Fewer files than this means the corpus went missing or was emptied.
constexpr std::size_t kMinCorpusFiles = 20;

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

void Replay(const std::string& bytes) {
  FuzzHttpRequest(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

void ReplayFolder(const fs::path& folder, std::size_t min_files) {
  const std::vector<fs::path> files = FilesIn(folder);
  ASSERT_GE(files.size(), min_files) << folder;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << file;
    Replay(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  }
}

TEST(HttpFuzzRegression, SeedCorpus) {
  ReplayFolder(UNITCLOCK_FUZZ_DIR "/http_corpus", kMinCorpusFiles);
}

TEST(HttpFuzzRegression, CrashInputs) { ReplayFolder(UNITCLOCK_FUZZ_DIR "/http_regressions", 1); }

TEST(HttpFuzzRegression, EdgeInputs) {
  FuzzHttpRequest(nullptr, 0);
  Replay("\x80");
  Replay("\r\n\r\n");
  Replay(std::string(20000, 'A'));
  // A header just over the target's limit (8 KiB), sent one byte at a time.
  Replay("\x80GET / HTTP/1.1\r\nX: " + std::string(9000, 'x') + "\r\n\r\n");
  // Chunked bodies past the limit (64 KiB), and a chunk size that overflows.
  std::string chunked =
      "POST /v1/suggestions/a:review HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 70; ++i) chunked += "400\r\n" + std::string(1024, 'c') + "\r\n";
  Replay(chunked + "0\r\n\r\n");
  Replay(
      "POST /v1/suggestions/a:review HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "ffffffffffffffffff\r\n");
  // More requests than the target answers on one connection.
  std::string many;
  for (int i = 0; i < 12; ++i) many += "GET /v1/sessions/s HTTP/1.1\r\nHost: x\r\n\r\n";
  Replay(many);
}

}  // namespace
}  // namespace unitclock::fuzz

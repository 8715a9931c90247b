#include "tests/testing/temp_dir.h"

#include <cstdlib>
#include <stdexcept>

namespace unitclock::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "unitclock-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace unitclock::testing

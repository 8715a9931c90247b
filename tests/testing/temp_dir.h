#pragma once

#include <filesystem>
#include <string>

namespace unitclock::testing {

// A fresh folder under the system temp folder, removed with everything in it
// when the object dies. One per test keeps tests hermetic.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string.
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace unitclock::testing

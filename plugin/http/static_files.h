#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "plugin/http/message.h"

// Static files (the browser review page) served from one folder.
namespace unitclock::http {

// The Content-Type of a file by its extension (case-insensitive): .html,
// .js, .mjs, .css, .svg, .png, .json, .ico, .txt, .map; anything else
// application/octet-stream.
std::string_view ContentTypeFor(const std::filesystem::path& file);

// Serves the regular files under one folder. Register it on a `**` route:
//
//   StaticFiles files = *StaticFiles::Open("web");
//   router.Add("GET", "/{path=**}", files.AsHandler("path"));
//
// A request for the folder itself, or a subfolder, gets its index.html.
// Refused with 404, without saying why: a path with an empty, "." or ".."
// component, a backslash, a NUL or a leading '/'; a component starting with
// '.' (hidden files); anything that, symlinks resolved, lies outside the
// folder; anything that is not a regular file; files over max_file_bytes.
// (The router already refuses most of these with 400; this is the second
// line.) Responses carry Cache-Control: no-cache.
//
// Immutable once opened; thread-safe. Reads files at each request: a page
// edited on disk is served as edited.
class StaticFiles {
 public:
  static constexpr std::size_t kDefaultMaxFileBytes = 8 << 20;

  // NOT_FOUND if `root` is not a folder.
  static absl::StatusOr<StaticFiles> Open(const std::filesystem::path& root,
                                          std::size_t max_file_bytes = kDefaultMaxFileBytes);

  // The response for `relative`, a path below the folder ("" is the folder).
  Response Serve(std::string_view relative) const;

  // A handler serving the request's path parameter `param`.
  Handler AsHandler(std::string param = "path") const;

  const std::filesystem::path& root() const { return root_; }

 private:
  StaticFiles(std::filesystem::path root, std::size_t max_file_bytes)
      : root_(std::move(root)), max_file_bytes_(max_file_bytes) {}

  std::filesystem::path root_;  // canonical
  std::size_t max_file_bytes_;
};

// One file built into the binary (see plugin/web): its path below the
// page's folder ("index.html", "app.js") and its bytes.
struct EmbeddedFile {
  std::string_view path;
  std::string_view content;
};

// Serves files built into the binary, as StaticFiles serves a folder: the
// same content types, index.html for "", 404 for any other path, and
// Cache-Control: no-cache. `files` must outlive the handlers (built-in files
// live as long as the program).
class EmbeddedFiles {
 public:
  explicit EmbeddedFiles(std::span<const EmbeddedFile> files) : files_(files) {}

  // The response for `relative` ("" is index.html).
  Response Serve(std::string_view relative) const;

  // A handler serving the request's path parameter `param`.
  Handler AsHandler(std::string param = "path") const;

 private:
  std::span<const EmbeddedFile> files_;
};

}  // namespace unitclock::http

#include "plugin/http/static_files.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "absl/status/status.h"

namespace unitclock::http {
namespace {

namespace fs = std::filesystem;

Response NotFound() { return Response::Error(absl::NotFoundError("no such file")); }

// True if `root` is `path` or one of its ancestors (both canonical).
bool IsWithin(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

// A plain relative path: components that are neither empty, ".", ".." nor
// hidden, without backslashes, NULs or a leading '/'.
bool IsPlainRelative(std::string_view relative) {
  if (relative.empty()) return true;
  if (relative.front() == '/') return false;
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    const std::string_view part = relative.substr(start, end - start);
    if (part.empty() || part.front() == '.') return false;  // also "." and ".."
    if (part.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string_view ContentTypeFor(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

absl::StatusOr<StaticFiles> StaticFiles::Open(const fs::path& root, std::size_t max_file_bytes) {
  std::error_code ec;
  fs::path canonical = fs::canonical(root, ec);
  if (ec || !fs::is_directory(canonical, ec)) {
    return absl::NotFoundError("static files: \"" + root.string() + "\" is not a folder");
  }
  return StaticFiles(std::move(canonical), max_file_bytes);
}

Response StaticFiles::Serve(std::string_view relative) const {
  if (!IsPlainRelative(relative)) return NotFound();
  std::error_code ec;
  // canonical() resolves every symlink: what it names must still be inside.
  fs::path file = fs::canonical(root_ / fs::path(relative), ec);
  if (ec || !IsWithin(file, root_)) return NotFound();
  if (fs::is_directory(file, ec)) {
    file = fs::canonical(file / "index.html", ec);
    if (ec || !IsWithin(file, root_)) return NotFound();
  }
  if (!fs::is_regular_file(file, ec)) return NotFound();
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) return NotFound();
  if (size > max_file_bytes_) {
    spdlog::warn("msg=\"static file over the size limit\" bytes={} limit={}", size,
                 max_file_bytes_);
    return NotFound();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFound();
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (body.size() > max_file_bytes_) return NotFound();
  Response response;
  response.content_type = std::string(ContentTypeFor(file));
  response.body = std::move(body);
  // The page may change with a deployment: revalidate, but it holds no
  // patient data, unlike the API's responses (no-store).
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

Response EmbeddedFiles::Serve(std::string_view relative) const {
  const std::string_view path = relative.empty() ? std::string_view("index.html") : relative;
  for (const EmbeddedFile& file : files_) {
    if (file.path != path) continue;
    Response response;
    response.content_type = std::string(ContentTypeFor(std::filesystem::path(file.path)));
    response.body = std::string(file.content);
    response.headers.emplace_back("Cache-Control", "no-cache");
    return response;
  }
  return NotFound();
}

Handler EmbeddedFiles::AsHandler(std::string param) const {
  return [files = *this, param = std::move(param)](const Request& request) {
    return files.Serve(request.Param(param));
  };
}

Handler StaticFiles::AsHandler(std::string param) const {
  return [files = *this, param = std::move(param)](const Request& request) {
    return files.Serve(request.Param(param));
  };
}

}  // namespace unitclock::http

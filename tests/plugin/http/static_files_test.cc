// Static files on their own: content types, index.html, and every way out of
// the folder refused (the server test sends the same through real sockets).
#include "plugin/http/static_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/testing/temp_dir.h"

namespace unitclock::http {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& file, const std::string& content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

std::string CacheControl(const Response& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "Cache-Control") return value;
  }
  return "<absent>";
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    web_ = tmp_.path() / "web";
    Write(web_ / "index.html", "<!doctype html><title>review</title>");
    Write(web_ / "app.js", "console.log(1);");
    Write(web_ / "style.css", "body{}");
    Write(web_ / "logo.svg", "<svg/>");
    Write(web_ / "icon.PNG", "\x89PNG");
    Write(web_ / "data.bin", "xx");
    Write(web_ / "sub" / "index.html", "sub index");
    Write(web_ / "sub" / "page.html", "sub page");
    Write(web_ / ".env", "SECRET=hidden");
    Write(tmp_.path() / "secret.txt", "TOP SECRET");
    fs::create_symlink(tmp_.path() / "secret.txt", web_ / "escape.txt");
    fs::create_directory_symlink(tmp_.path(), web_ / "outside");
    fs::create_symlink(web_ / "app.js", web_ / "alias.js");  // stays inside: served
    absl::StatusOr<StaticFiles> files = StaticFiles::Open(web_);
    ASSERT_TRUE(files.ok()) << files.status();
    files_.emplace(*std::move(files));
  }

  testing::TempDir tmp_;
  fs::path web_;
  std::optional<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirContentType) {
  struct Case {
    const char* path;
    const char* type;
    const char* body;
  };
  for (const Case& c :
       {Case{"index.html", "text/html; charset=utf-8", nullptr},
        Case{"app.js", "text/javascript; charset=utf-8", "console.log(1);"},
        Case{"style.css", "text/css; charset=utf-8", "body{}"},
        Case{"logo.svg", "image/svg+xml", "<svg/>"}, Case{"icon.PNG", "image/png", "\x89PNG"},
        Case{"data.bin", "application/octet-stream", "xx"},
        Case{"alias.js", "text/javascript; charset=utf-8", "console.log(1);"},
        Case{"sub/page.html", "text/html; charset=utf-8", "sub page"}}) {
    SCOPED_TRACE(c.path);
    const Response r = files_->Serve(c.path);
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, c.type);
    if (c.body != nullptr) {
      EXPECT_EQ(r.body, c.body);
    }
    EXPECT_EQ(CacheControl(r), "no-cache");
  }
}

TEST_F(StaticFilesTest, FolderGivesItsIndex) {
  EXPECT_EQ(files_->Serve("").body, "<!doctype html><title>review</title>");
  EXPECT_EQ(files_->Serve("sub").body, "sub index");
}

TEST_F(StaticFilesTest, EveryWayOutIsRefused) {
  for (const char* path : {"../secret.txt", "sub/../../secret.txt", "..", ".", "./index.html",
                           "sub/./page.html", "/etc/passwd", "sub//page.html", "..\\secret.txt",
                           "sub\\..\\..\\secret.txt", "escape.txt", "outside/secret.txt", "outside",
                           ".env", "sub/.hidden", "missing.html", "sub/missing", "index.html/x"}) {
    SCOPED_TRACE(path);
    const Response r = files_->Serve(path);
    EXPECT_EQ(r.status, 404u);
    EXPECT_THAT(r.body, ::testing::Not(::testing::HasSubstr("SECRET")));
  }
  EXPECT_EQ(files_->Serve(std::string("index.html\0x", 12)).status, 404u);
}

TEST_F(StaticFilesTest, FilesOverTheLimitAreNotServed) {
  Write(web_ / "big.js", std::string(2048, 'x'));
  absl::StatusOr<StaticFiles> small = StaticFiles::Open(web_, 1024);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->Serve("big.js").status, 404u);
  EXPECT_EQ(small->Serve("app.js").status, 200u);
}

TEST_F(StaticFilesTest, HandlerServesThePathParameter) {
  const Handler handler = files_->AsHandler("path");
  Request request;
  request.path_params["path"] = "style.css";
  EXPECT_EQ(handler(request).body, "body{}");
  request.path_params["path"] = "../secret.txt";
  EXPECT_EQ(handler(request).status, 404u);
}

TEST(StaticFilesOpen, NeedsAFolder) {
  testing::TempDir tmp;
  EXPECT_EQ(StaticFiles::Open(tmp.path() / "missing").status().code(), absl::StatusCode::kNotFound);
  Write(tmp.path() / "file", "x");
  EXPECT_EQ(StaticFiles::Open(tmp.path() / "file").status().code(), absl::StatusCode::kNotFound);
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(ContentTypeFor("a.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("noext"), "application/octet-stream");
}

}  // namespace
}  // namespace unitclock::http

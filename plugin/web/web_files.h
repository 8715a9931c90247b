#pragma once

#include <span>

#include "plugin/http/static_files.h"

// The review page (the files of web/ at the top of the tree), built into the
// binary by cmake/embed_files.cmake, so that unitclockd serves the page it
// was built with and needs no folder beside it.
namespace unitclock::web {

// Every file of the page, by its path below web/.
std::span<const http::EmbeddedFile> Files();

}  // namespace unitclock::web

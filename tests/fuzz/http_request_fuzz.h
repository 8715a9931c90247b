#pragma once

#include <cstddef>
#include <cstdint>

// The fuzz target of the HTTP listener's request handling (issue 16):
// arbitrary bytes go the way bytes read from a connection go in
// plugin/http/server.cc, short of the socket. Compiled twice, like the
// event-batch target: into the libFuzzer binary `http_request_fuzzer`
// (http_request_fuzzer.cc, clang, `scripts/fuzz.sh`) and into
// `http_fuzz_regression_test` (GoogleTest, the regular build), which replays
// http_corpus/ and http_regressions/.
namespace unitclock::fuzz {

// Feeds `data` (`size` bytes) through:
//
//  1. Beast's request parser with the server's limits (wire::ConfigureParser:
//     8 KiB of header, 64 KiB of body), whole or, if the first byte has its
//     high bit set, in pieces of 1 to 64 bytes as a slow client sends them;
//     up to 8 requests one after the other, as on a keep-alive connection;
//  2. for a parse error, wire::StatusForReadError; for a request,
//     wire::Prepare against a route table like the API's (templates with
//     {id}, custom verbs, a download, an event stream, static files under
//     `/{path=**}` from a folder made at start, next to a secret file and a
//     symlink out of it);
//  3. the handler's response, or the error response, through wire::Render,
//     serialized and parsed back as a client would.
//
// Invariants, for every input: a parse error answers 400, 413 or 431 (or
// nothing, when the input ends mid-request); a request is routed to exactly
// one handler or answered 400, 404 or 405 (405 with Allow); a path parameter
// is never empty, ".", ".." nor holds '/', '\\' or a control character (a
// `**` parameter: none of its segments); no query name is empty; every
// response has a status in 200..599, the security headers, Cache-Control,
// a Content-Length equal to its body, and parses back with that status; no
// static file response holds the secret file's bytes. On a violation it prints what
// broke to stderr ("fuzz invariant violated") and calls std::abort().
// Not thread-safe on first use (the route table and folder).
void FuzzHttpRequest(const std::uint8_t* data, std::size_t size);

}  // namespace unitclock::fuzz

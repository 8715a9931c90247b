#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

// Status values at the HTTP edge: the google.rpc.Code -> HTTP mapping of
// Google's HTTP APIs, and their JSON error body.
namespace unitclock::http {

// The HTTP status of `code`: OK 200, INVALID_ARGUMENT, FAILED_PRECONDITION
// and OUT_OF_RANGE 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403,
// NOT_FOUND 404, ALREADY_EXISTS and ABORTED 409, RESOURCE_EXHAUSTED 429,
// CANCELLED 499, UNIMPLEMENTED 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504,
// UNKNOWN, INTERNAL, DATA_LOSS and any other value 500.
unsigned HttpStatusFor(absl::StatusCode code);

// The code's name as google.rpc.Code spells it ("INVALID_ARGUMENT"); UNKNOWN
// for a value that is no code.
std::string_view StatusName(absl::StatusCode code);

// Google's error shape, compact:
//   {"error":{"code":400,"status":"INVALID_ARGUMENT","message":"date_min: ..."}}
// `http_status` is usually HttpStatusFor(code); the transport's own errors
// (405, 408, 413, 431) pass theirs. Bytes of `message` that are not UTF-8
// become U+FFFD.
std::string ErrorJson(unsigned http_status, absl::StatusCode code, std::string_view message);

}  // namespace unitclock::http

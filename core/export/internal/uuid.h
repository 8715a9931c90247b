#pragma once

#include <string>
#include <string_view>

// Private to core/export: deterministic resource ids.
namespace unitclock::core::exports::internal {

// The name-based UUID (RFC 4122 version 5, SHA-1) of `name` in `namespace_uuid`
// (a UUID in its 36-character form), lower-case, e.g.
// "2ed6657d-e927-568b-95e1-2665a8aea6a2" for name "www.example.com" in the DNS
// namespace. The same name always gives the same UUID. Pure.
std::string NameBasedUuid(std::string_view namespace_uuid, std::string_view name);

// SHA-1 (FIPS 180-4) of `data` as 40 lower-case hex digits. Pure.
std::string Sha1Hex(std::string_view data);

}  // namespace unitclock::core::exports::internal

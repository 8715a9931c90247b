#pragma once

#include <span>
#include <string>

#include "core/export/claim.h"

// CSV export: one row per claim line, for spreadsheets and billing systems
// that import flat files.
namespace unitclock::core::exports {

// Writes `claims` as RFC 4180 CSV: records end with CRLF (the last one too);
// a field containing a comma, a double quote, CR or LF is enclosed in double
// quotes, with each double quote inside doubled; other fields are written
// as they are.
//
// Formula injection (OWASP "CSV Injection"): a text cell (any column but
// units and minutes) that begins with `=`, `+`, `-`, `@`, a tab or a
// carriage return is written as a quoted field prefixed with a single quote,
// so a spreadsheet shows it as text instead of evaluating it:
// `@SUM(1+1)` becomes `"'@SUM(1+1)"`. Units and minutes are numbers the
// exporter writes itself and stay plain.
//
// The header row, then one row per line of each claim, in input order:
//   date_of_service   YYYY-MM-DD
//   platform          the platform (tenant)
//   patient_ref       opaque patient reference (no names; the billing system maps it)
//   provider_ref      opaque reference of the rendering clinician
//   payer_id          as the payer policies name it ("medicare")
//   code              CPT code ("97110")
//   modifiers         in claim order, separated by one space ("GP KX"); empty if none
//   units             billed units
//   minutes           the code's minutes that day (informative)
//   place_of_service  two digits ("10", "02")
//   suggestion_id     the reviewed suggestion (one per claim)
//   review_id         the review action that approved it
// A claim without lines writes no row. Pure and thread-safe.
std::string WriteCsv(std::span<const Claim> claims);

}  // namespace unitclock::core::exports

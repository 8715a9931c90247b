#include "core/export/csv.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/policy.h"

namespace unitclock::core::exports {
namespace {

// RFC 4180 section 2: fields with a comma, a double quote or a line break are
// quoted, and a double quote inside is doubled.
void AppendQuoted(std::string_view prefix, std::string_view field, std::string& out) {
  out.push_back('"');
  out.append(prefix);
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendPlain(std::string_view field, std::string& out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  AppendQuoted({}, field, out);
}

// OWASP "CSV Injection": a spreadsheet reads a cell that begins with = + - @,
// a tab or a carriage return as a formula. Such a text cell is prefixed with
// a single quote, which makes it text, and quoted like any other field.
bool StartsLikeAFormula(std::string_view field) {
  return !field.empty() &&
         std::string_view("=+-@\t\r").find(field.front()) != std::string_view::npos;
}

// A text cell: one that comes from stored data (references, ids, codes).
struct Text {
  std::string_view value;
};
// A number the exporter formats itself (units, minutes): written as it is.
struct Number {
  std::string value;
};

void AppendField(const Text& field, std::string& out) {
  if (StartsLikeAFormula(field.value)) {
    AppendQuoted("'", field.value, out);
  } else {
    AppendPlain(field.value, out);
  }
}

void AppendField(const Number& field, std::string& out) { AppendPlain(field.value, out); }

void AppendHeader(std::initializer_list<std::string_view> fields, std::string& out) {
  bool first = true;
  for (std::string_view field : fields) {
    if (!first) out.push_back(',');
    first = false;
    AppendPlain(field, out);
  }
  out.append("\r\n");
}

template <typename... Fields>
void AppendRecord(std::string& out, const Fields&... fields) {
  bool first = true;
  ((out.append(first ? "" : ","), first = false, AppendField(fields, out)), ...);
  out.append("\r\n");
}

std::string JoinModifiers(const std::vector<std::string>& modifiers) {
  std::string joined;
  for (const std::string& modifier : modifiers) {
    if (!joined.empty()) joined.push_back(' ');
    joined.append(modifier);
  }
  return joined;
}

}  // namespace

std::string WriteCsv(std::span<const Claim> claims) {
  std::string out;
  AppendHeader({"date_of_service", "platform", "patient_ref", "provider_ref", "payer_id", "code",
                "modifiers", "units", "minutes", "place_of_service", "suggestion_id", "review_id"},
               out);
  for (const Claim& claim : claims) {
    const std::string day = FormatDay(claim.date_of_service);
    for (const ClaimLine& line : claim.lines) {
      AppendRecord(out, Text{day}, Text{claim.platform}, Text{claim.patient_ref},
                   Text{claim.provider_ref}, Text{claim.payer_id}, Text{line.code},
                   Text{JoinModifiers(line.modifiers)}, Number{std::to_string(line.units)},
                   Number{std::to_string(line.minutes)}, Text{line.place_of_service},
                   Text{claim.suggestion_id}, Text{claim.review_id});
    }
  }
  return out;
}

}  // namespace unitclock::core::exports

#include "core/export/csv.h"

#include <string_view>

#include "core/policy.h"

namespace unitclock::core::exports {
namespace {

// RFC 4180 section 2: fields with a comma, a double quote or a line break are
// quoted, and a double quote inside is doubled.
void AppendField(std::string_view field, std::string& out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendRecord(std::initializer_list<std::string_view> fields, std::string& out) {
  bool first = true;
  for (std::string_view field : fields) {
    if (!first) out.push_back(',');
    first = false;
    AppendField(field, out);
  }
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
  AppendRecord({"date_of_service", "platform", "patient_ref", "provider_ref", "payer_id", "code",
                "modifiers", "units", "minutes", "place_of_service", "suggestion_id", "review_id"},
               out);
  for (const Claim& claim : claims) {
    const std::string day = FormatDay(claim.date_of_service);
    for (const ClaimLine& line : claim.lines) {
      AppendRecord(
          {day, claim.platform, claim.patient_ref, claim.provider_ref, claim.payer_id, line.code,
           JoinModifiers(line.modifiers), std::to_string(line.units), std::to_string(line.minutes),
           line.place_of_service, claim.suggestion_id, claim.review_id},
          out);
    }
  }
  return out;
}

}  // namespace unitclock::core::exports

#include "core/timeline_policy.h"

#include <nlohmann/json.hpp>
#include <set>

#include "absl/status/status.h"

namespace unitclock::core {
namespace {

using nlohmann::json;

absl::Status Invalid(const std::string& source, const std::string& key, const std::string& why) {
  return absl::InvalidArgumentError(source + ": " + key + ": " + why);
}

}  // namespace

absl::StatusOr<TimelinePolicy> ParseTimelinePolicy(std::string_view json_text,
                                                   const std::string& source) {
  const json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError(source + ": not valid JSON");
  if (!doc.is_object()) return absl::InvalidArgumentError(source + ": must be a JSON object");
  static const std::set<std::string> kKeys = {
      "format_version", "description", "idle_threshold_seconds", "audio_only_counts_when_planned"};
  for (const auto& [key, value] : doc.items()) {
    if (kKeys.count(key) == 0) return Invalid(source, key, "unknown key");
  }
  for (const char* key :
       {"format_version", "idle_threshold_seconds", "audio_only_counts_when_planned"}) {
    if (!doc.contains(key)) return Invalid(source, key, "required");
  }
  if (!doc["format_version"].is_number_integer() || doc["format_version"].get<int>() != 1) {
    return Invalid(source, "format_version", "must be 1");
  }
  const json& idle = doc["idle_threshold_seconds"];
  if (!idle.is_number_integer())
    return Invalid(source, "idle_threshold_seconds", "must be an integer");
  const auto idle_seconds = idle.get<std::int64_t>();
  if (idle_seconds < 10 || idle_seconds > 3600) {
    return Invalid(source, "idle_threshold_seconds", "must be between 10 and 3600");
  }
  const json& audio = doc["audio_only_counts_when_planned"];
  if (!audio.is_boolean()) {
    return Invalid(source, "audio_only_counts_when_planned", "must be true or false");
  }
  if (doc.contains("description") && !doc["description"].is_string()) {
    return Invalid(source, "description", "must be a string");
  }
  TimelinePolicy policy;
  policy.idle_threshold = std::chrono::seconds(idle_seconds);
  policy.audio_only_counts_when_planned = audio.get<bool>();
  return policy;
}

}  // namespace unitclock::core

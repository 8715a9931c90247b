#include "examples/scenario/scenario.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/status/status.h"

namespace unitclock::examples {
namespace {

using google::protobuf::util::TimeUtil;
using nlohmann::json;

// "MM:SS" or "HH:MM:SS" to seconds; -1 if malformed.
long long ParseOffset(const std::string& text) {
  int h = 0, m = 0, s = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d:%d:%d%c", &h, &m, &s, &extra) != 3) {
    h = 0;
    if (std::sscanf(text.c_str(), "%d:%d%c", &m, &s, &extra) != 2) return -1;
  }
  if (h < 0 || m < 0 || s < 0 || s > 59 || (h > 0 && m > 59)) return -1;
  return h * 3600LL + m * 60LL + s;
}

absl::Status Invalid(std::size_t index, const std::string& what) {
  return absl::InvalidArgumentError("events[" + std::to_string(index) + "]." + what);
}

}  // namespace

absl::StatusOr<Scenario> ParseScenario(const std::string& json_text) {
  const json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError("scenario: not a JSON object");
  }
  if (!doc.contains("session_id") || !doc["session_id"].is_string()) {
    return absl::InvalidArgumentError("session_id: required string");
  }
  if (!doc.contains("start_time") || !doc["start_time"].is_string()) {
    return absl::InvalidArgumentError("start_time: required RFC 3339 string");
  }
  google::protobuf::Timestamp start;
  if (!TimeUtil::FromString(doc["start_time"].get<std::string>(), &start)) {
    return absl::InvalidArgumentError("start_time: not an RFC 3339 time");
  }
  if (!doc.contains("events") || !doc["events"].is_array()) {
    return absl::InvalidArgumentError("events: required array");
  }
  Scenario scenario;
  scenario.session_id = doc["session_id"].get<std::string>();
  const json& events = doc["events"];
  for (std::size_t i = 0; i < events.size(); ++i) {
    json e = events[i];
    if (!e.is_object()) return Invalid(i, "at: event must be an object");
    if (!e.contains("at") || !e["at"].is_string()) return Invalid(i, "at: required \"MM:SS\"");
    const long long offset = ParseOffset(e["at"].get<std::string>());
    if (offset < 0) return Invalid(i, "at: not \"MM:SS\" or \"HH:MM:SS\"");
    e.erase("at");
    if (!e.contains("event_id")) {
      std::string n = std::to_string(i + 1);
      if (n.size() < 3) n.insert(0, 3 - n.size(), '0');
      e["event_id"] = scenario.session_id + "-" + n;
    }
    e["session_id"] = scenario.session_id;
    e["occurred_at"] = TimeUtil::ToString(start + TimeUtil::SecondsToDuration(offset));
    v1::Event event;
    const auto st = google::protobuf::util::JsonStringToMessage(e.dump(), &event);
    if (!st.ok()) return Invalid(i, "payload: " + std::string(st.message()));
    scenario.events.push_back(std::move(event));
  }
  return scenario;
}

absl::StatusOr<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("scenario: cannot read \"" + path + "\"");
  std::stringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str());
}

}  // namespace unitclock::examples

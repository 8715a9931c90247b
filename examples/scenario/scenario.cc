#include "examples/scenario/scenario.h"

#include <date/tz.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/status/status.h"

namespace unitclock::examples {
namespace {

using google::protobuf::util::TimeUtil;
using nlohmann::json;

// "MM:SS" or "HH:MM:SS" to seconds; -1 if malformed.
long long ParseClock(const std::string& text) {
  int h = 0, m = 0, s = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d:%d:%d%c", &h, &m, &s, &extra) != 3) {
    h = 0;
    if (std::sscanf(text.c_str(), "%d:%d%c", &m, &s, &extra) != 2) return -1;
  }
  if (h < 0 || m < 0 || s < 0 || s > 59 || (h > 0 && m > 59)) return -1;
  return h * 3600LL + m * 60LL + s;
}

// "MM:SS", "HH:MM:SS" or "<days>d HH:MM:SS" to seconds; -1 if malformed.
long long ParseOffset(const std::string& text) {
  const std::size_t d = text.find('d');
  if (d == std::string::npos) return ParseClock(text);
  // Exactly "<digits>d HH:MM:SS", hours 0 to 23: one spelling per instant.
  const std::string days = text.substr(0, d);
  const std::string rest = d + 2 <= text.size() ? text.substr(d + 2) : "";
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (days.empty() || days.size() > 4 || !std::all_of(days.begin(), days.end(), digit) ||
      text.compare(d, 2, "d ") != 0 || rest.empty() || !digit(rest[0]) ||
      std::count(rest.begin(), rest.end(), ':') != 2) {
    return -1;
  }
  int h = 0, m = 0, s = 0;
  char extra = 0;
  if (std::sscanf(rest.c_str(), "%d:%d:%d%c", &h, &m, &s, &extra) != 3) return -1;
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return -1;
  return std::stoll(days) * 86400LL + h * 3600LL + m * 60LL + s;
}

absl::Status Invalid(std::size_t index, const std::string& what) {
  return absl::InvalidArgumentError("events[" + std::to_string(index) + "]." + what);
}

bool IsMonitoringPayload(const v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kMonitoringEpisodeStarted:
    case v1::Event::kMonitoringEpisodeEnded:
    case v1::Event::kDeviceDataReceived:
    case v1::Event::kTreatmentManagementRecorded:
    case v1::Event::kInteractiveCommunicationHeld:
      return true;
    default:
      return false;
  }
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
    if (offset < 0) return Invalid(i, "at: not \"MM:SS\", \"HH:MM:SS\" or \"<days>d HH:MM:SS\"");
    e.erase("at");
    std::string session_id = scenario.session_id;
    if (e.contains("session_id")) {
      if (!e["session_id"].is_string() || e["session_id"].get<std::string>().empty()) {
        return Invalid(i, "session_id: must be a non-empty string");
      }
      session_id = e["session_id"].get<std::string>();
    }
    if (std::find(scenario.session_ids.begin(), scenario.session_ids.end(), session_id) ==
        scenario.session_ids.end()) {
      scenario.session_ids.push_back(session_id);
    }
    if (!e.contains("event_id")) {
      std::string n = std::to_string(i + 1);
      if (n.size() < 3) n.insert(0, 3 - n.size(), '0');
      e["event_id"] = session_id + "-" + n;
    }
    e["session_id"] = session_id;
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

bool IsMonitoringEpisode(const Scenario& scenario, const std::string& session_id) {
  return std::any_of(scenario.events.begin(), scenario.events.end(), [&](const v1::Event& e) {
    return e.session_id() == session_id && IsMonitoringPayload(e);
  });
}

absl::StatusOr<std::vector<ScenarioMonth>> MonitoringMonths(const Scenario& scenario) {
  // The episode's start event: its earliest, as the engine takes it.
  std::map<std::string, const v1::Event*> starts;
  for (const v1::Event& e : scenario.events) {
    if (!e.has_monitoring_episode_started()) continue;
    const v1::Event*& first = starts[e.session_id()];
    if (first == nullptr || e.occurred_at() < first->occurred_at()) first = &e;
  }
  std::set<std::tuple<std::string, std::string, std::string>> months;
  for (const auto& [episode_id, start] : starts) {
    const v1::MonitoringEpisodeStarted& started = start->monitoring_episode_started();
    const date::time_zone* zone = nullptr;
    try {
      zone = date::locate_zone(started.clinic_time_zone());
    } catch (const std::exception&) {
      return absl::InvalidArgumentError("monitoring_episode_started.clinic_time_zone: \"" +
                                        started.clinic_time_zone() +
                                        "\" is not in the time zone database");
    }
    for (const v1::Event& e : scenario.events) {
      if (e.session_id() != episode_id) continue;
      const auto utc = std::chrono::sys_seconds(std::chrono::seconds(e.occurred_at().seconds()));
      const auto local = date::make_zoned(zone, utc).get_local_time();
      const date::year_month_day ymd{date::floor<date::days>(local)};
      char month[16];
      std::snprintf(month, sizeof month, "%04d-%02u", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()));
      months.emplace(started.platform(), started.patient_ref(), month);
    }
  }
  std::vector<ScenarioMonth> out;
  for (const auto& [platform, patient, month] : months) out.push_back({platform, patient, month});
  return out;
}

}  // namespace unitclock::examples

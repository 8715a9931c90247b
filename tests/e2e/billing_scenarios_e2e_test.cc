// End-to-end billing scenarios: one JSON file per billing rule
// (tests/e2e/billing_scenarios/), each played through the real unitclockd on
// an ephemeral loopback port with the repository's core/policies. Every
// session's events go in through RecordEvents; SuggestCodes is asked for the
// patient-day; the file's expectations are checked.
//
// A file extends the scenario format of examples/scenario/scenario.h:
//
//   {
//     "description": "...",
//     "rule": "<docs/billing-rules.md section>",
//     "sessions": [{"session_id": ..., "start_time": ..., "events": [...]}, ...],
//     "suggest": {"platform": ..., "patient_ref": ..., "date_of_service": "YYYY-MM-DD",
//                 <any other field of SuggestCodesRequest, in Protobuf's JSON form>},
//     "expect": {
//       "lines": [{"code": "97110", "units": 2, "modifiers": ["GP", "95"],
//                  "place_of_service"?: "10", "blocking"?: false}],
//       "optional_lines"?: [{"code": "97116", "units"?: 0, "modifiers"?: [...]}],
//       "total_units"?: 2,
//       "warnings"?: [{"code": "session_overlap", "severity": "review", "cpt_code"?: "97110"}],
//       "absent_warnings"?: ["therapy_threshold_exceeded"]
//     }
//   }
//
// "lines", when given, is the exact set of lines over every suggestion of
// the day, keyed by code and modifiers (modifiers in claim order; the order
// of the lines does not matter); a line that matches no expected line is
// allowed only if it matches an "optional_lines" entry. "total_units" is the
// sum of units over every line. Listed warnings must be present (in any
// suggestion), absent_warnings absent. Each file uses its own patient_ref and
// session ids: the suite shares one daemon.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "examples/scenario/scenario.h"
#include "tests/testing/auth.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tls.h"
#include "unitclock/v1/coding.grpc.pb.h"
#include "unitclock/v1/session_service.grpc.pb.h"

namespace unitclock {
namespace {

using nlohmann::json;
using testing::Process;
using testing::ReadFile;
using testing::WaitForFileLine;
using namespace std::chrono_literals;

// The scenario files' names, sorted.
std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(UNITCLOCK_BILLING_SCENARIO_DIR)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// "info", "review", "blocking".
std::string SeverityName(v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_INFO:
      return "info";
    case v1::SEVERITY_REVIEW:
      return "review";
    case v1::SEVERITY_BLOCKING:
      return "blocking";
    default:
      return "unspecified";
  }
}

std::vector<std::string> Modifiers(const v1::SuggestedLine& line) {
  return {line.modifiers().begin(), line.modifiers().end()};
}

// "97110 [GP 95]": what lines are matched on.
std::string LineKey(const std::string& code, const std::vector<std::string>& modifiers) {
  return code + " [" + Join(modifiers, " ") + "]";
}

std::string Describe(const v1::SuggestedLine& line) {
  std::ostringstream out;
  out << line.code() << " x" << line.units() << " " << Join(Modifiers(line), " ") << ", POS "
      << line.place_of_service() << (line.blocking() ? ", blocking" : "") << "  (" << line.minutes()
      << " min, " << line.assistant_minutes() << " assistant)";
  return out.str();
}

std::string Describe(const v1::CodingWarning& w) {
  return w.code() + " (" + SeverityName(w.severity()) +
         (w.cpt_code().empty() ? "" : ", " + w.cpt_code()) + "): " + w.message();
}

// Every suggestion's lines and warnings, for failure messages.
std::string Describe(const v1::SuggestCodesResponse& response) {
  std::ostringstream out;
  if (response.suggestions().empty()) out << "  (no suggestions)\n";
  for (const v1::Suggestion& s : response.suggestions()) {
    out << "  suggestion " << s.date_of_service() << " " << s.payer_id() << " "
        << v1::Discipline_Name(s.discipline()) << " " << v1::UnitMethod_Name(s.method_used())
        << " sessions [" << Join({s.session_ids().begin(), s.session_ids().end()}, ", ") << "]\n";
    for (const v1::SuggestedLine& line : s.lines()) out << "    line " << Describe(line) << "\n";
    for (const v1::CodingWarning& w : s.warnings()) out << "    warning " << Describe(w) << "\n";
  }
  return out.str();
}

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  for (const json& s : j) out.push_back(s.get<std::string>());
  return out;
}

// A loaded scenario file: its sessions' events and the request to make.
struct BillingScenario {
  json doc;
  std::vector<v1::Event> events;  // every session's, in file order
  v1::SuggestCodesRequest request;
};

// Parses a scenario file; the error names the file and the problem.
std::optional<BillingScenario> Load(const std::string& path, std::string& error) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  BillingScenario out;
  out.doc = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!in || out.doc.is_discarded() || !out.doc.is_object()) {
    error = path + ": not a readable JSON object";
    return std::nullopt;
  }
  for (const char* key : {"description", "rule", "sessions", "suggest", "expect"}) {
    if (!out.doc.contains(key)) {
      error = path + ": missing \"" + key + "\"";
      return std::nullopt;
    }
  }
  for (const auto& [key, value] : out.doc["expect"].items()) {
    static const std::set<std::string> kKnown = {"lines", "optional_lines", "total_units",
                                                 "warnings", "absent_warnings"};
    if (kKnown.count(key) == 0) {
      error = path + ": expect." + key + ": unknown key";
      return std::nullopt;
    }
  }
  const json& sessions = out.doc["sessions"];
  if (!sessions.is_array() || sessions.empty()) {
    error = path + ": sessions: required non-empty array";
    return std::nullopt;
  }
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    auto scenario = examples::ParseScenario(sessions[i].dump());
    if (!scenario.ok()) {
      error = path + ": sessions[" + std::to_string(i) +
              "]: " + std::string(scenario.status().message());
      return std::nullopt;
    }
    for (v1::Event& e : scenario->events) out.events.push_back(std::move(e));
  }
  // "suggest": the patient-day, and any other key a field of the request.
  json request = json::object();
  json day = json::object();
  for (const auto& [key, value] : out.doc["suggest"].items()) {
    if (key == "platform" || key == "patient_ref" || key == "date_of_service") {
      day[key] = value;
    } else {
      request[key] = value;
    }
  }
  request["patient_day"] = day;
  const auto st = google::protobuf::util::JsonStringToMessage(request.dump(), &out.request);
  if (!st.ok()) {
    error = path + ": suggest: " + std::string(st.message());
    return std::nullopt;
  }
  return out;
}

// The shared daemon: started by the first test, stopped after the last.
struct Daemon {
  testing::TempDir dir;
  std::unique_ptr<Process> process;
  std::string target;
  std::string start_error;
};

class BillingScenarios : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() {
    if (daemon_ != nullptr && daemon_->process != nullptr) {
      daemon_->process->Signal(SIGTERM);
      const auto code = daemon_->process->Wait(20s);
      EXPECT_EQ(code, 0) << ReadFile(daemon_->dir.File("daemon.log"));
    }
    delete daemon_;
    daemon_ = nullptr;
  }

  // The daemon's address, starting it if needed; empty (and a failure) if
  // it did not start.
  static std::string Target() {
    if (daemon_ == nullptr) {
      daemon_ = new Daemon;
      const testing::TempDir& dir = daemon_->dir;
      std::ofstream(dir.File("tokens.json")) << testing::TestTokenFileJson();
      std::vector<std::string> argv = {UNITCLOCKD_PATH,
                                       "--listen=127.0.0.1:0",
                                       "--db=" + dir.File("var/unitclock.db"),
                                       "--policy-dir=" + std::string(UNITCLOCK_POLICY_DIR),
                                       "--auth-file=" + dir.File("tokens.json"),
                                       "--port-file=" + dir.File("port")};
      for (const std::string& flag : testing::TestDaemonTlsFlags()) argv.push_back(flag);
      daemon_->process = std::make_unique<Process>(argv, dir.File("daemon.log"));
      const std::string port = WaitForFileLine(dir.File("port"), 20s);
      if (port.empty()) {
        daemon_->start_error = "unitclockd did not start:\n" + ReadFile(dir.File("daemon.log"));
      } else {
        daemon_->target = "127.0.0.1:" + port;
      }
    }
    EXPECT_TRUE(daemon_->start_error.empty()) << daemon_->start_error;
    return daemon_->target;
  }

  static Daemon* daemon_;
};

Daemon* BillingScenarios::daemon_ = nullptr;

TEST_P(BillingScenarios, Play) {
  std::string error;
  const std::optional<BillingScenario> scenario =
      Load(std::string(UNITCLOCK_BILLING_SCENARIO_DIR) + "/" + GetParam(), error);
  ASSERT_TRUE(scenario.has_value()) << error;
  const json& expect = scenario->doc["expect"];
  SCOPED_TRACE(scenario->doc["rule"].get<std::string>() + ": " +
               scenario->doc["description"].get<std::string>());

  const std::string target = Target();
  ASSERT_FALSE(target.empty());
  auto channel = grpc::CreateChannel(target, testing::TestChannelCredentials());
  auto sessions = v1::SessionService::NewStub(channel);
  auto coding = v1::CodingService::NewStub(channel);

  // Every session's events in one batch (RecordEvents takes up to 1000).
  {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, "demo-all");
    v1::RecordEventsRequest req;
    for (const v1::Event& e : scenario->events) *req.add_events() = e;
    v1::RecordEventsResponse resp;
    const grpc::Status st = sessions->RecordEvents(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << "RecordEvents: " << st.error_message();
    ASSERT_EQ(resp.acknowledgements_size(), req.events_size());
    for (const v1::EventAcknowledgement& ack : resp.acknowledgements()) {
      ASSERT_NE(ack.outcome(), v1::EventAcknowledgement::OUTCOME_REJECTED)
          << ack.event_id() << ": " << ack.error_message();
    }
  }

  v1::SuggestCodesResponse response;
  {
    grpc::ClientContext ctx;
    testing::Authorize(ctx, "demo-all");
    const grpc::Status st = coding->SuggestCodes(&ctx, scenario->request, &response);
    ASSERT_TRUE(st.ok()) << "SuggestCodes: " << st.error_message();
  }

  std::vector<const v1::SuggestedLine*> lines;
  std::vector<const v1::CodingWarning*> warnings;
  for (const v1::Suggestion& s : response.suggestions()) {
    for (const v1::SuggestedLine& line : s.lines()) lines.push_back(&line);
    for (const v1::CodingWarning& w : s.warnings()) warnings.push_back(&w);
  }
  std::vector<std::string> problems;

  if (expect.contains("lines")) {
    std::map<std::string, std::vector<const v1::SuggestedLine*>> actual;
    for (const v1::SuggestedLine* line : lines) {
      actual[LineKey(line->code(), Modifiers(*line))].push_back(line);
    }
    std::set<std::string> expected_keys;
    for (const json& want : expect["lines"]) {
      const std::string key =
          LineKey(want["code"].get<std::string>(), Strings(want.value("modifiers", json::array())));
      expected_keys.insert(key);
      const auto it = actual.find(key);
      if (it == actual.end()) {
        problems.push_back("missing line " + key + " x" + std::to_string(want["units"].get<int>()));
        continue;
      }
      if (it->second.size() != 1) {
        problems.push_back(std::to_string(it->second.size()) + " lines " + key + ", expected one");
      }
      const v1::SuggestedLine& got = *it->second.front();
      if (got.units() != want["units"].get<int>()) {
        problems.push_back("line " + key + ": " + std::to_string(got.units()) +
                           " units, expected " + std::to_string(want["units"].get<int>()));
      }
      if (want.contains("place_of_service") &&
          got.place_of_service() != want["place_of_service"].get<std::string>()) {
        problems.push_back("line " + key + ": POS " + got.place_of_service() + ", expected " +
                           want["place_of_service"].get<std::string>());
      }
      if (want.contains("blocking") && got.blocking() != want["blocking"].get<bool>()) {
        problems.push_back("line " + key + ": blocking " + (got.blocking() ? "true" : "false") +
                           ", expected " + (want["blocking"].get<bool>() ? "true" : "false"));
      }
    }
    for (const v1::SuggestedLine* line : lines) {
      if (expected_keys.count(LineKey(line->code(), Modifiers(*line))) > 0) continue;
      bool optional = false;
      for (const json& allowed : expect.value("optional_lines", json::array())) {
        optional |=
            allowed["code"].get<std::string>() == line->code() &&
            (!allowed.contains("units") || allowed["units"].get<int>() == line->units()) &&
            (!allowed.contains("modifiers") || Strings(allowed["modifiers"]) == Modifiers(*line));
      }
      if (!optional) problems.push_back("unexpected line " + Describe(*line));
    }
  }

  if (expect.contains("total_units")) {
    int total = 0;
    for (const v1::SuggestedLine* line : lines) total += line->units();
    if (total != expect["total_units"].get<int>()) {
      problems.push_back(std::to_string(total) + " units in all, expected " +
                         std::to_string(expect["total_units"].get<int>()));
    }
  }

  for (const json& want : expect.value("warnings", json::array())) {
    const std::string code = want["code"].get<std::string>();
    const std::string severity = want["severity"].get<std::string>();
    const std::string cpt = want.value("cpt_code", "");
    const bool found = std::any_of(warnings.begin(), warnings.end(), [&](const auto* w) {
      return w->code() == code && SeverityName(w->severity()) == severity &&
             (cpt.empty() || w->cpt_code() == cpt);
    });
    if (!found) {
      problems.push_back("missing warning " + code + " (" + severity +
                         (cpt.empty() ? "" : ", " + cpt) + ")");
    }
  }
  for (const json& absent : expect.value("absent_warnings", json::array())) {
    for (const v1::CodingWarning* w : warnings) {
      if (w->code() == absent.get<std::string>()) {
        problems.push_back("unexpected warning " + Describe(*w));
      }
    }
  }

  EXPECT_TRUE(problems.empty()) << "differences:\n  " << Join(problems, "\n  ")
                                << "\nactual suggestions for " << scenario->doc["suggest"].dump()
                                << ":\n"
                                << Describe(response);
}

INSTANTIATE_TEST_SUITE_P(Files, BillingScenarios, ::testing::ValuesIn(ScenarioFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return std::filesystem::path(info.param).stem().string();
                         });

}  // namespace
}  // namespace unitclock

#include "plugin/service/session_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "plugin/service/event_intake.h"
#include "plugin/store/sqlite/sqlite_store.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace unitclock::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kIdRule =
    "{id}, where id is 1 to 128 characters of letters, digits and - _ . : (not . or ..)";

TEST(ResourceName, AWellFormedNameGivesItsId) {
  absl::StatusOr<std::string> id = SessionIdFromName("sessions/demo-20261127-0001", "name");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "demo-20261127-0001");
  id = IdFromName("suggestions/s0123456789abcdef", "suggestions", "name");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "s0123456789abcdef");
  // Every character events allow, and the longest id they allow.
  id = SessionIdFromName("sessions/aZ09-_.:", "name");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "aZ09-_.:");
  const std::string longest(128, 'x');
  id = SessionIdFromName("sessions/" + longest, "name");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, longest);
}

// The names a hostile or careless client sends. None is a session id an
// event could have created, so each is a bad argument, not a missing session.
std::vector<std::string> MalformedSessionNames() {
  return {
      "sessions/../etc",
      "",
      "sessions/",
      "sessions",
      "sessions/.",
      "sessions/..",
      "sessions/a/b",
      "sessions/bad\x01id",
      "sessions/bad\nid",
      std::string("sessions/bad\0id", 15),
      "sessions/caf\xc3\xa9",
      "sessions/with space",
      "sessions/" + std::string(129, 'x'),
      "demo-20261127-0001",
      "Sessions/demo-20261127-0001",
      "suggestions/demo-20261127-0001",
      "/sessions/demo-20261127-0001",
  };
}

TEST(ResourceName, AMalformedSessionNameIsInvalidArgumentNamingFieldAndForm) {
  for (const std::string& name : MalformedSessionNames()) {
    absl::StatusOr<std::string> id = SessionIdFromName(name, "name");
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument) << "name: " << name;
    EXPECT_EQ(id.status().message(), std::string("name: must be sessions/") + kIdRule)
        << "name: " << name;
  }
}

TEST(ResourceName, TheErrorNamesTheCallersFieldAndCollection) {
  absl::StatusOr<std::string> id = SessionIdFromName("sessions/../etc", "session");
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(id.status().message(), std::string("session: must be sessions/") + kIdRule);
  id = IdFromName("suggestions/../etc", "suggestions", "name");
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(id.status().message(), std::string("name: must be suggestions/") + kIdRule);
}

TEST(ResourceName, TheErrorNeverRepeatsTheName) {
  const std::string marker = "secret-marker";
  for (const std::string& name : {"sessions/../" + marker, "sessions/" + marker + "\x1b[31m",
                                  marker, "sessions/" + marker + std::string(200, 'x')}) {
    absl::StatusOr<std::string> id = SessionIdFromName(name, "name");
    ASSERT_FALSE(id.ok());
    EXPECT_THAT(std::string(id.status().message()), Not(HasSubstr(marker)));
  }
}

// An episode's MonitoringEpisodeStarted lists it by patient and start time
// as a visit's SessionStarted does: coding a visit's dates must not take it
// for one, not even when a SessionStarted was sent under the episode's id
// (which monitoring ignores).
TEST(LoadSessionsAround, LoadsVisitsAndNeverAMonitoringEpisode) {
  testing::TempDir dir;
  auto store = store::OpenSqliteStore(dir.File("events.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  testing::FakeClock clock(testing::At(3600));
  EventIntake intake(*store->events, clock, std::chrono::minutes(5));
  const core::MonitoringEpisodeStarted episode = testing::EpisodeStart();
  std::vector<Submission> batch;
  batch.push_back({testing::StartedEvent("v1", "visit", 0, "pt-0001"), {}, ""});
  batch.push_back({testing::MakeEvent("m1", "episode", 10, episode), {}, ""});
  batch.push_back({testing::StartedEvent("stray", "episode", 20, "pt-0001"), {}, ""});
  auto outcomes = intake.Submit(std::move(batch), "");
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  for (const IntakeOutcome& o : *outcomes) ASSERT_TRUE(o.ok()) << o.status();

  // Both are listed by patient and start time...
  store::SessionQuery query;
  query.patient_ref = "pt-0001";
  query.start_time_min = testing::At(0);
  EXPECT_THAT(store->events->ListSessions(query)->session_ids,
              ::testing::ElementsAre("visit", "episode"));
  // ...but only the visit is loaded for coding.
  const core::Day day = core::Day(std::chrono::floor<std::chrono::days>(testing::At(0)));
  auto sessions = LoadSessionsAround(*store->events, {"", "pt-0001", ""}, day, day, {});
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_EQ((*sessions)[0].session_id, "visit");
}

}  // namespace
}  // namespace unitclock::service

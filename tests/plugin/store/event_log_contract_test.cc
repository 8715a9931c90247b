// The event log's contract, which both backends (SQLite, PostgreSQL) keep:
// every test runs once per backend (store_test_fixture.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/plugin/store/store_test_fixture.h"
#include "tests/plugin/store/store_test_values.h"
#include "tests/testing/events.h"

namespace unitclock::store {
namespace {

using store_tests::Ev;
using store_tests::From;
using testing::At;

StoredEvent Started(const std::string& id, const std::string& session, int seconds,
                    const std::string& patient) {
  StoredEvent e = Ev(id, session, seconds);
  e.started = SessionIndexFacts{"platform-a", patient};
  return e;
}

SessionQuery Query(std::string patient_ref = "", std::optional<core::TimePoint> min = {},
                   std::optional<core::TimePoint> max = {}) {
  SessionQuery q;
  q.patient_ref = std::move(patient_ref);
  q.start_time_min = min;
  q.start_time_max = max;
  return q;
}

class EventLogContractTest : public StoreTest {
 protected:
  std::vector<absl::StatusOr<AppendOutcome>> Append(std::vector<StoredEvent> events) {
    auto r = log().Append(events);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<absl::StatusOr<AppendOutcome>>{};
  }

  std::vector<std::string> Ids(const std::string& session) {
    auto loaded = log().LoadSession(session);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    std::vector<std::string> ids;
    for (const StoredEvent& e : *loaded) ids.push_back(e.event_id);
    return ids;
  }

  std::vector<std::string> List(SessionQuery q) {
    auto page = log().ListSessions(q);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->session_ids : std::vector<std::string>{};
  }
};

TEST_P(EventLogContractTest, RecordsNewEventsAndLoadsThemInTimeOrder) {
  auto r = Append({Ev("e2", "s1", 60), Ev("e1", "s1", 0), Ev("x1", "s2", 0)});
  ASSERT_EQ(r.size(), 3u);
  for (const auto& one : r) EXPECT_EQ(*one, AppendOutcome::kRecorded);
  EXPECT_THAT(Ids("s1"), ::testing::ElementsAre("e1", "e2"));
  auto loaded = log().LoadSession("s1");
  EXPECT_EQ((*loaded)[1].payload, "payload:e2");
  EXPECT_EQ((*loaded)[1].occurred_at, At(60));
  EXPECT_TRUE(Ids("nobody").empty());
}

TEST_P(EventLogContractTest, SameEventAgainIsAcknowledgedAndStoredOnce) {
  Append({Ev("e1", "s1", 0)});
  auto r = Append({Ev("e1", "s1", 0), Ev("e1", "s1", 0)});
  EXPECT_EQ(*r[0], AppendOutcome::kAlreadyRecorded);
  EXPECT_EQ(*r[1], AppendOutcome::kAlreadyRecorded);
  EXPECT_EQ(*log().CountEvents(), 1);
}

TEST_P(EventLogContractTest, DuplicateWithinOneBatchIsStoredOnce) {
  auto r = Append({Ev("e1", "s1", 0), Ev("e1", "s1", 0)});
  EXPECT_EQ(*r[0], AppendOutcome::kRecorded);
  EXPECT_EQ(*r[1], AppendOutcome::kAlreadyRecorded);
  EXPECT_EQ(*log().CountEvents(), 1);
}

TEST_P(EventLogContractTest, SameIdWithDifferentContentIsRejectedAndChangesNothing) {
  Append({Ev("e1", "s1", 0)});
  StoredEvent other_payload = Ev("e1", "s1", 0, "changed");
  StoredEvent other_time = Ev("e1", "s1", 5);
  StoredEvent other_session = Ev("e1", "s9", 0);
  auto r = Append({other_payload, Ev("e2", "s1", 10), other_time, other_session});
  for (int i : {0, 2, 3}) {
    ASSERT_FALSE(r[i].ok()) << i;
    EXPECT_EQ(r[i].status().code(), absl::StatusCode::kAlreadyExists);
    EXPECT_THAT(std::string(r[i].status().message()), ::testing::StartsWith("event.event_id: "));
  }
  EXPECT_EQ(*r[1], AppendOutcome::kRecorded);  // its neighbours' rejection does not touch it
  // Only the payload differs: the error carries the stored one, for a caller
  // that may recognise a retry encoded otherwise.
  EXPECT_EQ(StoredPayloadOf(r[0].status()), "payload:e1");
  EXPECT_EQ(StoredPayloadOf(r[2].status()), std::nullopt);
  EXPECT_EQ(StoredPayloadOf(r[3].status()), std::nullopt);
  auto loaded = log().LoadSession("s1");
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].payload, "payload:e1");
  EXPECT_TRUE(Ids("s9").empty());
}

TEST_P(EventLogContractTest, EventsSurviveCloseAndReopen) {
  Append({Started("e1", "s1", 0, "pt-1"), Ev("e2", "s1", 60)});
  Reopen();
  EXPECT_THAT(Ids("s1"), ::testing::ElementsAre("e1", "e2"));
  EXPECT_EQ(*Append({Ev("e2", "s1", 60)})[0], AppendOutcome::kAlreadyRecorded);
  EXPECT_THAT(List(Query("pt-1")), ::testing::ElementsAre("s1"));
}

TEST_P(EventLogContractTest, ListsSessionsByPatientAndStartTime) {
  Append({Started("a", "s-morning", 0, "pt-1"), Started("b", "s-noon", 3 * 3600, "pt-1"),
          Started("c", "s-other", 3600, "pt-2"), Ev("d", "s-nostart", 100)});
  EXPECT_THAT(List(Query("pt-1")), ::testing::ElementsAre("s-morning", "s-noon"));
  EXPECT_THAT(List(Query("", At(1), At(3 * 3600))), ::testing::ElementsAre("s-other"));
  EXPECT_THAT(List(Query("pt-1", At(3 * 3600))), ::testing::ElementsAre("s-noon"));
  // Without filters every session is listed; those without a start come first.
  EXPECT_THAT(List(Query()), ::testing::ElementsAre("s-nostart", "s-morning", "s-other", "s-noon"));
}

TEST_P(EventLogContractTest, EarliestSessionStartedIndexesTheSession) {
  Append({Started("late", "s1", 600, "pt-late")});
  Append({Started("early", "s1", 0, "pt-early")});
  Append({Started("later", "s1", 900, "pt-later")});
  EXPECT_THAT(List(Query("pt-early")), ::testing::ElementsAre("s1"));
  EXPECT_TRUE(List(Query("pt-late")).empty());
}

TEST_P(EventLogContractTest, PagesThroughSessionsWithTokens) {
  std::vector<StoredEvent> events;
  for (int i = 0; i < 7; ++i) {
    events.push_back(Started("e" + std::to_string(i), "s" + std::to_string(i), i * 60, "pt-1"));
  }
  events.push_back(Ev("n1", "nostart-1", 0));
  events.push_back(Ev("n2", "nostart-2", 0));
  Append(events);
  std::vector<std::string> seen;
  SessionQuery q = Query();
  q.page_size = 2;
  int pages = 0;
  do {
    auto page = log().ListSessions(q);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->session_ids.size(), 2u);
    seen.insert(seen.end(), page->session_ids.begin(), page->session_ids.end());
    q.page_token = page->next_page_token;
    ++pages;
  } while (!q.page_token.empty() && pages < 20);
  EXPECT_EQ(pages, 5);
  EXPECT_THAT(seen, ::testing::ElementsAre("nostart-1", "nostart-2", "s0", "s1", "s2", "s3", "s4",
                                           "s5", "s6"));
}

TEST_P(EventLogContractTest, RejectsMalformedPageTokenAndPageSize) {
  SessionQuery q = Query();
  q.page_token = "garbage";
  EXPECT_EQ(log().ListSessions(q).status().code(), absl::StatusCode::kInvalidArgument);
  q.page_token = "x/y";
  EXPECT_THAT(std::string(log().ListSessions(q).status().message()),
              ::testing::StartsWith("page_token: "));
  q.page_token.clear();
  q.page_size = 0;
  EXPECT_EQ(log().ListSessions(q).status().code(), absl::StatusCode::kInvalidArgument);
}

StoredEvent Stopped(const std::string& id, const std::string& session, int seconds) {
  StoredEvent e = Ev(id, session, seconds);
  e.stops_session = true;
  return e;
}

std::vector<std::string> SessionIds(const std::vector<OpenSession>& open) {
  std::vector<std::string> ids;
  for (const OpenSession& s : open) ids.push_back(s.session_id);
  return ids;
}

TEST_P(EventLogContractTest, ListsOpenSessionsByTheirLastEvent) {
  // Events arrive out of order: the latest occurred_at counts, not the last stored.
  Append({Ev("a2", "s-a", 300), Ev("a1", "s-a", 100), Ev("b1", "s-b", 200), Ev("c1", "s-c", 50),
          Started("d1", "s-d", 10, "pt-1")});
  auto open = log().ListOpenSessions(At(1000));
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_THAT(*open, ::testing::ElementsAre(
                         OpenSession{"s-d", At(10), 1}, OpenSession{"s-c", At(50), 1},
                         OpenSession{"s-b", At(200), 1}, OpenSession{"s-a", At(300), 2}));
}

TEST_P(EventLogContractTest, OpenSessionsWithTheSameLastEventAreOrderedById) {
  Append({Ev("2", "s-2", 100), Ev("1", "s-1", 100), Ev("3", "s-3", 100)});
  EXPECT_THAT(SessionIds(*log().ListOpenSessions(At(101))),
              ::testing::ElementsAre("s-1", "s-2", "s-3"));
}

TEST_P(EventLogContractTest, OpenSessionsCutoffIsExclusive) {
  Append({Ev("a1", "s-a", 100), Ev("b1", "s-b", 200)});
  EXPECT_THAT(SessionIds(*log().ListOpenSessions(At(200))), ::testing::ElementsAre("s-a"));
  EXPECT_THAT(SessionIds(*log().ListOpenSessions(At(100))), ::testing::IsEmpty());
  EXPECT_THAT(SessionIds(*log().ListOpenSessions(At(200) + core::Duration(1))),
              ::testing::ElementsAre("s-a", "s-b"));
}

TEST_P(EventLogContractTest, AStoppedSessionIsNotOpenEvenAfterALateEvent) {
  Append({Ev("a1", "s-a", 100), Stopped("a2", "s-a", 200), Ev("b1", "s-b", 100)});
  EXPECT_THAT(SessionIds(*log().ListOpenSessions(At(1000))), ::testing::ElementsAre("s-b"));
  Append({Ev("a3", "s-a", 150), Ev("a4", "s-a", 500)});
  EXPECT_THAT(SessionIds(*log().ListOpenSessions(At(1000))), ::testing::ElementsAre("s-b"));
}

TEST_P(EventLogContractTest, RejectedAndRepeatedEventsDoNotChangeOpenSessions) {
  Append({Ev("a1", "s-a", 100)});
  // A conflicting reuse of a1's id, later and stopping: rejected, so it neither
  // moves the last event nor stops the session.
  StoredEvent conflicting = Stopped("a1", "s-a", 900);
  auto r = Append({conflicting, Ev("a1", "s-a", 100)});
  EXPECT_EQ(r[0].status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*r[1], AppendOutcome::kAlreadyRecorded);
  EXPECT_THAT(*log().ListOpenSessions(At(1000)),
              ::testing::ElementsAre(OpenSession{"s-a", At(100), 1}));
}

// The watchdog's guard: an event that expects the session to hold N events
// is stored only if it does; a repeat of one stored is ALREADY_RECORDED.
TEST_P(EventLogContractTest, AnEventExpectingAnEventCountIsStoredOnlyIfItHolds) {
  Append({Ev("a1", "s-a", 100), Ev("a2", "s-a", 200)});
  StoredEvent stop = Stopped("stop-a", "s-a", 200);
  stop.only_if_event_count = 1;  // stale: s-a holds 2
  auto r = Append({stop});
  ASSERT_EQ(r[0].status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r[0].status().message()),
              ::testing::HasSubstr("the session now holds 2 events, not the 1"));
  EXPECT_THAT(SessionIds(*log().ListOpenSessions(At(1000))), ::testing::ElementsAre("s-a"));
  EXPECT_EQ(*log().CountEvents(), 2);

  stop.only_if_event_count = 2;
  r = Append({stop});
  ASSERT_TRUE(r[0].ok()) << r[0].status();
  EXPECT_EQ(*r[0], AppendOutcome::kRecorded);
  EXPECT_THAT(SessionIds(*log().ListOpenSessions(At(1000))), ::testing::IsEmpty());
  // Sent again (a scan repeated after a crash): the count moved, by this very
  // event, yet it is the same event.
  r = Append({stop});
  ASSERT_TRUE(r[0].ok()) << r[0].status();
  EXPECT_EQ(*r[0], AppendOutcome::kAlreadyRecorded);

  // Within one group: an event before the guarded one changes the count.
  StoredEvent stop_b = Stopped("stop-b", "s-b", 100);
  stop_b.only_if_event_count = 0;
  r = Append({Ev("b1", "s-b", 100), stop_b});
  ASSERT_TRUE(r[0].ok());
  EXPECT_EQ(r[1].status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(SessionIds(*log().ListOpenSessions(At(1000))), ::testing::ElementsAre("s-b"));
}

TEST_P(EventLogContractTest, OpenSessionsSurviveCloseAndReopen) {
  Append({Ev("a1", "s-a", 100), Ev("b1", "s-b", 100), Stopped("b2", "s-b", 200)});
  Reopen();
  EXPECT_THAT(*log().ListOpenSessions(At(1000)),
              ::testing::ElementsAre(OpenSession{"s-a", At(100), 1}));
}

TEST_P(EventLogContractTest, TheFirstEventsPlatformOwnsTheSessionAndNoOtherMayWriteToIt) {
  auto r = Append({From("platform-a", Ev("e1", "s1", 0)), From("platform-b", Ev("e2", "s1", 1)),
                   From("platform-a", Ev("e3", "s1", 2)), Ev("watchdog", "s1", 3)});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0].ok());
  EXPECT_EQ(r[1].status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(r[1].status().message(), ::testing::HasSubstr("event.session_id: already in use"));
  EXPECT_TRUE(r[2].ok());
  EXPECT_TRUE(r[3].ok());  // unitclock's own writers are not checked
  EXPECT_EQ(*log().SessionOwner("s1"), std::optional<std::string>("platform-a"));
  EXPECT_EQ(*log().SessionOwner("nope"), std::nullopt);
  EXPECT_EQ(log().LoadSession("s1")->size(), 3u);
  // A session first written by unitclock itself is owned by its start's platform.
  Append({Ev("w1", "s2", 0), Started("st2", "s2", 1, "pt-1")});
  EXPECT_EQ(*log().SessionOwner("s2"), std::optional<std::string>("platform-a"));
  SessionQuery q = Query();
  q.platform = "platform-b";
  EXPECT_TRUE(log().ListSessions(q)->session_ids.empty());
  q.platform = "platform-a";
  EXPECT_THAT(log().ListSessions(q)->session_ids, ::testing::ElementsAre("s1", "s2"));
}

TEST_P(EventLogContractTest, ASessionHoldsAtMostTheConfiguredNumberOfEvents) {
  Reopen(StoreOptions{.max_events_per_session = 3});
  auto r = Append({Ev("e1", "s1", 0), Ev("e2", "s1", 1), Ev("e3", "s1", 2), Ev("e4", "s1", 3),
                   Ev("e1", "s1", 0), Ev("f1", "s2", 0)});
  EXPECT_TRUE(r[2].ok());
  EXPECT_EQ(r[3].status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r[3].status().message(),
              ::testing::HasSubstr("event.session_id: the session already holds 3 events"));
  EXPECT_EQ(*r[4], AppendOutcome::kAlreadyRecorded);  // a retry is still answered
  EXPECT_EQ(*r[5], AppendOutcome::kRecorded);         // other sessions are untouched
  EXPECT_EQ(*log().CountEvents(), 4);
}

// ---- Monitoring episodes: sessions of a kind of their own.

// An event of a monitoring episode, as intake marks it.
StoredEvent Monitoring(const std::string& id, const std::string& session, int seconds) {
  StoredEvent e = Ev(id, session, seconds);
  e.monitoring = true;
  return e;
}

// A MonitoringEpisodeStarted, as intake marks it.
StoredEvent EpisodeStarted(const std::string& id, const std::string& session, int seconds,
                           const std::string& patient) {
  StoredEvent e = Started(id, session, seconds, patient);
  e.monitoring = true;
  return e;
}

SessionQuery OfKind(SessionKind kind, SessionQuery q = Query()) {
  q.kind = kind;
  return q;
}

TEST_P(EventLogContractTest, ListsSessionsOfOneKindOrOfBoth) {
  Append({Started("v1", "s-visit", 0, "pt-1"), Ev("n1", "s-nostart", 10),
          EpisodeStarted("m1", "ep-started", 5, "pt-1"), Monitoring("d1", "ep-nostart", 20)});
  EXPECT_THAT(List(Query()),
              ::testing::ElementsAre("ep-nostart", "s-nostart", "s-visit", "ep-started"));
  EXPECT_THAT(List(OfKind(SessionKind::kVisit)), ::testing::ElementsAre("s-nostart", "s-visit"));
  EXPECT_THAT(List(OfKind(SessionKind::kMonitoringEpisode)),
              ::testing::ElementsAre("ep-nostart", "ep-started"));
  // With the other filters, and across pages.
  EXPECT_THAT(List(OfKind(SessionKind::kMonitoringEpisode, Query("pt-1"))),
              ::testing::ElementsAre("ep-started"));
  SessionQuery q = OfKind(SessionKind::kVisit);
  q.page_size = 1;
  auto first = log().ListSessions(q);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->session_ids, ::testing::ElementsAre("s-nostart"));
  q.page_token = first->next_page_token;
  auto second = log().ListSessions(q);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(second->session_ids, ::testing::ElementsAre("s-visit"));
  EXPECT_TRUE(second->next_page_token.empty());
}

// A MonitoringEpisodeStarted indexes its episode as a SessionStarted its
// visit: by patient and start time.
TEST_P(EventLogContractTest, AnEpisodeIsListedByPatientAndStartTime) {
  Append({Monitoring("d0", "ep-1", 50), EpisodeStarted("m1", "ep-1", 3600, "pt-1"),
          EpisodeStarted("m2", "ep-2", 7200, "pt-2"), Started("v1", "s-1", 0, "pt-1")});
  const auto episodes = SessionKind::kMonitoringEpisode;
  EXPECT_THAT(List(OfKind(episodes, Query("pt-1"))), ::testing::ElementsAre("ep-1"));
  EXPECT_THAT(List(OfKind(episodes, Query("", At(3600), At(7200)))),
              ::testing::ElementsAre("ep-1"));
  EXPECT_THAT(List(OfKind(episodes, Query("", At(3601)))), ::testing::ElementsAre("ep-2"));
  EXPECT_THAT(List(Query("pt-1")), ::testing::ElementsAre("s-1", "ep-1"));
  // An earlier start of the same episode wins, as for a visit.
  Append({EpisodeStarted("m0", "ep-2", 60, "pt-1")});
  EXPECT_THAT(List(OfKind(episodes, Query("pt-1"))), ::testing::ElementsAre("ep-2", "ep-1"));
}

// The watchdog closes idle visits; an episode lasts months between events.
TEST_P(EventLogContractTest, OpenSessionsNeverIncludeAnEpisode) {
  // Device data before the episode's start arrives: already an episode.
  Append({Monitoring("d1", "ep-early-data", 100), Ev("v1", "s-visit", 100),
          EpisodeStarted("m1", "ep-started", 10, "pt-1")});
  EXPECT_THAT(*log().ListOpenSessions(At(1000)),
              ::testing::ElementsAre(OpenSession{"s-visit", At(100), 1}));
  // A session becomes an episode with its first monitoring event, whatever
  // came before; and stays one.
  Append({Monitoring("v2", "s-visit", 200), Ev("v3", "s-visit", 300)});
  EXPECT_THAT(*log().ListOpenSessions(At(1000)), ::testing::IsEmpty());
  EXPECT_THAT(List(OfKind(SessionKind::kMonitoringEpisode)),
              ::testing::ElementsAre("ep-early-data", "s-visit", "ep-started"));
  Reopen();
  EXPECT_THAT(*log().ListOpenSessions(At(1000)), ::testing::IsEmpty());
  EXPECT_THAT(List(OfKind(SessionKind::kVisit)), ::testing::IsEmpty());
}

TEST_P(EventLogContractTest, ARefusedMonitoringEventMakesNoEpisode) {
  Append({Ev("v1", "s-visit", 100)});
  // A conflicting reuse of v1's id: refused, so the session stays a visit.
  auto r = Append({Monitoring("v1", "s-visit", 150)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(*log().ListOpenSessions(At(1000)),
              ::testing::ElementsAre(OpenSession{"s-visit", At(100), 1}));
  EXPECT_THAT(List(OfKind(SessionKind::kVisit)), ::testing::ElementsAre("s-visit"));
}

INSTANTIATE_TEST_SUITE_P(Backends, EventLogContractTest, UNITCLOCK_STORE_BACKENDS,
                         BackendParamName);

}  // namespace
}  // namespace unitclock::store

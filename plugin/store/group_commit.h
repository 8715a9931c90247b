#pragma once

#include <chrono>
#include <deque>
#include <span>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "plugin/store/event_log.h"

namespace unitclock::store {

// One append waiting for its group commit.
struct PendingAppend {
  std::vector<StoredEvent> events;
  EventLog::AppendDone done;
};

// The group commit both event log backends share: a queue of appends and
// one writer thread that takes every append waiting (up to
// EventLog::kMaxGroupEvents events, and at least one append, whatever its
// size) and hands them to the backend's commit as one group, then calls each
// append's `done` with its results, in queue order. Concurrent appends thus
// share the cost of a commit.
//
// Thread-safe. The destructor commits what is queued, then joins the
// thread: declare the writer after everything its commit uses, so that it
// is destroyed first.
class GroupCommitWriter {
 public:
  // Commits one group in one transaction; one result per append, in order.
  // Called on the writer thread only.
  using Commit = absl::AnyInvocable<std::vector<absl::StatusOr<AppendResults>>(
      std::span<const PendingAppend> group)>;

  // `metrics` (nullptr: none) gets each group's size and commit time, and
  // the failed commits; it must outlive the writer.
  // Runs on the writer thread before its first group: work the backend can
  // do ahead of the first append (the SQLite log loads its event id index).
  using WarmUp = absl::AnyInvocable<void()>;

  explicit GroupCommitWriter(Commit commit, metrics::ServerMetrics* metrics = nullptr,
                             WarmUp warm_up = nullptr);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // EventLog::AppendAsync and EventLog::Stats.
  void Append(std::vector<StoredEvent> events, EventLog::AppendDone done);
  EventLog::WriteStats Stats();

 private:
  void WriteLoop();
  // Records one commit in metrics_ (not null).
  void Record(std::span<const PendingAppend> group,
              std::span<const absl::StatusOr<AppendResults>> results,
              std::chrono::steady_clock::duration took);

  Commit commit_;   // the writer thread's alone
  WarmUp warm_up_;  // the writer thread's alone
  metrics::ServerMetrics* const metrics_;
  absl::Mutex mu_;
  absl::CondVar queued_;
  std::deque<PendingAppend> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  EventLog::WriteStats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace unitclock::store

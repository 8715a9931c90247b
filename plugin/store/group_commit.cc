#include "plugin/store/group_commit.h"

#include <chrono>
#include <utility>

#include "plugin/metrics/server_metrics.h"

namespace unitclock::store {

GroupCommitWriter::GroupCommitWriter(Commit commit, metrics::ServerMetrics* metrics, WarmUp warm_up)
    : commit_(std::move(commit)),
      warm_up_(std::move(warm_up)),
      metrics_(metrics),
      thread_([this] { WriteLoop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    queued_.Signal();
  }
  thread_.join();  // after committing what was queued
}

void GroupCommitWriter::Append(std::vector<StoredEvent> events, EventLog::AppendDone done) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(PendingAppend{std::move(events), std::move(done)});
  queued_.Signal();
}

EventLog::WriteStats GroupCommitWriter::Stats() {
  absl::MutexLock lock(&mu_);
  EventLog::WriteStats stats = stats_;
  for (const PendingAppend& append : queue_) {
    stats.queued_events += static_cast<std::int64_t>(append.events.size());
  }
  return stats;
}

void GroupCommitWriter::Record(std::span<const PendingAppend> group,
                               std::span<const absl::StatusOr<AppendResults>> results,
                               std::chrono::steady_clock::duration took) {
  std::int64_t events = 0;
  for (const PendingAppend& append : group)
    events += static_cast<std::int64_t>(append.events.size());
  metrics_->ObserveCommit(events, std::chrono::duration<double>(took).count());
  // A failed commit fails its appends alike: one error per commit.
  for (const absl::StatusOr<AppendResults>& result : results) {
    if (!result.ok()) {
      metrics_->CountStoreError(metrics::StoreOperation::kAppend, result.status().code());
      break;
    }
  }
}

void GroupCommitWriter::WriteLoop() {
  if (warm_up_) std::move(warm_up_)();
  for (;;) {
    std::vector<PendingAppend> group;
    {
      absl::MutexLock lock(&mu_);
      while (queue_.empty() && !stopping_) queued_.Wait(&mu_);
      if (queue_.empty()) return;
      std::size_t events = 0;
      while (!queue_.empty() && (group.empty() || events + queue_.front().events.size() <=
                                                      EventLog::kMaxGroupEvents)) {
        events += queue_.front().events.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ++stats_.commits;
      stats_.events += static_cast<std::int64_t>(events);
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<absl::StatusOr<AppendResults>> results = commit_(group);
    if (metrics_ != nullptr) Record(group, results, std::chrono::steady_clock::now() - start);
    for (std::size_t i = 0; i < group.size(); ++i) std::move(group[i].done)(std::move(results[i]));
  }
}

}  // namespace unitclock::store

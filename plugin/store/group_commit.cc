#include "plugin/store/group_commit.h"

#include <utility>

namespace unitclock::store {

GroupCommitWriter::GroupCommitWriter(Commit commit)
    : commit_(std::move(commit)), thread_([this] { WriteLoop(); }) {}

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

void GroupCommitWriter::WriteLoop() {
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
    std::vector<absl::StatusOr<AppendResults>> results = commit_(group);
    for (std::size_t i = 0; i < group.size(); ++i) std::move(group[i].done)(std::move(results[i]));
  }
}

}  // namespace unitclock::store

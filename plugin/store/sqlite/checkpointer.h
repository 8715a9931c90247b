#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

// Checkpoints of the store's write-ahead log, on a thread of their own.
//
// SQLite's automatic checkpoint runs inside the commit that crosses its
// threshold: that commit, and every acknowledgement waiting for it, then
// waits while the log's pages are copied into the file and the file is
// synced. Here the writers' connections only report the log's length after
// each commit (Watch); once it reaches kCheckpointPages, this thread copies
// it back (a PASSIVE checkpoint: writers go on meanwhile). Writers that never
// pause could keep the log from being reused; past restart_pages the thread
// waits for the current commit to end and lets the next one restart the log
// (a RESTART checkpoint).
struct sqlite3;

namespace unitclock::store::sqlite_backend {

class Connection;

// The log's length, in pages, from which a checkpoint runs (SQLite's own
// default threshold), and from which it restarts the log.
struct CheckpointThresholds {
  int checkpoint_pages = 1000;
  int restart_pages = 16000;
};

class Checkpointer {
 public:
  using Thresholds = CheckpointThresholds;

  // Opens a connection of its own to `path` (in WAL mode already).
  static absl::StatusOr<std::shared_ptr<Checkpointer>> Start(const std::string& path,
                                                             Thresholds thresholds = {});
  // Ends the thread, after the checkpoint in progress, if any.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Turns off `writer`'s automatic checkpoints: its commits report to this
  // checkpointer instead, which `writer` keeps alive until it is closed.
  static void Watch(Connection& writer, std::shared_ptr<Checkpointer> checkpointer);

  // Checkpoints run so far (for tests and figures).
  int checkpoints();

 private:
  Checkpointer(std::unique_ptr<Connection> connection, Thresholds thresholds);
  // SQLite's WAL hook (sqlite3_wal_hook): runs in the committing thread,
  // after each commit, with the log's length.
  static int OnCommit(void* checkpointer, sqlite3* db, const char* schema, int wal_pages);
  void Committed(int wal_pages);
  void Loop();

  const std::unique_ptr<Connection> connection_;  // the thread's alone
  const Thresholds thresholds_;
  absl::Mutex mu_;
  absl::CondVar wake_;
  int wal_pages_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int checkpoints_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace unitclock::store::sqlite_backend

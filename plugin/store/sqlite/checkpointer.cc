#include "plugin/store/sqlite/checkpointer.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <utility>

#include "plugin/common/log.h"
#include "plugin/store/sqlite/sqlite_connection.h"

namespace unitclock::store::sqlite_backend {
absl::StatusOr<std::shared_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                                  Thresholds thresholds) {
  absl::StatusOr<std::unique_ptr<Connection>> c = Connection::Open(path, /*read_only=*/false);
  if (!c.ok()) return c.status();
  return std::shared_ptr<Checkpointer>(new Checkpointer(*std::move(c), thresholds));
}

Checkpointer::Checkpointer(std::unique_ptr<Connection> connection, Thresholds thresholds)
    : connection_(std::move(connection)), thresholds_(thresholds), thread_([this] { Loop(); }) {}

Checkpointer::~Checkpointer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.Signal();
  }
  thread_.join();
}

void Checkpointer::Watch(Connection& writer, std::shared_ptr<Checkpointer> checkpointer) {
  // Replaces the automatic checkpoint, which SQLite runs from this hook.
  sqlite3_wal_hook(writer.db(), OnCommit, checkpointer.get());
  writer.KeepAlive(std::move(checkpointer));
}

int Checkpointer::checkpoints() {
  absl::MutexLock lock(&mu_);
  return checkpoints_;
}

int Checkpointer::OnCommit(void* checkpointer, sqlite3* /*db*/, const char* /*schema*/,
                           int wal_pages) {
  static_cast<Checkpointer*>(checkpointer)->Committed(wal_pages);
  return SQLITE_OK;
}

void Checkpointer::Committed(int wal_pages) {
  absl::MutexLock lock(&mu_);
  wal_pages_ = wal_pages;
  if (wal_pages >= thresholds_.checkpoint_pages) wake_.Signal();
}

void Checkpointer::Loop() {
  for (;;) {
    int pages = 0;
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_ && wal_pages_ < thresholds_.checkpoint_pages) wake_.Wait(&mu_);
      if (stopping_) return;
      pages = wal_pages_;
      wal_pages_ = 0;  // until the next commit says otherwise
    }
    const int mode =
        pages >= thresholds_.restart_pages ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
    const int rc = sqlite3_wal_checkpoint_v2(connection_->db(), nullptr, mode, nullptr, nullptr);
    // BUSY: another process's checkpoint, or a RESTART that waited out the
    // busy timeout; the next commit asks again. Any other failure is the
    // file's, and the writers meet it too.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::warn("msg={} error={}", common::Quote("event store: checkpoint failed"),
                   common::Quote(sqlite3_errmsg(connection_->db())));
    }
    absl::MutexLock lock(&mu_);
    ++checkpoints_;
  }
}

}  // namespace unitclock::store::sqlite_backend

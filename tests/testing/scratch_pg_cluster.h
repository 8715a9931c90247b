#pragma once

#include <string>

#include "tests/testing/temp_dir.h"

namespace unitclock::testing {

// A PostgreSQL cluster of one test's own (scripts/pg_cluster.sh), for the
// tests that stop the server and start it again (losing the database): the
// cluster of ctest's fixture serves the tests running meanwhile. Started by
// the constructor (a second or two), stopped and removed by the destructor.
class ScratchPgCluster {
 public:
  ScratchPgCluster();
  ~ScratchPgCluster();
  ScratchPgCluster(const ScratchPgCluster&) = delete;
  ScratchPgCluster& operator=(const ScratchPgCluster&) = delete;

  // Whether the server started; the tests assert it first.
  bool started() const { return started_ && !uri_.empty(); }
  // A libpq URI of its maintenance database, "postgres".
  const std::string& uri() const { return uri_; }
  // The URI of database `name` on the same server.
  std::string DatabaseUri(const std::string& name) const;

  // Stops the server at once (pg_ctl stop -m immediate), as a crash would.
  bool Kill();
  // Starts it again on the same socket and port, and waits until it answers.
  bool Resume();

 private:
  bool Script(const std::string& command);

  TempDir tmp_;
  bool started_ = false;
  std::string uri_;
};

}  // namespace unitclock::testing

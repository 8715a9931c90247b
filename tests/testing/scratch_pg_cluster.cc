#include "tests/testing/scratch_pg_cluster.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

namespace unitclock::testing {

ScratchPgCluster::ScratchPgCluster() {
  // The cluster runs as "nobody" when the tests run as root: it must be able
  // to reach its folder, which mkdtemp made private.
  chmod(tmp_.path().c_str(), 0755);
  started_ = Script("start");
  std::ifstream file(tmp_.File("pg") + "/uri");
  std::getline(file, uri_);
}

ScratchPgCluster::~ScratchPgCluster() { Script("stop"); }

std::string ScratchPgCluster::DatabaseUri(const std::string& name) const {
  // pg_cluster.sh writes postgresql:///postgres?host=...&port=...&user=...
  std::string uri = uri_;
  const auto at = uri.find("/postgres?");
  if (at != std::string::npos) uri.replace(at, 10, "/" + name + "?");
  return uri;
}

bool ScratchPgCluster::Kill() { return Script("kill"); }

bool ScratchPgCluster::Resume() { return Script("resume"); }

bool ScratchPgCluster::Script(const std::string& command) {
  // The script's output goes to a log beside the cluster, removed with it.
  const std::string line = std::string("bash '") + UNITCLOCK_PG_CLUSTER_SCRIPT + "' " + command +
                           " '" + tmp_.File("pg") + "' >>'" + tmp_.File("script.log") + "' 2>&1";
  return std::system(line.c_str()) == 0;
}

}  // namespace unitclock::testing

// crash_safety: streams a few thousand session events to a real unitclockd
// over several concurrent PublishEvents streams, kills the daemon with SIGKILL
// at random points (seeded), restarts it on the same database and resends
// every event not yet acknowledged, as a platform does. Then it proves that
// every acknowledged event is stored exactly once, unchanged, and that the
// sessions (events and timelines) and the suggested codes equal those of a
// second daemon that received the same events without interruption.
//
// Hostile input (issue 15) rides along: some patients' references begin with
// = + - @ (valid: they must be recorded as sent), and between the events of
// some sessions go messages the daemon must refuse, acknowledged REJECTED
// with INVALID_ARGUMENT naming the field, without ending the stream or
// recording anything: references holding X12 delimiters or control
// characters, and bytes that are no decodable PublishEventsRequest (invalid
// UTF-8, a truncated event, garbage). Every stream therefore writes raw bytes
// (grpc::GenericStub); for an event they are what generated code would send.
//
// Several instances on one database (issue 17): with --instances N, N
// daemons share the crash run's database (--db: a SQLite file, the default,
// or a postgresql:// URI; --pg-cluster or --new-pg-cluster make a fresh
// PostgreSQL database). Stream w prefers instance w % N and, while it is
// down, fails over to another at once; kill i hits instance i % N; every
// instance must then see the same sessions. The uninterrupted run stays one
// daemon on SQLite, so that a PostgreSQL crash run is compared across
// backends. With --outages K, the PostgreSQL server itself is killed and
// resumed at K points while the daemons keep running: the streams must end
// UNAVAILABLE, nothing may be acknowledged meanwhile, the daemons must
// survive, report NOT_SERVING through grpc.health.v1 (--health require), and
// acknowledge again after the resume. --watchdog-race runs instead the race
// of N daemons' watchdogs for the same idle sessions: one stop each.
//
//   crash_safety [--seed N] [--first-day YYYY-MM-DD] [--kills N] [--streams N]
//                [--instances N] [--db DB] [--pg-cluster DIR | --new-pg-cluster]
//                [--outages K] [--watchdog-race] [--unitclockd PATH] [--work-dir DIR]
//                ...   (--help lists all)
//
// The daemon and policy folder default to those of the build. The first line
// printed gives the seed and first day: passing both replays the same events
// and kill points (the exact moment of a kill still depends on timing). When
// `unitclockd --help` lists --auth-file, every call carries a bearer token
// (MakeContext) and the daemon gets a token file (DaemonArgv). Exit status:
// 0 when everything matches, 1 on any mismatch or failure (each printed), 2
// on a usage or setup error.
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <openssl/evp.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "tests/crash/workload.h"
#include "tests/testing/process.h"
#include "unitclock/v1/coding.grpc.pb.h"
#include "unitclock/v1/session_service.grpc.pb.h"
#include "unitclock/v1/session_service.pb.h"

namespace unitclock::crash {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Outcome = v1::EventAcknowledgement::Outcome;

// ---------------------------------------------------------------------------
// Output

// Prints one line of the report on stdout.
void Say(const std::string& line) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::cout << "crash_safety: " << line << std::endl;
}

// Seconds since `start`, with one decimal, e.g. "12.3 s".
std::string Elapsed(Clock::time_point start) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s",
                std::chrono::duration<double>(Clock::now() - start).count());
  return text;
}

// The problems found; any makes the run fail. Thread-safe.
class Failures {
 public:
  void Add(const std::string& problem) {
    std::lock_guard<std::mutex> lock(mu_);
    if (problems_.size() < kMaxPrinted) Say("FAIL: " + problem);
    problems_.push_back(problem);
  }
  std::size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return problems_.size();
  }

 private:
  static constexpr std::size_t kMaxPrinted = 50;
  mutable std::mutex mu_;
  std::vector<std::string> problems_;
};

// ---------------------------------------------------------------------------
// Authentication: the only place that knows how calls authenticate and how
// the daemon is told about tokens.

struct Auth {
  std::string token;      // empty: calls carry no authorization metadata
  std::string auth_file;  // empty: the daemon runs without --auth-file
};

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

// True if `unitclockd --help` lists --auth-file, i.e. the daemon requires a
// bearer token on every call.
bool DaemonHasAuthFlag(const std::string& unitclockd, const std::filesystem::path& dir) {
  const std::string out = (dir / "unitclockd-help.txt").string();
  testing::Process help({unitclockd, "--help"}, out);
  help.Wait(30s);
  return testing::ReadFile(out).find("--auth-file") != std::string::npos;
}

// Writes the daemon's token file for `token` (one token of platform
// kPlatform with the platform and reviewer roles; the file holds its hash
// only) into `dir`, and returns the Auth that uses it.
Auth MakeAuth(const std::string& token, const std::filesystem::path& dir) {
  Auth auth;
  auth.token = token;
  auth.auth_file = (dir / "tokens.json").string();
  std::ofstream(auth.auth_file) << R"({"version":1,"tokens":[{"id":"crash-platform","platform":")"
                                << kPlatform << R"(","roles":["platform","reviewer"],"sha256":")"
                                << Sha256Hex(token) << "\"}]}\n";
  return auth;
}

// A fresh random token (not derived from the seed: it is a secret).
std::string RandomToken() {
  std::random_device device;
  std::string token = "crash-";
  char part[9];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(part, sizeof part, "%08x", device());
    token += part;
  }
  return token;
}

// The context of every call: a deadline, and the bearer token when set.
std::unique_ptr<grpc::ClientContext> MakeContext(const Auth& auth,
                                                 std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!auth.token.empty()) context->AddMetadata("authorization", "Bearer " + auth.token);
  return context;
}

// Where one daemon keeps its files.
struct DaemonFiles {
  std::string db;
  std::string port_file;
  std::string log;
};

// How often the watchdog scans and after how long it closes a session.
struct WatchdogTiming {
  int interval_s = 3600;
  int timeout_s = 86400;
};

// The daemon's command line. The watchdog is kept out of the way by default
// (first scan an hour after start): the sessions are days old, and a scan
// that closed a session still being streamed would rightly make the two runs
// differ.
std::vector<std::string> DaemonArgv(const std::string& unitclockd, const std::string& policy_dir,
                                    const DaemonFiles& files, const Auth& auth,
                                    WatchdogTiming watchdog = {}) {
  std::vector<std::string> argv = {unitclockd,
                                   "--listen=127.0.0.1:0",
                                   "--port-file=" + files.port_file,
                                   "--db=" + files.db,
                                   "--policy-dir=" + policy_dir,
                                   "--log-level=info",
                                   "--watchdog-interval-s=" + std::to_string(watchdog.interval_s),
                                   "--session-timeout-s=" + std::to_string(watchdog.timeout_s),
                                   "--shutdown-grace-ms=2000"};
  if (!auth.auth_file.empty()) argv.push_back("--auth-file=" + auth.auth_file);
  return argv;
}

// ---------------------------------------------------------------------------
// The daemon under test

// The pids of running daemons, for the time-limit guard (which must not
// leave daemons behind when it ends the run).
std::mutex g_pids_mu;
std::set<pid_t> g_pids;

// A channel of its own (not shared with other channels to the same target),
// so that every stream worker has its own connection.
std::shared_ptr<grpc::Channel> NewChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

// One unitclockd on one database, started, killed and restarted over the
// run. Each start is a new generation; stream workers ask for the serving
// generation's address and wait while the daemon is down. Thread-safe.
class Daemon {
 public:
  struct Endpoint {
    int generation = 0;
    std::string target;
  };

  Daemon(std::string name, std::vector<std::string> argv, DaemonFiles files)
      : name_(std::move(name)), argv_(std::move(argv)), files_(std::move(files)) {}
  ~Daemon() {
    std::lock_guard<std::mutex> lock(mu_);
    Forget();
  }

  // Starts a new process (a new generation). It is not used until
  // WaitServing says it serves.
  void Spawn() {
    std::lock_guard<std::mutex> lock(mu_);
    std::filesystem::remove(files_.port_file);
    ++generation_;
    std::ofstream(files_.log, std::ios::app)
        << "=== crash_safety: " << name_ << " generation " << generation_ << " ===\n";
    process_ = std::make_unique<testing::Process>(argv_, files_.log);
    std::lock_guard<std::mutex> pids(g_pids_mu);
    g_pids.insert(process_->pid());
  }

  // Waits for the port file of the current generation and makes it the
  // serving endpoint. False if the process ended or did not serve in time.
  bool WaitServing() {
    const std::string port = testing::WaitForFileLine(files_.port_file, 30s);
    std::lock_guard<std::mutex> lock(mu_);
    if (port.empty() || process_->Wait(0ms).has_value()) return false;
    serving_ = true;
    target_ = "127.0.0.1:" + port;
    cv_.notify_all();
    return true;
  }

  // Marks the daemon down, then kills it with SIGKILL and reaps it. Returns
  // false if it had ended by itself before (a crash of its own) or did not
  // die of the SIGKILL.
  bool Kill() {
    std::lock_guard<std::mutex> lock(mu_);
    serving_ = false;
    if (!process_ || process_->Wait(0ms).has_value()) {  // it ended by itself
      Forget();
      return false;
    }
    process_->Signal(SIGKILL);
    const std::optional<int> status = process_->Wait(20s);
    Forget();
    return status == 128 + SIGKILL;
  }

  // Stops the daemon with SIGTERM; true if it exited with status 0.
  bool Terminate() {
    std::lock_guard<std::mutex> lock(mu_);
    serving_ = false;
    if (!process_) return false;
    process_->Signal(SIGTERM);
    const std::optional<int> status = process_->Wait(30s);
    Forget();
    return status == 0;
  }

  // Blocks until some generation serves and returns it; nullopt after
  // `timeout`. A caller whose stream to generation g failed learns from the
  // result's generation whether g still serves (the failure then had another
  // cause than a kill: Kill marks the daemon down before it signals).
  std::optional<Endpoint> AwaitEndpoint(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return serving_; })) return std::nullopt;
    return Endpoint{generation_, target_};
  }

  // True if generation `generation` still serves: a stream to it that failed
  // was not ended by a kill.
  bool Serves(int generation) const {
    std::lock_guard<std::mutex> lock(mu_);
    return serving_ && generation_ == generation;
  }

  // True if the current process is still running (it may not serve yet).
  bool Running() {
    std::lock_guard<std::mutex> lock(mu_);
    return process_ && !process_->Wait(0ms).has_value();
  }

  // The serving endpoint's address (empty while down).
  std::string target() const {
    std::lock_guard<std::mutex> lock(mu_);
    return serving_ ? target_ : "";
  }

  // The daemon's whole log (all generations).
  std::string Log() const { return testing::ReadFile(files_.log); }

  // The last `lines` lines of the daemon's log (all generations).
  std::string LogTail(std::size_t lines = 30) const {
    const std::string log = Log();
    std::size_t pos = log.size();
    for (std::size_t n = 0; n <= lines && pos != std::string::npos && pos > 0; ++n) {
      pos = log.rfind('\n', pos - 1);
    }
    return pos == std::string::npos ? log : log.substr(pos + 1);
  }

  const std::string& name() const { return name_; }

 private:
  // Drops the (reaped or killed) process. Holds mu_.
  void Forget() {
    if (!process_) return;
    {
      std::lock_guard<std::mutex> pids(g_pids_mu);
      g_pids.erase(process_->pid());
    }
    process_.reset();  // SIGKILLs and reaps it if still running
  }

  const std::string name_;
  const std::vector<std::string> argv_;
  const DaemonFiles files_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<testing::Process> process_;
  int generation_ = 0;
  bool serving_ = false;
  std::string target_;
};

// The daemons of one run, all on the same database: one, or several
// instances sharing it (issue 17), each its own process.
class Instances {
 public:
  // An instance to publish through, and its serving generation.
  struct Pick {
    std::size_t instance = 0;
    Daemon::Endpoint endpoint;
  };

  void Add(std::unique_ptr<Daemon> daemon) { daemons_.push_back(std::move(daemon)); }
  std::size_t size() const { return daemons_.size(); }
  Daemon& operator[](std::size_t i) { return *daemons_[i]; }

  // Instance `preferred` if it serves; while it is down, the next one that
  // serves, at once, as a client balancing round_robin over every instance's
  // address would, instead of waiting for a restart; while none serves, the
  // first to serve again. nullopt after `timeout`.
  std::optional<Pick> Await(std::size_t preferred, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      for (std::size_t k = 0; k < daemons_.size(); ++k) {
        const std::size_t i = (preferred + k) % daemons_.size();
        if (auto endpoint = daemons_[i]->AwaitEndpoint(0ms)) return Pick{i, *endpoint};
      }
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms) return std::nullopt;
      // Woken as soon as the preferred instance serves again; the others are
      // looked at again every 50 ms.
      const auto wait =
          daemons_.size() == 1 ? left : std::min<std::chrono::milliseconds>(left, 50ms);
      if (auto endpoint = daemons_[preferred]->AwaitEndpoint(wait)) {
        return Pick{preferred, *endpoint};
      }
    }
  }

 private:
  std::vector<std::unique_ptr<Daemon>> daemons_;
};

// ---------------------------------------------------------------------------
// Publishing

// One message of a PublishEvents stream: an event of the workload, or a
// message the daemon must refuse.
struct Message {
  std::string bytes;                        // the PublishEventsRequest as written
  const v1::Event* event = nullptr;         // the event to record, or
  const RefusedMessage* refused = nullptr;  // what to refuse
  // The event_id its acknowledgement carries.
  const std::string& event_id() const { return event ? event->event_id() : refused->event_id; }
  // How the report names it.
  std::string name() const {
    if (event) return event->event_id();
    return "the message with " + refused->what + " (event_id \"" + refused->event_id + "\")";
  }
};

// What the stream workers share: counters, per-message results, and a
// condition the killer waits on. The per-message vectors are indexed by
// message number; each message belongs to one worker, the only one to touch
// its slots.
struct Progress {
  Progress(std::size_t messages, std::size_t instances)
      : sends(messages, 0),
        outcome(messages, v1::EventAcknowledgement::OUTCOME_UNSPECIFIED),
        acked_via(instances, 0),
        workers_preferring(instances, 0),
        streams_via(instances, 0),
        first_ack_since_mark(instances) {}

  std::vector<int> sends;        // how many times each message was written to a stream
  std::vector<Outcome> outcome;  // its acknowledgement (UNSPECIFIED until acknowledged)

  std::mutex mu;
  std::condition_variable cv;
  std::size_t acked = 0;    // messages acknowledged so far (guarded by mu)
  int workers_running = 0;  // stream workers not yet finished (guarded by mu)
  // Per instance (guarded by mu): acknowledgements received through it, the
  // running workers that prefer it, and the streams opened to it.
  std::vector<std::size_t> acked_via;
  std::vector<int> workers_preferring;
  std::vector<std::size_t> streams_via;
  // Per instance, when the first acknowledgement through it came since
  // MarkAcks (guarded by mu).
  std::vector<std::optional<Clock::time_point>> first_ack_since_mark;

  std::atomic<std::size_t> recorded{0};
  std::atomic<std::size_t> already_recorded{0};
  std::atomic<std::size_t> rejected{0};  // events rejected (each a failure)
  std::atomic<std::size_t> refused{0};   // messages to refuse, refused as they must be
  std::atomic<std::size_t> resends{0};
  std::atomic<std::size_t> streams_opened{0};
  std::atomic<std::size_t> stream_failures{0};      // streams that ended before their work was done
  std::atomic<std::size_t> unexpected_failures{0};  // ... neither by a kill nor by an outage
  std::atomic<std::size_t> failovers{0};  // streams opened to an instance other than the preferred
  std::mutex codes_mu;
  std::map<std::string, int> failure_codes;  // status code name -> count

  // Database outages: how many began, and whether one goes on (from before
  // the database is killed until every instance acknowledges again). A stream
  // that broke while its daemon still served, during an outage or opened
  // before one began, broke because of it.
  std::atomic<int> outages_begun{0};
  std::atomic<bool> outage_active{false};
  std::atomic<std::size_t> outage_failures{0};  // streams broken by an outage
  std::map<std::string, int> outage_codes;      // their status codes (guarded by codes_mu)

  // Counts one acknowledgement received through `instance` and wakes the
  // killer.
  void Acked(std::size_t instance) {
    std::lock_guard<std::mutex> lock(mu);
    ++acked;
    ++acked_via[instance];
    if (!first_ack_since_mark[instance]) first_ack_since_mark[instance] = Clock::now();
    cv.notify_all();
  }

  // Forgets the first acknowledgements seen so far.
  void MarkAcks() {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& at : first_ack_since_mark) at.reset();
  }

  // Counts a worker that has finished (or given up) and wakes the killer.
  void WorkerDone(std::size_t preferred) {
    std::lock_guard<std::mutex> lock(mu);
    --workers_running;
    --workers_preferring[preferred];
    cv.notify_all();
  }

  void StreamOpened(std::size_t instance) {
    std::lock_guard<std::mutex> lock(mu);
    ++streams_via[instance];
  }

  std::size_t acked_now() {
    std::lock_guard<std::mutex> lock(mu);
    return acked;
  }
};

// The name of a gRPC status code, e.g. "UNAVAILABLE" (gRPC's codes are
// Abseil's).
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// A PublishEvents stream that writes each request's bytes as they are
// (grpc::GenericStub), as no client library would for the undecodable ones.
// One operation at a time, each waited for; the context's deadline bounds
// them all.
class RawPublishStream {
 public:
  RawPublishStream(const std::string& target, const Auth& auth)
      : stub_(NewChannel(target)), context_(MakeContext(auth, 120s)) {
    call_ = stub_.PrepareCall(context_.get(), "/unitclock.v1.SessionService/PublishEvents", &cq_);
    call_->StartCall(this);
    if (!Wait()) writing_ = reading_ = false;
  }
  ~RawPublishStream() {
    if (!finished_) context_->TryCancel();
    call_.reset();
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  // False once a write failed (the stream is broken).
  bool Write(const std::string& bytes) {
    if (!writing_) return false;
    grpc::Slice slice(bytes);
    out_ = grpc::ByteBuffer(&slice, 1);
    call_->Write(out_, this);
    return writing_ = Wait();
  }
  // False at the end of the stream or once a read failed, and if the bytes
  // read are no PublishEventsResponse. After a failed write, the
  // acknowledgements already received can still be read.
  bool Read(v1::PublishEventsResponse& response) {
    if (!reading_) return false;
    grpc::ByteBuffer in;
    call_->Read(&in, this);
    if (!(reading_ = Wait())) return false;
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (!in.Dump(&slices).ok()) return false;
    for (const grpc::Slice& slice : slices) {
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    return response.ParseFromString(bytes);
  }
  void WritesDone() {
    if (!writing_) return;
    call_->WritesDone(this);
    Wait();
    writing_ = false;
  }
  grpc::Status Finish() {
    grpc::Status status;
    call_->Finish(&status, this);
    Wait();
    finished_ = true;
    return status;
  }

 private:
  // Waits for the operation in progress; false if it failed.
  bool Wait() {
    void* tag = nullptr;
    bool ok = false;
    return cq_.Next(&tag, &ok) && ok;
  }

  grpc::GenericStub stub_;
  std::unique_ptr<grpc::ClientContext> context_;
  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  grpc::ByteBuffer out_;
  bool writing_ = true;
  bool reading_ = true;
  bool finished_ = false;
};

// One platform connection: sends its messages over PublishEvents, at most
// `window` unacknowledged at a time, and matches every acknowledgement to
// the oldest unacknowledged message (acknowledgements come in order). When
// the stream breaks it resends every message without an acknowledgement,
// with the same ids, on a new stream: to its preferred instance if that one
// serves, else to another that does, else to the first to serve again.
class StreamWorker {
 public:
  StreamWorker(int number, Instances& instances, std::size_t preferred, const Auth& auth,
               const std::vector<Message>& messages, std::vector<std::size_t> mine,
               std::size_t window, Progress& progress, Failures& failures)
      : number_(number),
        instances_(instances),
        preferred_(preferred),
        auth_(auth),
        messages_(messages),
        mine_(std::move(mine)),
        window_(window),
        progress_(progress),
        failures_(failures) {}

  // Runs until every message of this worker is acknowledged, or gives up
  // (reported as a failure) when the daemons stay down.
  void Run() {
    while (next_ack_ < mine_.size()) {
      const std::optional<Instances::Pick> pick = instances_.Await(preferred_, 60s);
      if (!pick) {
        failures_.Add("stream " + std::to_string(number_) + ": " +
                      (instances_.size() == 1 ? instances_[0].name() + " did not serve"
                                              : "no instance served") +
                      " again within 60 s");
        return;
      }
      if (pick->instance != preferred_) ++progress_.failovers;
      if (RunStream(*pick)) continue;
      // A kill marks its daemon down before it signals: a stream to a
      // generation still serving broke for another cause, an outage of the
      // database or something unexpected. Count it, then retry like a
      // client would, a little later.
      if (!instances_[pick->instance].Serves(pick->endpoint.generation)) continue;
      if (!outage_) ++progress_.unexpected_failures;
      std::this_thread::sleep_for(100ms);
    }
  }

 private:
  // One PublishEvents stream. True when every message got its
  // acknowledgement; false when the stream broke first (then outage_ says
  // whether an outage of the database may have broken it).
  bool RunStream(const Instances::Pick& pick) {
    const int outages_at_open = progress_.outages_begun;
    instance_ = pick.instance;
    auto stream = std::make_unique<RawPublishStream>(pick.endpoint.target, auth_);
    ++progress_.streams_opened;
    progress_.StreamOpened(pick.instance);
    std::size_t next_send = next_ack_;  // every unacknowledged message is sent (again)
    bool broken = false;
    v1::PublishEventsResponse response;
    while (next_ack_ < mine_.size() && !broken) {
      while (next_send < mine_.size() && next_send - next_ack_ < window_) {
        const std::size_t e = mine_[next_send];
        if (!stream->Write(messages_[e].bytes)) {
          broken = true;
          break;
        }
        if (progress_.sends[e]++ > 0) ++progress_.resends;
        ++next_send;
      }
      if (broken) break;
      if (!stream->Read(response)) {
        broken = true;
        break;
      }
      TakeAck(response.acknowledgement());
    }
    if (!broken) {
      stream->WritesDone();
      while (stream->Read(response)) {
        failures_.Add("stream " + std::to_string(number_) + ": acknowledgement of " +
                      response.acknowledgement().event_id() + " after the last event");
      }
      stream->Finish();  // every event is acknowledged; how the stream ended is moot
      return true;
    }
    // Acknowledgements already on their way are still good. The stream is
    // over (a write or a read failed), so the reads end soon; the deadline
    // bounds them anyway.
    while (stream->Read(response)) {
      if (next_ack_ < next_send) {
        TakeAck(response.acknowledgement());
      } else {
        failures_.Add("stream " + std::to_string(number_) + ": acknowledgement of " +
                      response.acknowledgement().event_id() + ", which was not sent");
      }
    }
    const grpc::Status status = stream->Finish();
    outage_ = progress_.outage_active || progress_.outages_begun != outages_at_open;
    const bool killed = !instances_[pick.instance].Serves(pick.endpoint.generation);
    ++progress_.stream_failures;
    std::lock_guard<std::mutex> lock(progress_.codes_mu);
    ++progress_.failure_codes[CodeName(status.error_code())];
    if (outage_ && !killed) {
      ++progress_.outage_failures;
      ++progress_.outage_codes[CodeName(status.error_code())];
    }
    return false;
  }

  // Matches one acknowledgement to the oldest unacknowledged message.
  void TakeAck(const v1::EventAcknowledgement& ack) {
    const std::size_t e = mine_[next_ack_];
    const Message& message = messages_[e];
    if (ack.event_id() != message.event_id()) {
      failures_.Add("stream " + std::to_string(number_) + ": acknowledgement of \"" +
                    ack.event_id() + "\" where " + message.name() + " was expected (out of order)");
    }
    if (message.refused) {
      TakeRefusal(ack, *message.refused);
    } else {
      switch (ack.outcome()) {
        case v1::EventAcknowledgement::OUTCOME_RECORDED:
          ++progress_.recorded;
          break;
        case v1::EventAcknowledgement::OUTCOME_ALREADY_RECORDED:
          ++progress_.already_recorded;
          // Only a resend may find its event stored: every id is new.
          if (progress_.sends[e] < 2) {
            failures_.Add(message.name() + " was sent once but acknowledged ALREADY_RECORDED");
          }
          break;
        default:
          ++progress_.rejected;
          failures_.Add(message.name() + " acknowledged " +
                        v1::EventAcknowledgement::Outcome_Name(ack.outcome()) + " (code " +
                        std::to_string(ack.error_code()) + "): " + ack.error_message());
      }
    }
    progress_.outcome[e] = ack.outcome();
    ++next_ack_;
    progress_.Acked(instance_);
  }

  // A message to refuse: REJECTED, INVALID_ARGUMENT, naming the field.
  void TakeRefusal(const v1::EventAcknowledgement& ack, const RefusedMessage& refused) {
    const bool as_it_must = ack.outcome() == v1::EventAcknowledgement::OUTCOME_REJECTED &&
                            ack.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
                            ack.error_message().starts_with(refused.error_prefix);
    if (as_it_must) {
      ++progress_.refused;
      return;
    }
    failures_.Add(refused.what + " (event_id \"" + refused.event_id + "\") acknowledged " +
                  v1::EventAcknowledgement::Outcome_Name(ack.outcome()) + " (code " +
                  std::to_string(ack.error_code()) + "): \"" + ack.error_message() +
                  "\"; expected REJECTED, INVALID_ARGUMENT, \"" + refused.error_prefix + "...\"");
  }

  const int number_;
  Instances& instances_;
  const std::size_t preferred_;  // the instance this worker publishes through while it serves
  const Auth& auth_;
  const std::vector<Message>& messages_;
  const std::vector<std::size_t> mine_;  // message numbers, in sending order
  const std::size_t window_;
  Progress& progress_;
  Failures& failures_;
  std::size_t next_ack_ = 0;  // index in mine_ of the oldest unacknowledged message
  std::size_t instance_ = 0;  // the instance of the current stream
  bool outage_ = false;       // the last stream may have broken because of an outage
};

// Every message of the workload: its events, numbered session after
// session, then the messages to refuse.
std::vector<Message> MakeMessages(const Workload& workload) {
  std::vector<Message> messages;
  for (const GeneratedSession& s : workload.sessions) {
    for (const v1::Event& e : s.events) {
      v1::PublishEventsRequest request;
      *request.mutable_event() = e;
      messages.push_back({request.SerializeAsString(), &e, nullptr});
    }
  }
  for (const RefusedMessage& r : workload.refused) messages.push_back({r.bytes, nullptr, &r});
  return messages;
}

// Starts `streams` workers on `instances` (worker w, from 0, prefers
// instance w % instances), each with every `streams`-th session (session
// after session, each session's events in time order, the messages to refuse
// among them), and returns their threads.
std::vector<std::thread> StartWorkers(std::vector<std::unique_ptr<StreamWorker>>& workers,
                                      Instances& instances, const Auth& auth,
                                      const Workload& workload,
                                      const std::vector<Message>& messages, int streams,
                                      std::size_t window, Progress& progress, Failures& failures) {
  // Refused message numbers by (session, event number) they follow.
  std::multimap<std::pair<std::size_t, std::size_t>, std::size_t> refused_after;
  for (std::size_t r = 0; r < workload.refused.size(); ++r) {
    refused_after.emplace(std::make_pair(workload.refused[r].session, workload.refused[r].after),
                          workload.event_count + r);
  }
  std::vector<std::vector<std::size_t>> per_stream(streams);
  std::size_t e = 0;
  for (std::size_t s = 0; s < workload.sessions.size(); ++s) {
    for (std::size_t i = 0; i < workload.sessions[s].events.size(); ++i) {
      per_stream[s % streams].push_back(e++);
      const auto [from, to] = refused_after.equal_range({s, i});
      for (auto it = from; it != to; ++it) per_stream[s % streams].push_back(it->second);
    }
  }
  {
    std::lock_guard<std::mutex> lock(progress.mu);
    progress.workers_running = streams;
    for (int w = 0; w < streams; ++w) ++progress.workers_preferring[w % instances.size()];
  }
  std::vector<std::thread> threads;
  for (int w = 0; w < streams; ++w) {
    const std::size_t preferred = w % instances.size();
    workers.push_back(std::make_unique<StreamWorker>(w + 1, instances, preferred, auth, messages,
                                                     std::move(per_stream[w]), window, progress,
                                                     failures));
    threads.emplace_back([worker = workers.back().get(), &progress, preferred] {
      worker->Run();
      progress.WorkerDone(preferred);
    });
  }
  return threads;
}

// ---------------------------------------------------------------------------
// Kills

// One planned kill: once `after_acks` events are acknowledged, wait
// `delay_ms` more (the streams go on), then SIGKILL. If `startup_kill_ms` is
// set, the restart is itself killed that long after it was spawned (before
// or after it serves), and the daemon restarted again.
struct KillPoint {
  std::size_t after_acks = 0;
  int delay_ms = 0;
  std::optional<int> startup_kill_ms;
};

// The kills of a run.
struct KillPlan {
  // If set, the very first start, on the fresh database, is killed this long
  // after it was spawned (while it creates the schema, or just after).
  std::optional<int> first_start_kill_ms;
  std::vector<KillPoint> points;  // in increasing after_acks
};

// `kills` kill points at seeded random acknowledgement counts between 2% and
// 92% of `events`, increasing; now and then a kill of the first start.
KillPlan PlanKills(std::uint64_t seed, int kills, std::size_t events) {
  Rng rng(seed ^ 0x6b696c6c706c616eULL);  // independent of the workload's stream
  KillPlan kill_plan;
  if (rng.Chance(50)) kill_plan.first_start_kill_ms = static_cast<int>(rng.Uniform(0, 250));
  std::vector<KillPoint>& plan = kill_plan.points;
  plan.resize(kills);
  const std::int64_t lo = static_cast<std::int64_t>(events) * 2 / 100 + 1;
  const std::int64_t hi = std::max<std::int64_t>(lo, static_cast<std::int64_t>(events) * 92 / 100);
  for (KillPoint& k : plan) {
    k.after_acks = static_cast<std::size_t>(rng.Uniform(lo, hi));
    k.delay_ms = static_cast<int>(rng.Uniform(0, 80));
    if (rng.Chance(30)) k.startup_kill_ms = static_cast<int>(rng.Uniform(0, 250));
  }
  std::sort(plan.begin(), plan.end(),
            [](const KillPoint& a, const KillPoint& b) { return a.after_acks < b.after_acks; });
  return kill_plan;
}

// ---------------------------------------------------------------------------
// Database outages (PostgreSQL only): the server killed and resumed while the
// daemons keep running

// One planned outage: once `after_acks` events are acknowledged.
struct OutagePoint {
  std::size_t after_acks = 0;
};

// `outages` outage points at seeded random acknowledgement counts between 5%
// and 85% of `events` (streams still run then), increasing. From a random
// stream of their own: the kill plan of a seed is the same with or without
// outages.
std::vector<OutagePoint> PlanOutages(std::uint64_t seed, int outages, std::size_t events) {
  Rng rng(seed ^ 0x6f7574616765706cULL);
  std::vector<OutagePoint> plan(outages);
  const std::int64_t lo = static_cast<std::int64_t>(events) * 5 / 100 + 1;
  const std::int64_t hi = std::max<std::int64_t>(lo, static_cast<std::int64_t>(events) * 85 / 100);
  for (OutagePoint& o : plan) o.after_acks = static_cast<std::size_t>(rng.Uniform(lo, hi));
  std::sort(plan.begin(), plan.end(),
            [](const OutagePoint& a, const OutagePoint& b) { return a.after_acks < b.after_acks; });
  return plan;
}

// Runs `argv` to its end (at most `timeout`), its output appended to `log`
// after a line naming it; true if it exited with status 0.
bool RunCommand(const std::vector<std::string>& argv, const std::string& log,
                std::chrono::seconds timeout) {
  {
    std::ofstream out(log, std::ios::app);
    out << "=== crash_safety:";
    for (const std::string& a : argv) out << ' ' << a;
    out << " ===\n";
  }
  testing::Process process(argv, log);
  return process.Wait(timeout) == 0;
}

// A PostgreSQL cluster of scripts/pg_cluster.sh (its folder holds `uri`, a
// libpq URI of its "postgres" database), and where the script's output goes.
struct PgCluster {
  std::string script;
  std::string dir;
  std::string log;

  // `pg_cluster.sh command dir`; true if it succeeded.
  bool Run(const std::string& command) const {
    return RunCommand({"/bin/bash", script, command, dir}, log, 120s);
  }
  // The last lines of the script's output, for a failure.
  std::string LogTail() const {
    const std::string text = testing::ReadFile(log);
    return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
  }
};

// What grpc.health.v1.Health/Check answered: the call's status and, if it
// succeeded, the serving status (1 SERVING, 2 NOT_SERVING, 0 UNKNOWN).
struct HealthAnswer {
  grpc::Status status;
  int serving_status = 0;

  std::string Text() const {
    if (!status.ok()) return CodeName(status.error_code());
    switch (serving_status) {
      case 1:
        return "SERVING";
      case 2:
        return "NOT_SERVING";
      case 3:
        return "SERVICE_UNKNOWN";
      default:
        return "UNKNOWN";
    }
  }
};

// Reads field 1 (a varint: the enum status) of a HealthCheckResponse in
// `bytes`; 0 if absent (proto3's default, UNKNOWN) and -1 if the bytes do not
// parse. By hand, so that the test needs no health.proto of its own.
int DecodeHealthStatus(const std::string& bytes) {
  std::size_t pos = 0;
  const auto varint = [&](std::uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && pos < bytes.size(); shift += 7) {
      const auto byte = static_cast<unsigned char>(bytes[pos++]);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  };
  int status = 0;
  while (pos < bytes.size()) {
    std::uint64_t tag = 0, value = 0;
    if (!varint(tag)) return -1;
    switch (tag & 7) {
      case 0:  // varint
        if (!varint(value)) return -1;
        if (tag >> 3 == 1) status = static_cast<int>(value);
        break;
      case 1:  // 64-bit
        pos += 8;
        break;
      case 2:  // length-delimited
        if (!varint(value) || value > bytes.size() - pos) return -1;
        pos += value;
        break;
      case 5:  // 32-bit
        pos += 4;
        break;
      default:
        return -1;
    }
    if (pos > bytes.size()) return -1;
  }
  return status;
}

// Asks a daemon's standard health service about the server as a whole
// (service ""), as a load balancer or orchestrator would, over a channel of
// its own, with a generic call: the request, a HealthCheckRequest with an
// empty service, is no bytes at all.
class HealthChecker {
 public:
  HealthChecker(const std::string& target, const Auth& auth)
      : stub_(NewChannel(target)), auth_(auth) {}

  HealthAnswer Check() {
    grpc::CompletionQueue cq;
    auto context = MakeContext(auth_, 1s);
    grpc::Slice empty(std::string{});
    const grpc::ByteBuffer request(&empty, 1);
    auto call = stub_.PrepareUnaryCall(context.get(), "/grpc.health.v1.Health/Check", request, &cq);
    call->StartCall();
    grpc::ByteBuffer response;
    HealthAnswer answer;
    call->Finish(&response, &answer.status, this);
    void* tag = nullptr;
    bool ok = false;
    cq.Next(&tag, &ok);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    if (!answer.status.ok()) return answer;
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (response.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
    }
    answer.serving_status = DecodeHealthStatus(bytes);
    if (answer.serving_status < 0) {
      answer.status = grpc::Status(grpc::StatusCode::INTERNAL, "undecodable HealthCheckResponse");
    }
    return answer;
  }

 private:
  grpc::GenericStub stub_;
  const Auth& auth_;
};

// How the outages of a run went.
struct OutageFigures {
  int outages = 0;
  std::size_t acks_while_down = 0;
  // Per outage: from the resume until every instance with streams left had
  // acknowledged again.
  std::vector<long> recovery_ms;
};

// Milliseconds from `from` to `to`.
long Ms(Clock::time_point from, Clock::time_point to) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count());
}

// One outage: kills the database server while the streams go on and keeps it
// down at least 2 s (up to 3 s while some daemon has not yet reported
// NOT_SERVING), then resumes it and waits until every instance that still has
// streams acknowledges again and reports SERVING. Meanwhile the daemons must
// keep running, acknowledge nothing (nothing can be stored), and, with
// `require_health`, report NOT_SERVING.
void Outage(int number, Instances& instances, const Auth& auth, const PgCluster& cluster,
            bool require_health, Progress& progress, Failures& failures, OutageFigures& figures) {
  const std::string label = "outage " + std::to_string(number);
  const std::size_t n = instances.size();
  const std::size_t failures_before = progress.outage_failures;
  const std::size_t acked_before = progress.acked_now();
  progress.outage_active = true;
  ++progress.outages_begun;
  ++figures.outages;
  if (!cluster.Run("kill")) {
    failures.Add(label + ": pg_cluster.sh kill failed:\n" + cluster.LogTail());
  }
  const auto killed = Clock::now();

  // While the database is down. An acknowledgement on its way when the
  // server died may still arrive; after half a second none may.
  std::vector<std::unique_ptr<HealthChecker>> checkers;
  for (std::size_t k = 0; k < n; ++k) {
    checkers.push_back(std::make_unique<HealthChecker>(instances[k].target(), auth));
  }
  std::vector<std::optional<long>> not_serving_ms(n);
  std::vector<std::set<std::string>> seen(n);
  std::optional<std::size_t> acked_at_grace;
  while (true) {
    const auto elapsed = Clock::now() - killed;
    if (!acked_at_grace && elapsed >= 500ms) acked_at_grace = progress.acked_now();
    bool all_not_serving = true;
    for (std::size_t k = 0; k < n; ++k) {
      if (not_serving_ms[k]) continue;
      const HealthAnswer answer = checkers[k]->Check();
      seen[k].insert(answer.Text());
      if (answer.status.ok() && answer.serving_status == 2) {
        not_serving_ms[k] = Ms(killed, Clock::now());
      } else {
        all_not_serving = false;
      }
    }
    if (elapsed >= 3s || (elapsed >= 2s && all_not_serving)) break;
    std::this_thread::sleep_for(200ms);
  }
  const std::size_t acked_at_resume = progress.acked_now();
  const std::size_t acks_while_down = acked_at_resume - acked_at_grace.value_or(acked_at_resume);
  figures.acks_while_down += acks_while_down;
  if (acks_while_down > 0) {
    failures.Add(label + ": " + std::to_string(acks_while_down) +
                 " acknowledgements came while the database was down (nothing could be stored)");
  }
  const long down_ms = Ms(killed, Clock::now());
  std::string health_text;
  for (std::size_t k = 0; k < n; ++k) {
    if (!instances[k].Running()) {
      failures.Add(label + ": " + instances[k].name() +
                   " ended while the database was down; log:\n" + instances[k].LogTail());
    }
    std::string seen_text;
    for (const std::string& text : seen[k]) seen_text += (seen_text.empty() ? "" : "/") + text;
    health_text +=
        (k == 0 ? "" : ", ") + instances[k].name() + " " +
        (not_serving_ms[k] ? "NOT_SERVING after " + std::to_string(*not_serving_ms[k]) + " ms"
                           : "never NOT_SERVING (" + seen_text + ")");
    if (require_health && !not_serving_ms[k]) {
      failures.Add(label + ": " + instances[k].name() + " did not report NOT_SERVING within " +
                   std::to_string(down_ms) + " ms of the database going down (it said " +
                   seen_text + ")");
    }
  }

  // After resume: the first acknowledgement through each instance that still
  // has workers preferring it (they all came back to their preferred one when
  // the outage broke their streams), and its health, until SERVING.
  // Timed from the start of the resume: the daemons may reconnect before
  // pg_cluster.sh has seen the server ready and returned.
  progress.MarkAcks();
  const auto resumed = Clock::now();
  if (!cluster.Run("resume")) {
    failures.Add(label + ": pg_cluster.sh resume failed:\n" + cluster.LogTail());
  }
  const long resume_ms = Ms(resumed, Clock::now());
  std::vector<std::optional<long>> acked_again_ms(n);
  std::vector<std::optional<long>> serving_ms(n);
  std::vector<HealthAnswer> last_health(n);
  bool all_acked = false;
  while (true) {
    all_acked = true;
    {
      std::lock_guard<std::mutex> lock(progress.mu);
      for (std::size_t k = 0; k < n; ++k) {
        if (progress.first_ack_since_mark[k]) {
          acked_again_ms[k] = Ms(resumed, *progress.first_ack_since_mark[k]);
        }
        all_acked = all_acked && (acked_again_ms[k] || progress.workers_preferring[k] == 0);
      }
    }
    // Health is waited for until SERVING when required, else only while
    // the acknowledgements are awaited, and not at all without the service.
    bool health_done = true;
    for (std::size_t k = 0; k < n; ++k) {
      if (serving_ms[k] || last_health[k].status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
        continue;
      }
      last_health[k] = checkers[k]->Check();
      if (last_health[k].status.ok() && last_health[k].serving_status == 1) {
        serving_ms[k] = Ms(resumed, Clock::now());
      } else {
        health_done = health_done && !require_health;
      }
    }
    const auto elapsed = Clock::now() - resumed;
    if ((all_acked || elapsed >= 30s) && (health_done || elapsed >= 10s)) break;
    std::this_thread::sleep_for(20ms);
  }
  std::optional<long> recovery_ms;
  std::string acked_text;
  std::string serving_text;
  for (std::size_t k = 0; k < n; ++k) {
    if (acked_again_ms[k]) {
      recovery_ms = std::max(recovery_ms.value_or(*acked_again_ms[k]), *acked_again_ms[k]);
    }
    acked_text += (k == 0 ? "" : ", ") + instances[k].name() + " " +
                  (acked_again_ms[k] ? std::to_string(*acked_again_ms[k]) + " ms"
                                     : std::string("no stream left"));
    serving_text += (k == 0 ? "" : ", ") + (serving_ms[k] ? std::to_string(*serving_ms[k]) + " ms"
                                                          : last_health[k].Text());
    if (!serving_ms[k] && require_health) {
      failures.Add(label + ": " + instances[k].name() +
                   " did not report SERVING within 10 s of the database resuming (it said " +
                   last_health[k].Text() + ")");
    }
    if (!instances[k].Running()) {
      failures.Add(label + ": " + instances[k].name() +
                   " ended after the database resumed; log:\n" + instances[k].LogTail());
    }
  }
  if (!all_acked) {
    failures.Add(label + ": not every instance acknowledged again within 30 s of resume (" +
                 acked_text + ")");
  }
  if (recovery_ms) figures.recovery_ms.push_back(*recovery_ms);
  bool running = true;
  for (std::size_t k = 0; k < n; ++k) running = running && instances[k].Running();
  progress.outage_active = false;
  Say(label + " at " + std::to_string(acked_before) + " acknowledged: database down " +
      std::to_string(down_ms) + " ms, " +
      std::to_string(progress.outage_failures - failures_before) + " streams broken, " +
      std::to_string(acks_while_down) + " acknowledgements while down; health while down: " +
      health_text + "; daemons " + (running ? "still running" : "NOT all running") +
      "; resumed in " + std::to_string(resume_ms) + " ms; from the start of the resume, " +
      "acknowledging again after " + acked_text + ", SERVING after " + serving_text);
}

// ---------------------------------------------------------------------------
// Reading back

// Reads what a daemon holds, through a channel of its own.
class Reader {
 public:
  Reader(const std::string& target, const Auth& auth)
      : channel_(NewChannel(target)),
        sessions_(v1::SessionService::NewStub(channel_)),
        coding_(v1::CodingService::NewStub(channel_)),
        auth_(auth) {}

  // Every session (SESSION_VIEW_BASIC), by ListSessions page by page.
  grpc::Status ListSessions(std::vector<v1::Session>& sessions) {
    v1::ListSessionsRequest request;
    request.set_page_size(1000);
    request.set_view(v1::SESSION_VIEW_BASIC);
    do {
      v1::ListSessionsResponse response;
      grpc::Status status =
          sessions_->ListSessions(MakeContext(auth_, 30s).get(), request, &response);
      if (!status.ok()) return status;
      for (const v1::Session& s : response.sessions()) sessions.push_back(s);
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return grpc::Status::OK;
  }

  // Every session id, by ListSessions page by page.
  grpc::Status ListSessionIds(std::vector<std::string>& ids) {
    std::vector<v1::Session> sessions;
    const grpc::Status status = ListSessions(sessions);
    for (const v1::Session& s : sessions) ids.push_back(s.session_id());
    return status;
  }

  // One session with its events and timeline (SESSION_VIEW_FULL).
  grpc::Status GetSession(const std::string& session_id, v1::Session& session) {
    v1::GetSessionRequest request;
    request.set_name("sessions/" + session_id);
    request.set_view(v1::SESSION_VIEW_FULL);
    return sessions_->GetSession(MakeContext(auth_, 30s).get(), request, &session);
  }

  grpc::Status SuggestCodes(const v1::SuggestCodesRequest& request,
                            v1::SuggestCodesResponse& response) {
    return coding_->SuggestCodes(MakeContext(auth_, 30s).get(), request, &response);
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SessionService::Stub> sessions_;
  std::unique_ptr<v1::CodingService::Stub> coding_;
  const Auth& auth_;
};

// "" if equal, else what differs (shortened).
std::string Diff(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  std::string report;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  if (differencer.Compare(a, b)) return "";
  if (report.size() > 1500) report = report.substr(0, 1500) + "...";
  return report.empty() ? "(differs)" : report;
}

std::string StatusText(const grpc::Status& status) {
  return CodeName(status.error_code()) + " " + status.error_message();
}

// Check (a): every event sent is stored exactly once and unchanged, in the
// session it was sent for, and no other session or event exists. Fills
// `sessions` (session id -> Session, FULL view) for check (b).
void CheckExactlyOnce(Reader& reader, const Workload& workload,
                      std::map<std::string, v1::Session>& sessions, Failures& failures,
                      std::size_t& found, std::size_t& formula_sessions) {
  std::vector<std::string> listed;
  grpc::Status status = reader.ListSessionIds(listed);
  if (!status.ok()) return failures.Add("ListSessions: " + StatusText(status));
  std::set<std::string> expected;
  for (const GeneratedSession& s : workload.sessions) expected.insert(s.session_id);
  const std::set<std::string> listed_set(listed.begin(), listed.end());
  if (listed_set.size() != listed.size()) failures.Add("ListSessions lists a session twice");
  for (const std::string& id : listed_set) {
    if (!expected.count(id)) failures.Add("session " + id + " exists but was never sent");
  }

  std::map<std::string, int> seen;  // event id -> times found
  found = 0;
  formula_sessions = 0;
  for (const GeneratedSession& sent : workload.sessions) {
    if (!listed_set.count(sent.session_id)) {
      failures.Add("session " + sent.session_id + " is missing from ListSessions");
    }
    v1::Session& session = sessions[sent.session_id];
    status = reader.GetSession(sent.session_id, session);
    if (!status.ok()) {
      failures.Add("GetSession " + sent.session_id + ": " + StatusText(status));
      continue;
    }
    std::map<std::string, const v1::Event*> by_id;
    for (const v1::Event& e : sent.events) by_id[e.event_id()] = &e;
    for (const v1::Event& e : session.events()) {
      ++found;
      if (++seen[e.event_id()] == 2) failures.Add("event " + e.event_id() + " stored twice");
      auto it = by_id.find(e.event_id());
      if (it == by_id.end()) {
        failures.Add("session " + sent.session_id + " holds event " + e.event_id() +
                     ", never sent for it");
      } else if (std::string d = Diff(*it->second, e); !d.empty()) {
        failures.Add("event " + e.event_id() + " differs from the one sent: " + d);
      }
    }
    for (const v1::Event& e : sent.events) {
      if (!seen.count(e.event_id())) failures.Add("event " + e.event_id() + " is missing");
    }
    // References that look like formulas are recorded as they were sent.
    if (StartsLikeAFormula(sent.patient_ref)) {
      const auto started = std::find_if(session.events().begin(), session.events().end(),
                                        [](const v1::Event& e) { return e.has_session_started(); });
      if (started != session.events().end() &&
          started->session_started().patient_ref() == sent.patient_ref &&
          started->session_started().provider_ref() == sent.provider_ref) {
        ++formula_sessions;
      } else {
        failures.Add("session " + sent.session_id +
                     ": its references that look like formulas are not stored as sent");
      }
    }
    if (session.event_count() != static_cast<std::int64_t>(sent.events.size())) {
      failures.Add("session " + sent.session_id + " has event_count " +
                   std::to_string(session.event_count()) + ", " +
                   std::to_string(sent.events.size()) + " were sent");
    }
    if (session.state() != v1::Session::STATE_STOPPED) {
      failures.Add("session " + sent.session_id + " is not stopped");
    }
  }
  // Nothing of a refused message is stored (its session is one of the
  // workload's: an event of it would be in `seen`).
  for (const RefusedMessage& r : workload.refused) {
    if (!r.event_id.empty() && seen.count(r.event_id)) {
      failures.Add("the message with " + r.what + " (event_id " + r.event_id + ") was stored");
    }
  }
  if (formula_sessions != workload.csv_injection_sessions) {
    failures.Add(std::to_string(formula_sessions) + " of " +
                 std::to_string(workload.csv_injection_sessions) +
                 " sessions with references that look like formulas found as sent");
  }
}

// Reads every session of `sessions` (what `first_name` answered, FULL view)
// and the list of sessions through `other`, another instance on the same
// database, which must answer alike. Returns the events it read.
std::size_t CompareInstances(Reader& first, Reader& other, const std::string& first_name,
                             const std::string& other_name,
                             const std::map<std::string, v1::Session>& sessions,
                             Failures& failures) {
  std::vector<std::string> first_ids, other_ids;
  const grpc::Status first_status = first.ListSessionIds(first_ids);
  const grpc::Status other_status = other.ListSessionIds(other_ids);
  if (!first_status.ok() || !other_status.ok()) {
    failures.Add("ListSessions: through " + first_name + " " + StatusText(first_status) +
                 ", through " + other_name + " " + StatusText(other_status));
  } else if (first_ids != other_ids) {
    failures.Add("ListSessions through " + other_name + " lists " +
                 std::to_string(other_ids.size()) + " sessions, through " + first_name + " " +
                 std::to_string(first_ids.size()) + ", or in another order");
  }
  std::size_t events = 0;
  for (const auto& [id, session] : sessions) {
    v1::Session seen;
    const grpc::Status status = other.GetSession(id, seen);
    if (!status.ok()) {
      failures.Add("GetSession " + id + " through " + other_name + ": " + StatusText(status));
      continue;
    }
    events += seen.events_size();
    if (std::string d = Diff(session, seen); !d.empty()) {
      failures.Add("session " + id + " through " + other_name + " differs from what " + first_name +
                   " answered: " + d);
    }
  }
  return events;
}

// Figures of the suggestions compared, to show the comparison was not empty.
struct SuggestionFigures {
  std::size_t requests = 0;
  std::size_t suggestions = 0;
  std::size_t lines = 0;
  std::size_t units = 0;
};

// Asks both daemons for the same suggestion and compares the answers.
void CompareSuggestion(Reader& crashed, Reader& reference, const v1::SuggestCodesRequest& request,
                       const std::string& what, SuggestionFigures& figures, Failures& failures) {
  v1::SuggestCodesResponse a, b;
  const grpc::Status sa = crashed.SuggestCodes(request, a);
  const grpc::Status sb = reference.SuggestCodes(request, b);
  ++figures.requests;
  if (!sa.ok() || !sb.ok()) {
    return failures.Add("SuggestCodes " + what + ": crash run " + StatusText(sa) +
                        ", uninterrupted run " + StatusText(sb));
  }
  if (std::string d = Diff(a, b); !d.empty()) {
    return failures.Add("SuggestCodes " + what + " differs from the uninterrupted run: " + d);
  }
  for (const v1::Suggestion& s : a.suggestions()) {
    ++figures.suggestions;
    for (const v1::SuggestedLine& line : s.lines()) {
      ++figures.lines;
      figures.units += line.units();
    }
  }
}

// Check (b): the sessions (events, summary and timeline) and the suggested
// codes of every patient-day and of every session are the same on both
// daemons.
SuggestionFigures CompareWithReference(Reader& crashed, Reader& reference, const Workload& workload,
                                       const std::map<std::string, v1::Session>& crashed_sessions,
                                       Failures& failures) {
  for (const GeneratedSession& sent : workload.sessions) {
    v1::Session other;
    const grpc::Status status = reference.GetSession(sent.session_id, other);
    if (!status.ok()) {
      failures.Add("GetSession " + sent.session_id + " (uninterrupted run): " + StatusText(status));
      continue;
    }
    const auto it = crashed_sessions.find(sent.session_id);
    if (it == crashed_sessions.end()) continue;  // already reported
    if (std::string d = Diff(it->second, other); !d.empty()) {
      failures.Add("session " + sent.session_id + " differs from the uninterrupted run: " + d);
    }
  }
  SuggestionFigures figures;
  for (const PatientDay& day : workload.patient_days) {
    v1::SuggestCodesRequest request;
    request.mutable_patient_day()->set_platform(kPlatform);
    request.mutable_patient_day()->set_patient_ref(day.patient_ref);
    request.mutable_patient_day()->set_date_of_service(day.date_of_service);
    if (day.year_to_date_pt_slp_cents) {
      request.set_year_to_date_pt_slp_cents(*day.year_to_date_pt_slp_cents);
    }
    if (day.year_to_date_ot_cents) request.set_year_to_date_ot_cents(*day.year_to_date_ot_cents);
    CompareSuggestion(crashed, reference, request, day.patient_ref + " " + day.date_of_service,
                      figures, failures);
  }
  for (const GeneratedSession& sent : workload.sessions) {
    v1::SuggestCodesRequest request;
    request.set_session("sessions/" + sent.session_id);
    CompareSuggestion(crashed, reference, request, "sessions/" + sent.session_id, figures,
                      failures);
  }
  return figures;
}

// ---------------------------------------------------------------------------
// The run

struct Options {
  std::string unitclockd = UNITCLOCKD_PATH;
  std::string policy_dir = UNITCLOCK_POLICY_DIR;
  std::uint64_t seed = 0;
  int kills = 6;
  int streams = 4;
  std::size_t window = 32;
  int days = 14;
  int patients = 5;
  std::string first_day;  // default: 14 days before today (UTC)
  std::string auth = "auto";
  std::string token;
  std::string work_dir;
  int time_limit_s = 200;
  bool dry_run = false;  // print the workload's figures and stop
  // Several instances on one database (issue 17).
  int instances = 1;
  std::string db;               // the crash run's --db; default: a SQLite file in the work folder
  std::string pg_cluster;       // a cluster of scripts/pg_cluster.sh to make a database in
  bool new_pg_cluster = false;  // start a cluster of its own in the work folder instead
  std::string pg_cluster_script = UNITCLOCK_PG_CLUSTER_SCRIPT;
  int outages = 0;                 // database outages while streaming (PostgreSQL)
  std::string health = "require";  // what health checks must say in an outage: report, require
  bool watchdog_race = false;      // the watchdog race instead of the crash run
  int race_sessions = 40;
};

// The cluster a run started (scripts/pg_cluster.sh start), for the time-limit
// guard to stop: a cluster left running would hold its port and memory.
std::string g_own_cluster_script;
std::string g_own_cluster_dir;

bool IsPostgresUri(const std::string& db) {
  return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

// `uri`, a libpq URI, naming database `name` instead of its own.
std::string WithDatabase(const std::string& uri, const std::string& name) {
  const std::size_t authority = uri.find("://") + 3;
  const std::size_t query = std::min(uri.find('?', authority), uri.size());
  const std::size_t path = uri.find('/', authority);
  if (path == std::string::npos || path > query) {
    return uri.substr(0, query) + "/" + name + uri.substr(query);
  }
  return uri.substr(0, path + 1) + name + uri.substr(query);
}

// The crash run's database: a SQLite file in the work folder, what --db
// names, or a fresh PostgreSQL database that the run creates in the cluster
// of --pg-cluster (or of --new-pg-cluster, a cluster it starts in the work
// folder and stops at the end). Drops what it created if the run passed.
class RunDatabase {
 public:
  ~RunDatabase() { Close(); }

  // Stops the cluster the run started, if any.
  void Close() {
    if (std::exchange(own_cluster_, false)) {
      // Its server log, for a look if the run failed; then the cluster goes.
      std::error_code ec;
      std::filesystem::copy_file(cluster_.dir + "/log", work_dir_ + "/postgresql.log",
                                 std::filesystem::copy_options::overwrite_existing, ec);
      cluster_.Run("stop");
      std::lock_guard<std::mutex> lock(g_pids_mu);
      g_own_cluster_dir.clear();
    }
  }

  // Sets up the database; false (with the reason printed) if it cannot.
  bool Open(const Options& options, const std::filesystem::path& dir) {
    work_dir_ = dir.string();
    cluster_.script = options.pg_cluster_script;
    cluster_.log = (dir / "pg_cluster.log").string();
    if (options.new_pg_cluster) {
      cluster_.dir = (dir / "pg").string();
      // As root, the cluster runs as another user, who must reach its folder
      // through this one (mkdtemp makes it 0700).
      std::error_code ec;
      std::filesystem::permissions(
          dir, std::filesystem::perms::group_exec | std::filesystem::perms::others_exec,
          std::filesystem::perm_options::add, ec);
      {
        std::lock_guard<std::mutex> lock(g_pids_mu);
        g_own_cluster_script = cluster_.script;
        g_own_cluster_dir = cluster_.dir;
      }
      own_cluster_ = true;
      if (!cluster_.Run("start")) {
        std::cerr << "pg_cluster.sh start failed:\n" << cluster_.LogTail() << "\n";
        return false;
      }
    } else if (!options.pg_cluster.empty()) {
      cluster_.dir = std::filesystem::absolute(options.pg_cluster).string();
    }
    if (!cluster_.dir.empty()) {
      std::string uri = testing::ReadFile(cluster_.dir + "/uri");
      while (!uri.empty() && std::isspace(static_cast<unsigned char>(uri.back()))) uri.pop_back();
      if (!IsPostgresUri(uri)) {
        std::cerr << cluster_.dir << "/uri: no postgresql:// URI (is the cluster started?)\n";
        return false;
      }
      maintenance_uri_ = uri;
    }
    if (!options.db.empty()) {
      db_ = options.db;
    } else if (!maintenance_uri_.empty()) {
      // A database of this run's own: a cluster may serve several runs.
      std::random_device device;
      char name[32];
      std::snprintf(name, sizeof name, "crash_%08x", device());
      if (!Sql("CREATE DATABASE " + std::string(name))) {
        std::cerr << "cannot create database " << name << " in " << cluster_.dir << "; see "
                  << cluster_.log << "\n";
        return false;
      }
      created_ = name;
      db_ = WithDatabase(maintenance_uri_, created_);
    } else {
      std::filesystem::create_directories(dir / "crash");
      db_ = (dir / "crash" / "unitclock.db").string();
    }
    postgres_ = IsPostgresUri(db_);
    return true;
  }

  // Drops the database the run created, if any (its daemons stopped).
  bool Drop() {
    if (created_.empty()) return true;
    return Sql("DROP DATABASE " + std::exchange(created_, "") + " WITH (FORCE)");
  }

  const std::string& db() const { return db_; }
  bool postgres() const { return postgres_; }
  // The cluster that outages kill and resume; nullptr without one.
  const PgCluster* cluster() const { return cluster_.dir.empty() ? nullptr : &cluster_; }
  // How the report names the database.
  std::string Describe() const {
    if (!postgres_) return "SQLite file " + db_;
    if (!created_.empty()) {
      return "PostgreSQL database " + created_ + " in " +
             (own_cluster_ ? "a cluster of its own, " : "the cluster ") + cluster_.dir;
    }
    return "PostgreSQL (--db)";  // the URI may hold a password: not printed
  }

 private:
  // Runs one SQL statement on the cluster's maintenance database with psql.
  bool Sql(const std::string& statement) const {
    return RunCommand({"/usr/bin/env", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                       maintenance_uri_, "-c", statement},
                      cluster_.log, 60s);
  }

  std::string work_dir_;
  PgCluster cluster_;
  bool own_cluster_ = false;
  std::string maintenance_uri_;
  std::string created_;
  std::string db_;
  bool postgres_ = false;
};

// Ends the run (killing the daemons first) if it takes longer than the
// limit, so that a hang fails with a message and leaves no process behind.
void StartTimeLimit(int seconds) {
  std::thread([seconds] {
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    Say("FAIL: time limit of " + std::to_string(seconds) + " s exceeded; killing the daemons");
    std::string cluster_script, cluster_dir;
    {
      std::lock_guard<std::mutex> lock(g_pids_mu);
      for (pid_t pid : g_pids) kill(pid, SIGKILL);
      cluster_script = g_own_cluster_script;
      cluster_dir = g_own_cluster_dir;
    }
    if (!cluster_dir.empty()) {
      RunCommand({"/bin/bash", cluster_script, "stop", cluster_dir}, "/dev/null", 60s);
    }
    std::_Exit(1);
  }).detach();
}

struct KillCounts {
  int streaming = 0;       // kills while events were streaming
  int startup = 0;         // kills of a restarting daemon
  int after_last_ack = 0;  // kills after the last acknowledgement
  // Of the kills while streaming, those with messages still unacknowledged:
  // with several instances, the others go on while one restarts, and the
  // last planned kills may come after the last acknowledgement.
  int with_unacked = 0;
  int total() const { return streaming + startup + after_last_ack; }
};

// The outages of a run: the cluster to kill and resume, and what the
// daemons' health must say meanwhile.
struct OutageSetup {
  std::vector<OutagePoint> points;  // in increasing after_acks
  const PgCluster* cluster = nullptr;
  bool require_health = false;
};

// Publishes every event to `instances` with the workers and, when `plan` is
// not empty, kills and restarts an instance at each kill point (kill i, from
// 0, the instance i % instances); when `outages` has points, takes the
// database away at each of them, between the kills (never during one).
// Returns false (with failures added) when a daemon could not be
// (re)started.
bool Publish(Instances& instances, const Auth& auth, const Workload& workload,
             const std::vector<Message>& messages, const Options& options,
             const std::vector<KillPoint>& plan, const OutageSetup& outages, Progress& progress,
             Failures& failures, KillCounts& kills, OutageFigures& outage_figures) {
  std::vector<std::unique_ptr<StreamWorker>> workers;
  std::vector<std::thread> threads =
      StartWorkers(workers, instances, auth, workload, messages, options.streams, options.window,
                   progress, failures);
  bool ok = true;
  std::size_t next_outage = 0;
  const auto wait_for_acks = [&](std::size_t after_acks) {
    std::unique_lock<std::mutex> lock(progress.mu);
    progress.cv.wait(lock,
                     [&] { return progress.acked >= after_acks || progress.workers_running == 0; });
  };
  // The outages due before `after_acks` acknowledgements (all that are left
  // for SIZE_MAX), one after the other.
  const auto outages_before = [&](std::size_t after_acks) {
    for (;
         next_outage < outages.points.size() && outages.points[next_outage].after_acks < after_acks;
         ++next_outage) {
      wait_for_acks(outages.points[next_outage].after_acks);
      Outage(static_cast<int>(next_outage) + 1, instances, auth, *outages.cluster,
             outages.require_health, progress, failures, outage_figures);
    }
  };
  for (std::size_t i = 0; i < plan.size() && ok; ++i) {
    const KillPoint& k = plan[i];
    outages_before(k.after_acks);
    Daemon& daemon = instances[i % instances.size()];
    // Which instance, when there are several.
    const std::string which = instances.size() == 1 ? "" : " of " + daemon.name();
    wait_for_acks(k.after_acks);
    std::this_thread::sleep_for(std::chrono::milliseconds(k.delay_ms));
    const std::size_t acked = progress.acked_now();
    kills.with_unacked += acked < messages.size();
    if (!daemon.Kill()) {
      failures.Add(daemon.name() + " had ended before kill " + std::to_string(i + 1) + "; log:\n" +
                   daemon.LogTail());
    }
    ++kills.streaming;
    std::string note;
    if (k.startup_kill_ms) {
      daemon.Spawn();
      std::this_thread::sleep_for(std::chrono::milliseconds(*k.startup_kill_ms));
      // It may or may not serve yet; either way it must still be running.
      if (!daemon.Kill()) {
        failures.Add(daemon.name() + " had ended during a restart; log:\n" + daemon.LogTail());
      }
      ++kills.startup;
      note = ", restart killed after " + std::to_string(*k.startup_kill_ms) + " ms";
    }
    const auto restart = Clock::now();
    daemon.Spawn();
    ok = daemon.WaitServing();
    if (!ok) failures.Add(daemon.name() + " did not restart; log:\n" + daemon.LogTail());
    Say("kill " + std::to_string(i + 1) + which + " at " + std::to_string(acked) + "/" +
        std::to_string(messages.size()) + " acknowledged (planned " + std::to_string(k.after_acks) +
        " +" + std::to_string(k.delay_ms) + " ms)" + note + ", serving again after " +
        std::to_string(Ms(restart, Clock::now())) + " ms");
  }
  if (ok) outages_before(SIZE_MAX);
  // If a daemon did not come back, the workers give up after 60 s.
  for (std::thread& t : threads) t.join();
  return ok;
}

// ---------------------------------------------------------------------------
// The watchdog race (issue 17): the watchdogs of every instance scan the one
// database; still, each idle session gets exactly one stop.

// Sessions [from, from + count) of `workload` as a platform that crashed
// mid-session leaves them: cut after a seeded number of events (at least
// one), with no SessionStopped. Their events are days old: idle far beyond
// any session timeout.
Workload IdleSessions(const Workload& workload, std::size_t from, std::size_t count,
                      std::uint64_t seed) {
  Rng rng(seed ^ 0x7761746368646f67ULL);
  Workload idle;
  for (std::size_t s = from; s < from + count && s < workload.sessions.size(); ++s) {
    GeneratedSession session = workload.sessions[s];
    const auto keep = static_cast<std::size_t>(rng.Uniform(
        1, std::max<std::int64_t>(1, static_cast<std::int64_t>(session.events.size()) - 1)));
    session.events.resize(std::min(keep, session.events.size()));
    std::erase_if(session.events, [](const v1::Event& e) { return e.has_session_stopped(); });
    idle.event_count += session.events.size();
    idle.sessions.push_back(std::move(session));
  }
  return idle;
}

// How many times a log holds `needle`.
std::size_t CountInLog(const std::string& log, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t pos = log.find(needle); pos != std::string::npos;
       pos = log.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

constexpr char kClosedByWatchdog[] = "msg=\"session closed by watchdog\"";

// Polls (through `reader`) until every session of `idle` is stopped; false
// after `timeout`, with `open` the number still open.
bool AwaitAllStopped(Reader& reader, const Workload& idle, std::chrono::seconds timeout,
                     std::size_t& open) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    std::vector<v1::Session> listed;
    std::map<std::string, v1::Session::State> state;
    if (reader.ListSessions(listed).ok()) {
      for (const v1::Session& s : listed) state[s.session_id()] = s.state();
    }
    open = 0;
    for (const GeneratedSession& s : idle.sessions) {
      open += state[s.session_id] != v1::Session::STATE_STOPPED;
    }
    if (open == 0) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(250ms);
  }
}

// Every session of `idle` holds the events sent for it, each once, and one
// stop: the watchdog's (its event id, TIMED_OUT). Fills `sessions` (FULL
// view) for the comparison through the other instances.
void CheckOneStopEach(Reader& reader, const Workload& idle,
                      std::map<std::string, v1::Session>& sessions, Failures& failures,
                      std::size_t& stops) {
  for (const GeneratedSession& sent : idle.sessions) {
    v1::Session& session = sessions[sent.session_id];
    const grpc::Status status = reader.GetSession(sent.session_id, session);
    if (!status.ok()) {
      failures.Add("GetSession " + sent.session_id + ": " + StatusText(status));
      continue;
    }
    std::map<std::string, int> seen;
    int session_stops = 0;
    for (const v1::Event& e : session.events()) {
      ++seen[e.event_id()];
      if (!e.has_session_stopped()) continue;
      ++session_stops;
      if (!e.event_id().starts_with("watchdog-stop-") ||
          e.session_stopped().reason() != v1::STOP_REASON_TIMED_OUT) {
        failures.Add("session " + sent.session_id + ": stop " + e.event_id() + " (" +
                     v1::StopReason_Name(e.session_stopped().reason()) + ") is not the watchdog's");
      }
    }
    stops += session_stops;
    if (session_stops != 1) {
      failures.Add("session " + sent.session_id + " has " + std::to_string(session_stops) +
                   " stops, not one");
    }
    for (const v1::Event& e : sent.events) {
      if (seen[e.event_id()] != 1) {
        failures.Add("session " + sent.session_id + " holds event " + e.event_id() + " " +
                     std::to_string(seen[e.event_id()]) + " times");
      }
    }
    if (session.events_size() != static_cast<int>(sent.events.size()) + session_stops) {
      failures.Add("session " + sent.session_id + " holds " +
                   std::to_string(session.events_size()) + " events, " +
                   std::to_string(sent.events.size()) + " were sent");
    }
    if (session.state() != v1::Session::STATE_STOPPED ||
        session.stop_reason() != v1::STOP_REASON_TIMED_OUT) {
      failures.Add("session " + sent.session_id + " is " +
                   v1::Session::State_Name(session.state()) + " (" +
                   v1::StopReason_Name(session.stop_reason()) + "), not timed out");
    }
  }
}

// The race: idle sessions stored with the watchdogs off; then `instances`
// daemons started together, with a 60 s session timeout and a scan every
// second, so that their first scans find the same sessions open at about
// the same moment; then daemons started 1/instances s apart (their scans
// interleave) while more idle sessions arrive in waves through all of them,
// so that each instance closes some. Every session must get exactly one
// stop, and the closes the daemons log must add up to the sessions.
int RunWatchdogRace(const Options& options, const std::filesystem::path& dir, const Auth& auth,
                    const Workload& workload, RunDatabase& database, Clock::time_point run_start) {
  const std::size_t n = static_cast<std::size_t>(options.instances);
  const std::size_t total =
      std::min(static_cast<std::size_t>(options.race_sessions), workload.sessions.size());
  const Workload together = IdleSessions(workload, 0, total / 2, options.seed);
  const Workload in_waves = IdleSessions(workload, total / 2, total - total / 2, options.seed);
  Failures failures;
  Say("watchdog race: " + std::to_string(n) + " daemons on " + database.Describe() + "; " +
      std::to_string(together.sessions.size()) + " idle sessions (" +
      std::to_string(together.event_count) + " events) stored first, then the daemons " +
      "started together (session timeout 60 s, a scan every second); then " +
      std::to_string(in_waves.sessions.size()) + " more (" + std::to_string(in_waves.event_count) +
      " events) in waves, the daemons started 1/" + std::to_string(n) + " s apart");

  // A set of daemons, instance i logging to race-<i>.log (all phases).
  std::vector<DaemonFiles> files;
  for (std::size_t i = 0; i < n; ++i) {
    files.push_back({database.db(), (dir / ("race-" + std::to_string(i + 1) + ".port")).string(),
                     (dir / ("race-" + std::to_string(i + 1) + ".log")).string()});
  }
  const auto make = [&](WatchdogTiming timing) {
    Instances instances;
    for (std::size_t i = 0; i < n; ++i) {
      instances.Add(std::make_unique<Daemon>(
          "daemon " + std::to_string(i + 1),
          DaemonArgv(options.unitclockd, options.policy_dir, files[i], auth, timing), files[i]));
    }
    return instances;
  };
  const auto serve = [&](Instances& instances, std::chrono::milliseconds apart) {
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) std::this_thread::sleep_for(apart);
      instances[i].Spawn();
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!instances[i].WaitServing()) {
        failures.Add(instances[i].name() + " did not start; log:\n" + instances[i].LogTail());
        return false;
      }
    }
    return true;
  };
  const auto stop = [&](Instances& instances) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!instances[i].Terminate()) {
        failures.Add(instances[i].name() + " did not stop cleanly on SIGTERM");
      }
    }
  };
  // Closes logged per instance so far.
  const auto closes = [&] {
    std::vector<std::size_t> counts;
    for (const DaemonFiles& f : files) {
      counts.push_back(CountInLog(testing::ReadFile(f.log), kClosedByWatchdog));
    }
    return counts;
  };
  const auto publish = [&](Instances& instances, const Workload& idle, const std::string& what) {
    const std::vector<Message> messages = MakeMessages(idle);
    Progress progress(messages.size(), n);
    KillCounts no_kills;
    OutageFigures no_outages;
    Publish(instances, auth, idle, messages, options, {}, {}, progress, failures, no_kills,
            no_outages);
    if (progress.recorded != idle.event_count) {
      failures.Add(what + ": " + std::to_string(progress.recorded) + " of " +
                   std::to_string(idle.event_count) + " events RECORDED");
    }
  };
  // Per instance, "a/b" from two counts.
  const auto per_instance = [&](const std::vector<std::size_t>& after,
                                const std::vector<std::size_t>& before) {
    std::string text;
    std::size_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      text += (i == 0 ? "" : ", ") + std::to_string(after[i] - before[i]);
      sum += after[i] - before[i];
    }
    return std::make_pair(sum, text);
  };

  // Stored with the watchdogs off.
  {
    Instances loaders = make({});
    if (!serve(loaders, 0ms)) return 1;
    publish(loaders, together, "storing the idle sessions");
    stop(loaders);
  }

  // Started together: their first scans race for the same sessions.
  const std::vector<std::size_t> before_together = closes();
  const auto together_start = Clock::now();
  {
    Instances racers = make({1, 60});
    if (!serve(racers, 0ms)) return 1;
    Reader reader(racers[0].target(), auth);
    std::size_t open = 0;
    if (!AwaitAllStopped(reader, together, 30s, open)) {
      failures.Add(std::to_string(open) + " of " + std::to_string(together.sessions.size()) +
                   " idle sessions still open 30 s after the daemons started together");
    }
    stop(racers);
  }
  const std::vector<std::size_t> after_together = closes();
  const auto [together_closes, together_text] = per_instance(after_together, before_together);
  Say("started together: all " + std::to_string(together.sessions.size()) + " sessions closed " +
      Elapsed(together_start) + " after the start; closes logged per daemon: " + together_text);
  if (together_closes != together.sessions.size()) {
    failures.Add(std::to_string(together_closes) + " closes logged for " +
                 std::to_string(together.sessions.size()) +
                 " sessions by the daemons started together (each must be closed by exactly one)");
  }

  // Started apart, sessions arriving in waves: each instance's scans get some.
  constexpr int kWaves = 6;
  const auto waves_start = Clock::now();
  std::size_t found = 0;
  std::size_t stops = 0;
  {
    Instances racers = make({1, 60});
    if (!serve(racers, std::chrono::milliseconds(1000 / n))) return 1;
    const std::size_t per_wave = (in_waves.sessions.size() + kWaves - 1) / kWaves;
    for (std::size_t from = 0; from < in_waves.sessions.size(); from += per_wave) {
      Workload wave;
      for (std::size_t s = from; s < std::min(from + per_wave, in_waves.sessions.size()); ++s) {
        wave.sessions.push_back(in_waves.sessions[s]);
        wave.event_count += in_waves.sessions[s].events.size();
      }
      publish(racers, wave, "wave " + std::to_string(from / per_wave + 1));
      std::this_thread::sleep_for(400ms);
    }
    Reader reader(racers[0].target(), auth);
    std::size_t open = 0;
    if (!AwaitAllStopped(reader, in_waves, 30s, open)) {
      failures.Add(std::to_string(open) + " of " + std::to_string(in_waves.sessions.size()) +
                   " idle sessions sent in waves still open 30 s later");
    }
    const std::vector<std::size_t> after_waves = closes();
    const auto [wave_closes, wave_text] = per_instance(after_waves, after_together);
    Say("in waves: all " + std::to_string(in_waves.sessions.size()) + " sessions closed " +
        Elapsed(waves_start) + " after the first start; closes logged per daemon: " + wave_text);
    if (wave_closes != in_waves.sessions.size()) {
      failures.Add(std::to_string(wave_closes) + " closes logged for " +
                   std::to_string(in_waves.sessions.size()) +
                   " sessions sent in waves (each must be closed by exactly one daemon)");
    }
    for (std::size_t i = 0; n > 1 && i < n; ++i) {
      if (after_waves[i] == after_together[i]) {
        failures.Add(racers[i].name() + " closed no session sent in waves: its watchdog did not " +
                     "take part");
      }
    }

    // Exactly one stop each, as every instance sees it.
    Workload all = together;
    all.sessions.insert(all.sessions.end(), in_waves.sessions.begin(), in_waves.sessions.end());
    std::map<std::string, v1::Session> sessions;
    const std::size_t before = failures.count();
    CheckOneStopEach(reader, all, sessions, failures, stops);
    for (const auto& [id, session] : sessions) found += session.events_size();
    for (std::size_t i = 1; i < n; ++i) {
      Reader other(racers[i].target(), auth);
      CompareInstances(reader, other, racers[0].name(), racers[i].name(), sessions, failures);
    }
    Say("found " + std::to_string(found) + " events in " + std::to_string(sessions.size()) +
        " sessions, " + std::to_string(stops) + " stops" +
        (n > 1 ? ", the same through every daemon" : "") + ": " +
        (failures.count() == before ? "one watchdog stop (TIMED_OUT) per session"
                                    : "MISMATCH (see above)"));
    stop(racers);
  }

  // What the logs say besides: a losing scan's stop is refused or
  // acknowledged as already recorded, never an error.
  std::size_t left_open = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string log = testing::ReadFile(files[i].log);
    left_open += CountInLog(log, "msg=\"session left open: events arrived since the scan\"");
    for (const char* error : {"msg=\"watchdog stop refused\"", "msg=\"watchdog scan failed\""}) {
      if (const std::size_t count = CountInLog(log, error)) {
        failures.Add("daemon " + std::to_string(i + 1) + " logged " + error + " " +
                     std::to_string(count) + " times; see " + files[i].log);
      }
    }
  }
  Say("logs: " + std::to_string(left_open) +
      " stops refused because events arrived since the scan, no watchdog error" +
      (failures.count() > 0 ? " (or see above)" : ""));

  if (failures.count() > 0) {
    Say("FAILED with " + std::to_string(failures.count()) + " problems (seed " +
        std::to_string(options.seed) + ") in " + Elapsed(run_start) +
        "; databases and daemon logs kept in " + dir.string());
    return 1;
  }
  if (!database.Drop()) Say("note: could not drop the run's PostgreSQL database");
  Say("PASS: seed " + std::to_string(options.seed) + ", " + std::to_string(n) + " daemons, " +
      std::to_string(total) + " idle sessions, " + std::to_string(stops) + " stops, " +
      Elapsed(run_start));
  database.Close();
  if (options.work_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return 0;
}

// Runs the whole test; returns the exit status.
int Run(const Options& options) {
  const auto run_start = Clock::now();
  StartTimeLimit(options.time_limit_s);

  // The workload, its days well in the past (the daemon refuses events
  // dated ahead of its clock).
  WorkloadOptions wo;
  wo.seed = options.seed;
  wo.days = options.days;
  wo.patients = options.patients;
  if (options.first_day.empty()) {
    wo.first_day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) -
                   std::chrono::days(options.days + 4);
  } else if (auto day = ParseDate(options.first_day)) {
    wo.first_day = *day;
  } else {
    std::cerr << "--first-day: not a date YYYY-MM-DD: " << options.first_day << "\n";
    return 2;
  }
  const Workload workload = GenerateWorkload(wo);
  if (workload.last_event_time > std::chrono::system_clock::now() - 1h) {
    std::cerr << "--first-day/--days: the last event would not be at least an hour in the past\n";
    return 2;
  }
  const std::vector<Message> messages = MakeMessages(workload);
  Say("seed=" + std::to_string(options.seed) + " first_day=" + FormatDate(wo.first_day) +
      " (replay with --seed " + std::to_string(options.seed) + " --first-day " +
      FormatDate(wo.first_day) + ")");
  Say("workload: " + std::to_string(workload.event_count) + " events, " +
      std::to_string(workload.refused.size()) + " messages to refuse, " +
      std::to_string(workload.sessions.size()) + " sessions (" +
      std::to_string(workload.csv_injection_sessions) + " with formula-like references), " +
      std::to_string(workload.patient_days.size()) + " patient-days, " +
      std::to_string(options.patients) + " patients, " + FormatDate(wo.first_day) + " + " +
      std::to_string(options.days) + " days; " + std::to_string(options.streams) +
      " streams, window " + std::to_string(options.window));
  if (options.dry_run) return 0;

  // A fresh folder, removed at the end if the run passes (kept for a look
  // if it fails).
  std::filesystem::path dir;
  std::error_code ec;
  if (options.work_dir.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "unitclock-crash-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "cannot create a temporary folder\n";
      return 2;
    }
    dir = pattern;
  } else {
    dir = options.work_dir;
    if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
      std::cerr << "--work-dir: " << dir.string() << " must be empty or missing\n";
      return 2;
    }
    std::filesystem::create_directories(dir, ec);
  }

  // Authentication, if the daemon has it.
  Auth auth;
  const bool auth_on = options.auth == "on" ||
                       (options.auth == "auto" && DaemonHasAuthFlag(options.unitclockd, dir));
  if (auth_on) {
    auth = MakeAuth(options.token.empty() ? RandomToken() : options.token, dir);
  }
  Say(std::string("authentication: ") +
      (auth_on ? "on (--auth-file, bearer token)" : "off (unitclockd has no --auth-file)"));

  RunDatabase database;  // declared before the daemons: it outlives them
  if (!database.Open(options, dir)) return 2;
  if (options.watchdog_race) {
    return RunWatchdogRace(options, dir, auth, workload, database, run_start);
  }
  if (options.outages > 0 && (!database.postgres() || database.cluster() == nullptr)) {
    std::cerr << "--outages: needs a PostgreSQL database and its cluster (--pg-cluster or "
                 "--new-pg-cluster)\n";
    return 2;
  }
  const std::size_t n = static_cast<std::size_t>(options.instances);
  if (n > 1 || database.postgres()) {
    Say("crash run: " + std::to_string(n) +
        (n == 1 ? " daemon" : " daemons, each its own process,") + " on " + database.Describe() +
        "; the uninterrupted run: one daemon on a SQLite file");
  }

  Failures failures;

  // The crash run: one daemon, or `instances` on the same database, each
  // with its port file and log.
  Instances crashed;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string suffix = n == 1 ? "" : "-" + std::to_string(i + 1);
    const DaemonFiles files{database.db(), (dir / ("crash" + suffix + ".port")).string(),
                            (dir / ("crash" + suffix + ".log")).string()};
    crashed.Add(std::make_unique<Daemon>(
        n == 1 ? "crash-run daemon" : "crash-run daemon " + std::to_string(i + 1),
        DaemonArgv(options.unitclockd, options.policy_dir, files, auth), files));
  }
  const KillPlan plan = PlanKills(options.seed, options.kills, messages.size());
  OutageSetup outages;
  outages.points = PlanOutages(options.seed, options.outages, messages.size());
  outages.cluster = database.cluster();
  outages.require_health = options.health == "require";
  KillCounts kills;
  if (plan.first_start_kill_ms) {
    crashed[0].Spawn();
    std::this_thread::sleep_for(std::chrono::milliseconds(*plan.first_start_kill_ms));
    if (!crashed[0].Kill()) {
      failures.Add("the first start had ended by itself; log:\n" + crashed[0].LogTail());
    }
    ++kills.startup;
    Say("first start, on the fresh database, killed after " +
        std::to_string(*plan.first_start_kill_ms) + " ms");
  }
  // Several instances start together, on the database the first may have
  // left half made.
  for (std::size_t i = 0; i < n; ++i) crashed[i].Spawn();
  for (std::size_t i = 0; i < n; ++i) {
    if (!crashed[i].WaitServing()) {
      std::cerr << "unitclockd did not start; log:\n" << crashed[i].LogTail() << "\n";
      return failures.count() > 0 ? 1 : 2;
    }
  }
  Progress progress(messages.size(), n);
  OutageFigures outage_figures;
  const auto crash_start = Clock::now();
  Publish(crashed, auth, workload, messages, options, plan.points, outages, progress, failures,
          kills, outage_figures);
  const std::string crash_time = Elapsed(crash_start);
  std::size_t never_acked = 0;
  for (Outcome o : progress.outcome) {
    never_acked += o == v1::EventAcknowledgement::OUTCOME_UNSPECIFIED;
  }
  if (never_acked > 0) {
    failures.Add(std::to_string(never_acked) + " messages were never acknowledged");
  }
  if (progress.refused != workload.refused.size()) {
    failures.Add("crash run: " + std::to_string(progress.refused) + " of " +
                 std::to_string(workload.refused.size()) + " messages refused as they must be");
  }

  // One more kill of every instance after the last acknowledgement: what is
  // read back must have survived a crash.
  for (std::size_t i = 0; i < n; ++i) {
    if (!crashed[i].Kill()) {
      failures.Add(n == 1 ? "the crash-run daemon had ended before the final kill"
                          : crashed[i].name() + " had ended before the final kill");
    }
    ++kills.after_last_ack;
  }
  for (std::size_t i = 0; i < n; ++i) crashed[i].Spawn();
  for (std::size_t i = 0; i < n; ++i) {
    if (!crashed[i].WaitServing()) {
      failures.Add(crashed[i].name() + " did not restart after the final kill; log:\n" +
                   crashed[i].LogTail());
      return 1;
    }
  }
  std::map<std::string, int> codes;
  std::map<std::string, int> outage_codes;
  {
    std::lock_guard<std::mutex> lock(progress.codes_mu);
    codes = progress.failure_codes;
    outage_codes = progress.outage_codes;
  }
  const auto codes_text = [](const std::map<std::string, int>& counts) {
    std::string text;
    for (const auto& [code, count] : counts) text += " " + code + "=" + std::to_string(count);
    return text.empty() ? "none" : text.substr(1);
  };
  Say("crash run: " + std::to_string(kills.total()) + " kills (" + std::to_string(kills.streaming) +
      " while streaming, " + std::to_string(kills.startup) + " during a start, " +
      std::to_string(kills.after_last_ack) + " after the last acknowledgement); " +
      std::to_string(workload.event_count) + " events and " +
      std::to_string(workload.refused.size()) + " messages to refuse sent, " +
      std::to_string(progress.recorded + progress.already_recorded) + " acknowledged (" +
      std::to_string(progress.recorded) + " RECORDED, " +
      std::to_string(progress.already_recorded) + " ALREADY_RECORDED on a resend), " +
      std::to_string(progress.rejected) + " rejected, " + std::to_string(progress.refused) +
      " refused as they must be, " + std::to_string(progress.resends) + " re-sends; " +
      std::to_string(progress.streams_opened) + " streams, " +
      std::to_string(progress.stream_failures) + " broken (" + codes_text(codes) + "), " +
      std::to_string(progress.unexpected_failures) + " without a kill" +
      (outages.points.empty()
           ? ""
           : " or an outage (" + std::to_string(progress.outage_failures) + " by an outage)") +
      "; " + crash_time);
  if (n > 1) {
    std::string per_instance;
    for (std::size_t i = 0; i < n; ++i) {
      per_instance += (i == 0 ? "" : ", ") + crashed[i].name() + " " +
                      std::to_string(progress.streams_via[i]) + " streams, " +
                      std::to_string(progress.acked_via[i]) + " acknowledgements";
    }
    Say("instances: " + per_instance + "; " + std::to_string(kills.with_unacked) + " of the " +
        std::to_string(kills.streaming) + " kills while streaming with messages unacknowledged, " +
        std::to_string(progress.failovers) +
        " streams opened on another instance while the preferred one was down");
    // Each instance served, and a kill sent streams to another at once.
    for (std::size_t i = 0; i < n; ++i) {
      if (progress.acked_via[i] == 0) {
        failures.Add(crashed[i].name() + " acknowledged nothing: the instances did not share");
      }
    }
    if (progress.failovers == 0) {
      failures.Add("no stream failed over to another instance while one was killed");
    }
  }
  // A kill breaks a stream with UNAVAILABLE; one that reached its deadline
  // waited for acknowledgements a serving daemon never sent.
  if (codes.count("DEADLINE_EXCEEDED") > 0) {
    failures.Add("crash run: " + std::to_string(codes["DEADLINE_EXCEEDED"]) +
                 " streams waited until their deadline for acknowledgements");
  }
  if (!outages.points.empty()) {
    std::string recovery;
    for (long ms : outage_figures.recovery_ms) {
      recovery += (recovery.empty() ? "" : ", ") + std::to_string(ms) + " ms";
    }
    Say("database outages: " + std::to_string(outage_figures.outages) + " (health " +
        (outages.require_health ? "required" : "reported") + "), " +
        std::to_string(progress.outage_failures) + " streams broken by them (" +
        codes_text(outage_codes) + "), " + std::to_string(outage_figures.acks_while_down) +
        " acknowledgements while down; every instance acknowledging again, from the start of the "
        "resume, in " +
        (recovery.empty() ? "none" : recovery));
    if (outage_figures.outages != options.outages) {
      failures.Add(std::to_string(outage_figures.outages) + " of " +
                   std::to_string(options.outages) + " outages happened");
    }
    // While the database is down a daemon answers UNAVAILABLE: it can
    // neither store nor acknowledge, and must say so rather than hang.
    if (progress.outage_failures == 0) {
      failures.Add(
          "no stream failed during the outages: the daemons answered as if nothing "
          "had happened");
    }
    for (const auto& [code, count] : outage_codes) {
      if (code != "UNAVAILABLE") {
        failures.Add(std::to_string(count) + " streams broken by an outage ended with " + code +
                     ", not UNAVAILABLE");
      }
    }
  }

  // The uninterrupted run, on a fresh SQLite database.
  const DaemonFiles reference_files{(dir / "reference" / "unitclock.db").string(),
                                    (dir / "reference.port").string(),
                                    (dir / "reference.log").string()};
  std::filesystem::create_directories(dir / "reference");
  Instances reference;
  reference.Add(std::make_unique<Daemon>(
      "uninterrupted-run daemon",
      DaemonArgv(options.unitclockd, options.policy_dir, reference_files, auth), reference_files));
  reference[0].Spawn();
  if (!reference[0].WaitServing()) {
    failures.Add("the uninterrupted-run daemon did not start; log:\n" + reference[0].LogTail());
    return 1;
  }
  Progress reference_progress(messages.size(), 1);
  KillCounts no_kills;
  OutageFigures no_outages;
  const auto reference_start = Clock::now();
  Publish(reference, auth, workload, messages, options, {}, {}, reference_progress, failures,
          no_kills, no_outages);
  if (reference_progress.recorded != workload.event_count) {
    failures.Add("uninterrupted run: " + std::to_string(reference_progress.recorded) + " of " +
                 std::to_string(workload.event_count) + " events RECORDED");
  }
  if (reference_progress.refused != workload.refused.size()) {
    failures.Add("uninterrupted run: " + std::to_string(reference_progress.refused) + " of " +
                 std::to_string(workload.refused.size()) + " messages refused as they must be");
  }
  Say("uninterrupted run: " + std::to_string(reference_progress.recorded) + " RECORDED, " +
      std::to_string(reference_progress.refused) + " refused, " +
      std::to_string(reference_progress.stream_failures) + " streams broken; " +
      Elapsed(reference_start));

  // Check (a), then (b), through the first instance; then, through every
  // other, the same sessions (they share the database).
  std::size_t found = 0;
  {  // the readers' connections close before the daemons stop
    Reader crash_reader(crashed[0].target(), auth);
    Reader reference_reader(reference[0].target(), auth);
    std::map<std::string, v1::Session> crash_sessions;
    const std::size_t before_a = failures.count();
    std::size_t formula_sessions = 0;
    CheckExactlyOnce(crash_reader, workload, crash_sessions, failures, found, formula_sessions);
    Say("found " + std::to_string(found) + " events in " + std::to_string(crash_sessions.size()) +
        " sessions after the final restart" + (n == 1 ? "" : " through " + crashed[0].name()) +
        " (" + std::to_string(formula_sessions) +
        " with formula-like references), looked for the " +
        std::to_string(workload.refused.size()) + " refused messages: " +
        (failures.count() == before_a
             ? "each acknowledged event exactly once, as sent, none refused"
             : "MISMATCH (see above)"));
    const std::size_t before_b = failures.count();
    const SuggestionFigures figures =
        CompareWithReference(crash_reader, reference_reader, workload, crash_sessions, failures);
    if (figures.units == 0) failures.Add("no unit suggested at all: the comparison proves nothing");
    Say(std::string("compared with the uninterrupted run") +
        (database.postgres() ? " (on SQLite, the crash run on PostgreSQL: across backends)" : "") +
        ": " + std::to_string(workload.sessions.size()) + " sessions (events, timelines) and " +
        std::to_string(figures.requests) + " SuggestCodes answers (" +
        std::to_string(workload.patient_days.size()) + " patient-days, " +
        std::to_string(workload.sessions.size()) + " sessions; " +
        std::to_string(figures.suggestions) + " suggestions, " + std::to_string(figures.lines) +
        " lines, " + std::to_string(figures.units) +
        " units): " + (failures.count() == before_b ? "identical" : "MISMATCH (see above)"));
    for (std::size_t i = 1; i < n; ++i) {
      Reader other(crashed[i].target(), auth);
      const std::size_t before = failures.count();
      const std::size_t events = CompareInstances(crash_reader, other, crashed[0].name(),
                                                  crashed[i].name(), crash_sessions, failures);
      Say(crashed[i].name() + " sees " + std::to_string(events) + " events in the " +
          std::to_string(crash_sessions.size()) + " sessions, as " + crashed[0].name() + ": " +
          (failures.count() == before ? "identical" : "MISMATCH (see above)"));
    }
  }

  for (std::size_t i = 0; i < n; ++i) {
    if (!crashed[i].Terminate()) {
      failures.Add((n == 1 ? std::string("the crash-run daemon") : crashed[i].name()) +
                   " did not stop cleanly on SIGTERM");
    }
  }
  if (!reference[0].Terminate()) {
    failures.Add("the uninterrupted-run daemon did not stop cleanly on SIGTERM");
  }
  if (failures.count() > 0) {
    Say("FAILED with " + std::to_string(failures.count()) + " problems (seed " +
        std::to_string(options.seed) + ", first day " + FormatDate(wo.first_day) + ") in " +
        Elapsed(run_start) + "; databases and daemon logs kept in " + dir.string());
    return 1;
  }
  if (!database.Drop()) Say("note: could not drop the run's PostgreSQL database");
  database.Close();
  Say("PASS: seed " + std::to_string(options.seed) + ", " + std::to_string(kills.total()) +
      " kills, " + (n == 1 ? "" : std::to_string(n) + " instances, ") +
      (outages.points.empty() ? ""
                              : std::to_string(outage_figures.outages) + " database outages, ") +
      std::to_string(progress.recorded + progress.already_recorded) + " events acknowledged, " +
      std::to_string(found) + " found, " + Elapsed(run_start));
  if (options.work_dir.empty()) std::filesystem::remove_all(dir, ec);
  return 0;
}

}  // namespace
}  // namespace unitclock::crash

int main(int argc, char** argv) {
  unitclock::crash::Options options;
  CLI::App app{"crash_safety: SIGKILL unitclockd while it records events; lose nothing"};
  std::optional<std::uint64_t> seed;
  app.add_option("--unitclockd", options.unitclockd, "The unitclockd binary")
      ->capture_default_str();
  app.add_option("--policy-dir", options.policy_dir, "The policy folder (core/policies)")
      ->capture_default_str();
  app.add_option("--seed", seed, "Seed of the events and kill points (default: random)");
  app.add_option("--kills", options.kills, "Kills while streaming (at least 5)")
      ->check(CLI::Range(5, 1000))
      ->capture_default_str();
  app.add_option("--streams", options.streams, "Concurrent PublishEvents streams")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--window", options.window, "Unacknowledged events per stream at most")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--days", options.days, "Days of sessions")
      ->check(CLI::Range(1, 365))
      ->capture_default_str();
  app.add_option("--patients", options.patients, "Patients")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--first-day", options.first_day,
                 "First date of service, YYYY-MM-DD (default: --days + 4 days before today)");
  app.add_option("--auth", options.auth,
                 "Bearer-token authentication: auto (on if unitclockd has --auth-file), on, off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  app.add_option("--token", options.token, "The bearer token to use (default: a random one)");
  app.add_option("--work-dir", options.work_dir,
                 "Keep databases and logs in this folder, which must be empty or missing "
                 "(default: a temporary folder, removed at the end if the run passes)");
  app.add_option("--time-limit-s", options.time_limit_s, "Give up after this many seconds")
      ->check(CLI::Range(10, 3600))
      ->capture_default_str();
  app.add_flag("--dry-run", options.dry_run, "Print the workload's figures only");
  app.add_option("--instances", options.instances,
                 "Crash-run daemons on the one database, each its own process (stream w prefers "
                 "instance w % N and fails over while it is down; kill i hits instance i % N)")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  app.add_option("--db", options.db,
                 "The crash-run daemons' --db: a SQLite file or a postgresql:// URI (default: a "
                 "SQLite file in the work folder, or a new database in the --pg-cluster)");
  app.add_option("--pg-cluster", options.pg_cluster,
                 "A cluster of scripts/pg_cluster.sh (its folder): the run creates a database "
                 "there (dropped if it passes) unless --db names one; --outages kill it");
  app.add_flag("--new-pg-cluster", options.new_pg_cluster,
               "Start a PostgreSQL cluster of the run's own in the work folder (stopped at the "
               "end), so that outages disturb no one else");
  app.add_option("--pg-cluster-script", options.pg_cluster_script, "scripts/pg_cluster.sh")
      ->capture_default_str();
  app.add_option("--outages", options.outages,
                 "Database outages while streaming: the PostgreSQL server killed for 2-3 s and "
                 "resumed, the daemons kept running")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  app.add_option("--health", options.health,
                 "grpc.health.v1 during an outage: report what it says, or require NOT_SERVING "
                 "(and SERVING after it)")
      ->check(CLI::IsMember({"report", "require"}))
      ->capture_default_str();
  app.add_flag("--watchdog-race", options.watchdog_race,
               "Instead of the crash run: the watchdogs of --instances daemons race to close idle "
               "sessions; each must get exactly one stop");
  app.add_option("--race-sessions", options.race_sessions, "Idle sessions of the watchdog race")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (!options.pg_cluster.empty() && options.new_pg_cluster) {
    std::cerr << "--pg-cluster and --new-pg-cluster: one or the other\n";
    return 2;
  }
  if (options.streams < options.instances) {
    std::cerr << "--streams: at least one per instance (--instances)\n";
    return 2;
  }
  options.seed = seed ? *seed : std::random_device()();
  return unitclock::crash::Run(options);
}

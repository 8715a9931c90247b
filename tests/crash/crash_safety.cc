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
//   crash_safety [--seed N] [--first-day YYYY-MM-DD] [--kills N] [--streams N]
//                [--unitclockd PATH] [--work-dir DIR] ...   (--help lists all)
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

// The daemon's command line. The watchdog is kept out of the way (first scan
// an hour after start): the sessions are days old, and a scan that closed a
// session still being streamed would rightly make the two runs differ.
std::vector<std::string> DaemonArgv(const std::string& unitclockd, const std::string& policy_dir,
                                    const DaemonFiles& files, const Auth& auth) {
  std::vector<std::string> argv = {unitclockd,
                                   "--listen=127.0.0.1:0",
                                   "--port-file=" + files.port_file,
                                   "--db=" + files.db,
                                   "--policy-dir=" + policy_dir,
                                   "--log-level=info",
                                   "--watchdog-interval-s=3600",
                                   "--session-timeout-s=86400",
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
  std::optional<Endpoint> AwaitEndpoint(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return serving_; })) return std::nullopt;
    return Endpoint{generation_, target_};
  }

  // The serving endpoint's address (empty while down).
  std::string target() const {
    std::lock_guard<std::mutex> lock(mu_);
    return serving_ ? target_ : "";
  }

  // The last `lines` lines of the daemon's log (all generations).
  std::string LogTail(std::size_t lines = 30) const {
    const std::string log = testing::ReadFile(files_.log);
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
  explicit Progress(std::size_t messages)
      : sends(messages, 0), outcome(messages, v1::EventAcknowledgement::OUTCOME_UNSPECIFIED) {}

  std::vector<int> sends;        // how many times each message was written to a stream
  std::vector<Outcome> outcome;  // its acknowledgement (UNSPECIFIED until acknowledged)

  std::mutex mu;
  std::condition_variable cv;
  std::size_t acked = 0;    // messages acknowledged so far (guarded by mu)
  int workers_running = 0;  // stream workers not yet finished (guarded by mu)

  std::atomic<std::size_t> recorded{0};
  std::atomic<std::size_t> already_recorded{0};
  std::atomic<std::size_t> rejected{0};  // events rejected (each a failure)
  std::atomic<std::size_t> refused{0};   // messages to refuse, refused as they must be
  std::atomic<std::size_t> resends{0};
  std::atomic<std::size_t> streams_opened{0};
  std::atomic<std::size_t> stream_failures{0};      // streams that ended before their work was done
  std::atomic<std::size_t> unexpected_failures{0};  // ... while the daemon was not being killed
  std::mutex codes_mu;
  std::map<std::string, int> failure_codes;  // status code name -> count

  // Counts one acknowledgement and wakes the killer.
  void Acked() {
    std::lock_guard<std::mutex> lock(mu);
    ++acked;
    cv.notify_all();
  }

  // Counts a worker that has finished (or given up) and wakes the killer.
  void WorkerDone() {
    std::lock_guard<std::mutex> lock(mu);
    --workers_running;
    cv.notify_all();
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
// the stream breaks it waits for the daemon to serve again and resends every
// message without an acknowledgement, with the same ids, on a new stream.
class StreamWorker {
 public:
  StreamWorker(int number, Daemon& daemon, const Auth& auth, const std::vector<Message>& messages,
               std::vector<std::size_t> mine, std::size_t window, Progress& progress,
               Failures& failures)
      : number_(number),
        daemon_(daemon),
        auth_(auth),
        messages_(messages),
        mine_(std::move(mine)),
        window_(window),
        progress_(progress),
        failures_(failures) {}

  // Runs until every message of this worker is acknowledged, or gives up
  // (reported as a failure) when the daemon stays down.
  void Run() {
    int failed_generation = 0;
    while (next_ack_ < mine_.size()) {
      const std::optional<Daemon::Endpoint> endpoint = daemon_.AwaitEndpoint(60s);
      if (!endpoint) {
        failures_.Add("stream " + std::to_string(number_) + ": " + daemon_.name() +
                      " did not serve again within 60 s");
        return;
      }
      if (endpoint->generation == failed_generation) {
        // The stream failed although this daemon was not killed: count it,
        // then retry like a client would.
        ++progress_.unexpected_failures;
        std::this_thread::sleep_for(100ms);
      }
      if (!RunStream(endpoint->target)) failed_generation = endpoint->generation;
    }
  }

 private:
  // One PublishEvents stream. True when every message got its
  // acknowledgement; false when the stream broke first.
  bool RunStream(const std::string& target) {
    auto stream = std::make_unique<RawPublishStream>(target, auth_);
    ++progress_.streams_opened;
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
    ++progress_.stream_failures;
    std::lock_guard<std::mutex> lock(progress_.codes_mu);
    ++progress_.failure_codes[CodeName(status.error_code())];
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
    progress_.Acked();
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
  Daemon& daemon_;
  const Auth& auth_;
  const std::vector<Message>& messages_;
  const std::vector<std::size_t> mine_;  // message numbers, in sending order
  const std::size_t window_;
  Progress& progress_;
  Failures& failures_;
  std::size_t next_ack_ = 0;  // index in mine_ of the oldest unacknowledged message
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

// Starts `streams` workers on `daemon`, each with every `streams`-th
// session (session after session, each session's events in time order, the
// messages to refuse among them), and returns their threads.
std::vector<std::thread> StartWorkers(std::vector<std::unique_ptr<StreamWorker>>& workers,
                                      Daemon& daemon, const Auth& auth, const Workload& workload,
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
  }
  std::vector<std::thread> threads;
  for (int w = 0; w < streams; ++w) {
    workers.push_back(std::make_unique<StreamWorker>(
        w + 1, daemon, auth, messages, std::move(per_stream[w]), window, progress, failures));
    threads.emplace_back([worker = workers.back().get(), &progress] {
      worker->Run();
      progress.WorkerDone();
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
// Reading back

// Reads what a daemon holds, through a channel of its own.
class Reader {
 public:
  Reader(const std::string& target, const Auth& auth)
      : channel_(NewChannel(target)),
        sessions_(v1::SessionService::NewStub(channel_)),
        coding_(v1::CodingService::NewStub(channel_)),
        auth_(auth) {}

  // Every session id, by ListSessions page by page.
  grpc::Status ListSessionIds(std::vector<std::string>& ids) {
    v1::ListSessionsRequest request;
    request.set_page_size(1000);
    request.set_view(v1::SESSION_VIEW_BASIC);
    do {
      v1::ListSessionsResponse response;
      grpc::Status status =
          sessions_->ListSessions(MakeContext(auth_, 30s).get(), request, &response);
      if (!status.ok()) return status;
      for (const v1::Session& s : response.sessions()) ids.push_back(s.session_id());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return grpc::Status::OK;
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
};

// Ends the run (killing the daemons first) if it takes longer than the
// limit, so that a hang fails with a message and leaves no process behind.
void StartTimeLimit(int seconds) {
  std::thread([seconds] {
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    Say("FAIL: time limit of " + std::to_string(seconds) + " s exceeded; killing the daemons");
    {
      std::lock_guard<std::mutex> lock(g_pids_mu);
      for (pid_t pid : g_pids) kill(pid, SIGKILL);
    }
    std::_Exit(1);
  }).detach();
}

struct KillCounts {
  int streaming = 0;       // kills while events were streaming
  int startup = 0;         // kills of a restarting daemon
  int after_last_ack = 0;  // kills after the last acknowledgement
  int total() const { return streaming + startup + after_last_ack; }
};

// Publishes every event to `daemon` with its workers and, when `plan` is not
// empty, kills and restarts the daemon at each kill point. Returns false
// (with failures added) when the daemon could not be (re)started.
bool Publish(Daemon& daemon, const Auth& auth, const Workload& workload,
             const std::vector<Message>& messages, const Options& options,
             const std::vector<KillPoint>& plan, Progress& progress, Failures& failures,
             KillCounts& kills) {
  std::vector<std::unique_ptr<StreamWorker>> workers;
  std::vector<std::thread> threads =
      StartWorkers(workers, daemon, auth, workload, messages, options.streams, options.window,
                   progress, failures);
  bool ok = true;
  for (std::size_t i = 0; i < plan.size() && ok; ++i) {
    const KillPoint& k = plan[i];
    {
      std::unique_lock<std::mutex> lock(progress.mu);
      progress.cv.wait(
          lock, [&] { return progress.acked >= k.after_acks || progress.workers_running == 0; });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(k.delay_ms));
    const std::size_t acked = progress.acked_now();
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
    Say("kill " + std::to_string(i + 1) + " at " + std::to_string(acked) + "/" +
        std::to_string(messages.size()) + " acknowledged (planned " + std::to_string(k.after_acks) +
        " +" + std::to_string(k.delay_ms) + " ms)" + note + ", serving again after " +
        std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - restart).count()) +
        " ms");
  }
  // If the daemon did not come back, the workers give up after 60 s.
  for (std::thread& t : threads) t.join();
  return ok;
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

  Failures failures;

  // The crash run.
  const DaemonFiles crash_files{(dir / "crash" / "unitclock.db").string(),
                                (dir / "crash.port").string(), (dir / "crash.log").string()};
  std::filesystem::create_directories(dir / "crash");
  Daemon crashed("crash-run daemon",
                 DaemonArgv(options.unitclockd, options.policy_dir, crash_files, auth),
                 crash_files);
  const KillPlan plan = PlanKills(options.seed, options.kills, messages.size());
  KillCounts kills;
  if (plan.first_start_kill_ms) {
    crashed.Spawn();
    std::this_thread::sleep_for(std::chrono::milliseconds(*plan.first_start_kill_ms));
    if (!crashed.Kill()) {
      failures.Add("the first start had ended by itself; log:\n" + crashed.LogTail());
    }
    ++kills.startup;
    Say("first start, on the fresh database, killed after " +
        std::to_string(*plan.first_start_kill_ms) + " ms");
  }
  crashed.Spawn();
  if (!crashed.WaitServing()) {
    std::cerr << "unitclockd did not start; log:\n" << crashed.LogTail() << "\n";
    return failures.count() > 0 ? 1 : 2;
  }
  Progress progress(messages.size());
  const auto crash_start = Clock::now();
  Publish(crashed, auth, workload, messages, options, plan.points, progress, failures, kills);
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

  // One more kill after the last acknowledgement: what is read back must
  // have survived a crash.
  if (!crashed.Kill()) failures.Add("the crash-run daemon had ended before the final kill");
  ++kills.after_last_ack;
  crashed.Spawn();
  if (!crashed.WaitServing()) {
    failures.Add("crash-run daemon did not restart after the final kill; log:\n" +
                 crashed.LogTail());
    return 1;
  }
  std::map<std::string, int> codes;
  {
    std::lock_guard<std::mutex> lock(progress.codes_mu);
    codes = progress.failure_codes;
  }
  std::string code_text;
  for (const auto& [code, n] : codes) code_text += " " + code + "=" + std::to_string(n);
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
      std::to_string(progress.stream_failures) + " broken (" +
      (code_text.empty() ? " none" : code_text.substr(1)) + "), " +
      std::to_string(progress.unexpected_failures) + " without a kill; " + crash_time);
  // A kill breaks a stream with UNAVAILABLE; one that reached its deadline
  // waited for acknowledgements a serving daemon never sent.
  if (codes.count("DEADLINE_EXCEEDED") > 0) {
    failures.Add("crash run: " + std::to_string(codes["DEADLINE_EXCEEDED"]) +
                 " streams waited until their deadline for acknowledgements");
  }

  // The uninterrupted run, on a fresh database.
  const DaemonFiles reference_files{(dir / "reference" / "unitclock.db").string(),
                                    (dir / "reference.port").string(),
                                    (dir / "reference.log").string()};
  std::filesystem::create_directories(dir / "reference");
  Daemon reference("uninterrupted-run daemon",
                   DaemonArgv(options.unitclockd, options.policy_dir, reference_files, auth),
                   reference_files);
  reference.Spawn();
  if (!reference.WaitServing()) {
    failures.Add("the uninterrupted-run daemon did not start; log:\n" + reference.LogTail());
    return 1;
  }
  Progress reference_progress(messages.size());
  KillCounts no_kills;
  const auto reference_start = Clock::now();
  Publish(reference, auth, workload, messages, options, {}, reference_progress, failures, no_kills);
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

  // Check (a), then (b).
  std::size_t found = 0;
  {  // the readers' connections close before the daemons stop
    Reader crash_reader(crashed.target(), auth);
    Reader reference_reader(reference.target(), auth);
    std::map<std::string, v1::Session> crash_sessions;
    const std::size_t before_a = failures.count();
    std::size_t formula_sessions = 0;
    CheckExactlyOnce(crash_reader, workload, crash_sessions, failures, found, formula_sessions);
    Say("found " + std::to_string(found) + " events in " + std::to_string(crash_sessions.size()) +
        " sessions after the final restart (" + std::to_string(formula_sessions) +
        " with formula-like references), looked for the " +
        std::to_string(workload.refused.size()) + " refused messages: " +
        (failures.count() == before_a
             ? "each acknowledged event exactly once, as sent, none refused"
             : "MISMATCH (see above)"));
    const std::size_t before_b = failures.count();
    const SuggestionFigures figures =
        CompareWithReference(crash_reader, reference_reader, workload, crash_sessions, failures);
    if (figures.units == 0) failures.Add("no unit suggested at all: the comparison proves nothing");
    Say("compared with the uninterrupted run: " + std::to_string(workload.sessions.size()) +
        " sessions (events, timelines) and " + std::to_string(figures.requests) +
        " SuggestCodes answers (" + std::to_string(workload.patient_days.size()) +
        " patient-days, " + std::to_string(workload.sessions.size()) + " sessions; " +
        std::to_string(figures.suggestions) + " suggestions, " + std::to_string(figures.lines) +
        " lines, " + std::to_string(figures.units) +
        " units): " + (failures.count() == before_b ? "identical" : "MISMATCH (see above)"));
  }

  if (!crashed.Terminate()) failures.Add("the crash-run daemon did not stop cleanly on SIGTERM");
  if (!reference.Terminate()) {
    failures.Add("the uninterrupted-run daemon did not stop cleanly on SIGTERM");
  }
  if (failures.count() > 0) {
    Say("FAILED with " + std::to_string(failures.count()) + " problems (seed " +
        std::to_string(options.seed) + ", first day " + FormatDate(wo.first_day) + ") in " +
        Elapsed(run_start) + "; databases and daemon logs kept in " + dir.string());
    return 1;
  }
  Say("PASS: seed " + std::to_string(options.seed) + ", " + std::to_string(kills.total()) +
      " kills, " + std::to_string(progress.recorded + progress.already_recorded) +
      " events acknowledged, " + std::to_string(found) + " found, " + Elapsed(run_start));
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
  CLI11_PARSE(app, argc, argv);
  options.seed = seed ? *seed : std::random_device()();
  return unitclock::crash::Run(options);
}

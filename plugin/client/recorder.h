#pragma once

// The platform client library: record session events without waiting for
// the server. Each call buffers its event in a local SQLite file and returns
// the event's id at once; a background thread streams the buffer to
// unitclockd over PublishEvents and removes each event only once the server
// has acknowledged it. Events left in the buffer by a previous run (a crash,
// a restart) are sent when the next Recorder opens the same file. The server
// stores an event id once, so resending is harmless: each event takes effect
// exactly once.
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "unitclock/v1/event.pb.h"
#include "unitclock/v1/session_service.pb.h"

namespace unitclock::client {

// How delivery is going, as Recorder::Status() returns it and
// RecorderOptions::on_status reports it.
struct DeliveryStatus {
  // Events in the buffer: recorded, not yet acknowledged by the server.
  std::int64_t buffered = 0;
  // Age of the oldest event in the buffer (zero when it is empty): how far
  // delivery lags behind recording.
  std::chrono::milliseconds lag{0};
  // Whether a stream to the server is open and working (a write or an
  // acknowledgement went through on it).
  bool connected = false;
  // Events acknowledged (recorded, already recorded or rejected) since Open.
  std::int64_t acknowledged_total = 0;
  // The last stream or buffer error, e.g. "PublishEvents: UNAVAILABLE: ...";
  // empty if none happened since Open or since the last acknowledgement.
  // An acknowledgement from the server clears it (and last_error_code and
  // last_error_at): delivery works again. So a set last_error means that
  // no acknowledgement came since that error, and alerting on it, or on
  // its code, reports a current problem, not one already healed.
  std::string last_error;
  // Its gRPC status code (UNAVAILABLE for a buffer error; OK if none). The
  // library keeps retrying whatever it is, but UNAUTHENTICATED and
  // PERMISSION_DENIED (a wrong token or role) will not heal by themselves:
  // alert on them.
  grpc::StatusCode last_error_code = grpc::StatusCode::OK;
  // When last_error happened (wall clock); the epoch if none.
  std::chrono::system_clock::time_point last_error_at{};
};

// The server's answer to one event, reported once the event left the buffer.
struct Acknowledgement {
  std::string event_id;
  std::string session_id;
  // OUTCOME_RECORDED, OUTCOME_ALREADY_RECORDED (sent before, e.g. resent
  // after a lost acknowledgement) or OUTCOME_REJECTED. A rejected event is
  // never resent: resending an invalid event cannot succeed.
  v1::EventAcknowledgement::Outcome outcome = v1::EventAcknowledgement::OUTCOME_UNSPECIFIED;
  int error_code = 0;         // when rejected: a gRPC status code, e.g. 3 INVALID_ARGUMENT
  std::string error_message;  // when rejected: names the field and the reason
  bool rejected() const { return outcome == v1::EventAcknowledgement::OUTCOME_REJECTED; }
};

struct RecorderOptions {
  // The server, or the instances of one service sharing one database:
  //   "127.0.0.1:50051"                    one instance;
  //   "10.0.0.1:50051,10.0.0.2:50051"      several, by address (all IPv4,
  //                                        or all IPv6 in brackets);
  //   "dns:///unitclock.internal:50051"    several, one DNS name with an
  //                                        address for each (gRPC resolves
  //                                        it again when a connection fails,
  //                                        at most every 30 s);
  // or any target in gRPC's own syntax ("ipv4:", "ipv6:", "unix:"). A list
  // of names is refused (Debian 12's gRPC cannot take one): use the DNS
  // form. The channel keeps a connection to every instance and opens each
  // stream on the next ready one (gRPC's round_robin); see "Several
  // instances" below.
  std::string target;
  // Transport credentials; null means plaintext (a loopback server only).
  // Shared with the gRPC channel, which keeps it.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Bearer token with the role "platform"; sent on every stream.
  std::string token;
  // The buffer file; created if missing (its folder must exist). One
  // Recorder at a time may use it.
  std::string buffer_path;
  // The most events the buffer holds; a call beyond it is refused (see
  // Recorder). Buffered events are never dropped.
  std::int64_t max_buffered_events = 100000;
  // Reconnection: exponential backoff with full jitter (a random wait
  // between zero and min(max_backoff, initial_backoff * 2^attempt)).
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
  // Events written to the stream ahead of their acknowledgements.
  int window = 64;
  // HTTP/2 keepalive: while a stream is open, ping the server after this
  // long without hearing from it, and treat the connection as dead if no
  // answer comes within keepalive_timeout. This notices a path that drops
  // packets silently (a NAT or load balancer that forgot the connection),
  // which TCP alone would notice only after many minutes. Zero turns it
  // off; otherwise at least 10 s (unitclockd refuses pings more frequent
  // than every 5 s).
  std::chrono::milliseconds keepalive_interval{30000};
  std::chrono::milliseconds keepalive_timeout{10000};
  // Called on the library's thread on each change of connection, and at
  // most once a second otherwise while something changes. Must not block
  // and must not destroy the Recorder. Optional.
  std::function<void(const DeliveryStatus&)> on_status;
  // Called on the library's thread once per acknowledged event, in the
  // order the events were recorded, after it left the buffer (a crash in
  // between loses the report, never duplicates it). Check rejected(): a
  // rejected event needs fixing and recording again with a new id. Must not
  // block, must not call Flush and must not destroy the Recorder. Optional.
  std::function<void(const Acknowledgement&)> on_acknowledged;
};

// Records the events of a platform's sessions and delivers them.
//
// Each recording call checks its arguments, gives the event a new id (a
// UUID version 7: ids sort by creation), appends it to the buffer and
// returns the id; it never waits for the network. Errors:
// INVALID_ARGUMENT naming the field (an empty or malformed session id, an
// empty activity id, a time before 1970); RESOURCE_EXHAUSTED when the buffer
// holds max_buffered_events (the event is not buffered: the policy is to
// refuse new events, never to drop buffered ones; retry once the lag
// shrinks); UNAVAILABLE if the buffer file cannot be written. Everything
// else (an unknown time zone, say) is the server's to check: such an event
// is reported through on_acknowledged as rejected.
//
// Several instances (RecorderOptions::target naming more than one): delivery
// uses one stream at a time, on one instance; the others only keep a
// connection ready, so one of them dying costs nothing. When the stream's
// instance dies (the stream fails) or shuts down (it ends the stream after
// acknowledging what it read), the next stream opens after the usual
// backoff on another ready instance (round_robin skips the ones it cannot
// reach) and sends again every event not yet acknowledged. Each instance
// stores into the same database, where an event id is stored once, so an
// event the dead instance stored but could not acknowledge comes back
// OUTCOME_ALREADY_RECORDED; nothing acknowledged is sent again (it left the
// buffer), and nothing unacknowledged is dropped. Between the two streams
// Status().connected is false (last_error names the failure, if the stream
// failed), typically for no longer than initial_backoff.
//
// Durability: the buffer is SQLite in WAL mode with synchronous=NORMAL. An
// event whose call returned survives a crash of the platform's process; a
// crash of the machine or a power cut may lose the last events recorded
// before it (the log is synced at checkpoints, not at each event).
//
// Thread-safe: any thread may call any method, except that the destructor
// must not run concurrently with other calls.
class Recorder {
 public:
  using Time = std::chrono::system_clock::time_point;  // kept at millisecond precision

  // Opens or creates the buffer and starts the delivery thread, which sends
  // what a previous run left first. INVALID_ARGUMENT for a target that is
  // empty, malformed (a list with a name or without ports, IPv4 mixed with
  // IPv6) or refused by gRPC, an empty buffer path, a window below 1 or a
  // limit below 1; each names the option. FAILED_PRECONDITION if another
  // Recorder holds the buffer; UNAVAILABLE if it cannot be opened.
  static absl::StatusOr<std::unique_ptr<Recorder>> Open(RecorderOptions options);

  // Stops the delivery thread. Events not yet acknowledged stay in the
  // buffer for the next Open. Returns within about a second.
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  absl::StatusOr<std::string> SessionStarted(std::string_view session_id, Time time,
                                             const v1::SessionStarted& started);
  // `assistant_ref` only for PARTICIPANT_ASSISTANT.
  absl::StatusOr<std::string> ParticipantJoined(std::string_view session_id, Time time,
                                                v1::Participant participant,
                                                std::string_view assistant_ref = {});
  absl::StatusOr<std::string> ParticipantLeft(std::string_view session_id, Time time,
                                              v1::Participant participant,
                                              std::string_view assistant_ref = {});
  absl::StatusOr<std::string> MediaChanged(std::string_view session_id, Time time,
                                           v1::Modality modality);
  // `cpt_code` optional: when set it wins over `kind`.
  absl::StatusOr<std::string> ActivityStarted(std::string_view session_id, Time time,
                                              std::string_view activity_id, v1::ActivityKind kind,
                                              v1::Participant performed_by,
                                              std::string_view cpt_code = {});
  absl::StatusOr<std::string> ActivityEnded(std::string_view session_id, Time time,
                                            std::string_view activity_id);
  absl::StatusOr<std::string> Liveness(std::string_view session_id, Time time,
                                       std::string_view activity_id, std::string_view signal);
  absl::StatusOr<std::string> Stopped(std::string_view session_id, Time time,
                                      v1::StopReason reason);

  // Records an event built by the caller, for platforms that already hold
  // unitclock.v1.Event messages or keep ids of their own. session_id,
  // occurred_at and one payload are required. An empty event_id gets a new
  // one, as above; a set one is kept (same rules as a session id). Keep your
  // own ids when your platform may emit the same event again after a crash
  // of its own: the server stores each id once. sequence_number is kept as
  // given. Returns the event id.
  absl::StatusOr<std::string> Record(v1::Event event);

  // How delivery is going now.
  DeliveryStatus Status() const;

  // Waits until the buffer is empty (every event acknowledged, and its
  // on_acknowledged call returned) or `timeout` passed; returns whether it
  // is empty. Events recorded meanwhile count.
  bool Flush(std::chrono::milliseconds timeout);

  class Impl;  // plugin/client/recorder.cc

 private:
  explicit Recorder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace unitclock::client

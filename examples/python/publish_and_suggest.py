#!/usr/bin/python3
"""publish_and_suggest.py: a telehealth platform's integration with unitclock in Python.

Reads a scenario file (examples/scenario/scenario.h describes the format),
streams its events over SessionService.PublishEvents, checks that every event
was acknowledged as recorded (or already recorded), then asks
CodingService.SuggestCodes for the patient's date of service and prints the
suggested CPT lines and warnings, e.g.

  suggestion for 2026-11-27 (medicare, UNIT_METHOD_MEDICARE_POOLED):
    97110 x2 GP 95, POS 10  (25 min)

Needs Debian's python3-grpcio and python3-protobuf, run with /usr/bin/python3,
and the Python code generated from proto/unitclock/v1/*.proto (not committed):

  examples/python/generate.sh [OUT]     # default examples/python/gen
  UNITCLOCK_TOKEN=$(cat var/dev-token) /usr/bin/python3 examples/python/publish_and_suggest.py \\
      [--target 127.0.0.1:50051] [--token-file FILE] [--ca-cert PEM] \\
      [--scenario examples/scenarios/video_exercise_30min.json] [--gen-dir OUT]

--gen-dir defaults to $UNITCLOCK_PYTHON_GEN_DIR, else examples/python/gen (next
to this script, whatever the current folder).

The platform comes from the token: CallerService.GetCaller says which it is (a
scenario may leave session_started.platform out; one naming another platform
is refused before anything is sent).

Exit status: 0 when every event was recorded or already recorded and a
suggestion came back, 1 when one was rejected (or unacknowledged), the token is
of another platform or no suggestion came back, 2 when a call failed or the
input was unusable.
"""
import argparse
import datetime
import json
import os
import re
import sys
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def die(message, status=2):
    print(message, file=sys.stderr)
    sys.exit(status)


parser = argparse.ArgumentParser(
    description="Publish a scenario's events to unitclockd and print the suggested CPT lines.",
    epilog="The bearer token comes from --token-file or the environment variable UNITCLOCK_TOKEN.")
parser.add_argument("--target", default="127.0.0.1:50051")
parser.add_argument("--scenario",
                    default=os.path.join(REPO, "examples/scenarios/video_exercise_30min.json"))
parser.add_argument("--token-file")
parser.add_argument("--ca-cert", help="PEM of the CA that signed the server's certificate (TLS)")
parser.add_argument("--gen-dir",
                    default=os.environ.get("UNITCLOCK_PYTHON_GEN_DIR", os.path.join(HERE, "gen")),
                    help="where generate.sh put the generated code")
args = parser.parse_args()

try:
    import grpc
except ImportError:
    die("cannot import grpc: install Debian's python3-grpcio and run with /usr/bin/python3")
try:
    from google.protobuf import json_format
except ImportError:
    die("cannot import google.protobuf: install Debian's python3-protobuf and run with /usr/bin/python3")
sys.path.insert(0, args.gen_dir)
try:
    from unitclock.v1 import caller_pb2, caller_pb2_grpc, coding_pb2, coding_pb2_grpc, event_pb2
    from unitclock.v1 import session_service_pb2 as session_pb2, session_service_pb2_grpc
except ImportError as e:
    die(f"cannot import the generated code from {args.gen_dir} ({e}): "
        f"run examples/python/generate.sh {args.gen_dir}")

# The bearer token: a token with role "platform" (unitclock-token).
if args.token_file:
    with open(args.token_file, encoding="utf-8") as f:
        token = f.read().strip()
else:
    token = os.environ.get("UNITCLOCK_TOKEN", "").strip()
if not token:
    die("no token: set UNITCLOCK_TOKEN or pass --token-file")
metadata = [("authorization", f"Bearer {token}")]


# --- The scenario: {session_id, start_time, events: [{at: "MM:SS", <payload>: {...}}]}.
def parse_offset(text, index):
    m = re.fullmatch(r"(?:(\d+):)?(\d+):(\d+)", text if isinstance(text, str) else "")
    if not m or int(m[3]) > 59 or (m[1] is not None and int(m[2]) > 59):
        die(f'events[{index}].at: not "MM:SS" or "HH:MM:SS"')
    return int(m[1] or 0) * 3600 + int(m[2]) * 60 + int(m[3])


def load_scenario(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        start = datetime.datetime.fromisoformat(doc["start_time"].replace("Z", "+00:00"))
        session_id, raw_events = doc["session_id"], doc["events"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        die(f"{path}: needs session_id, start_time (RFC 3339) and events ({e!r})")
    events = []
    for i, raw in enumerate(raw_events):
        e = dict(raw)
        at = start + datetime.timedelta(seconds=parse_offset(e.pop("at", None), i))
        e.setdefault("event_id", f"{session_id}-{i + 1:03d}")
        e["session_id"] = session_id
        e["occurred_at"] = at.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
        try:  # payloads are in Protobuf's JSON form, enum values by name
            events.append((json_format.ParseDict(e, event_pb2.Event()), at))
        except json_format.ParseError as err:
            die(f"{path}: events[{i}]: {err}")
    return events


events = load_scenario(args.scenario)
started = next((ev.session_started for ev, _ in events if ev.HasField("session_started")), None)
if started is None:
    die(f"{args.scenario}: no session_started event")

# --- The calls.
if args.ca_cert:
    with open(args.ca_cert, "rb") as f:
        channel = grpc.secure_channel(args.target, grpc.ssl_channel_credentials(f.read()))
else:
    channel = grpc.insecure_channel(args.target)
sessions = session_service_pb2_grpc.SessionServiceStub(channel)
coding = coding_pb2_grpc.CodingServiceStub(channel)

# GetCaller: the token's platform, which every session_started must name.
try:
    me = caller_pb2_grpc.CallerServiceStub(channel).GetCaller(caller_pb2.GetCallerRequest(),
                                                              metadata=metadata)
except grpc.RpcError as e:
    die(f"GetCaller failed: {e.code().name} {e.details()}")
print(f"caller {me.token_id}: platform {me.platform}, roles {' '.join(me.roles)}")
for event, _ in events:
    if not event.HasField("session_started"):
        continue
    named = event.session_started.platform
    if not named:
        event.session_started.platform = me.platform
    elif named != me.platform:
        die(f'{args.scenario}: {event.event_id} names platform "{named}", but the token '
            f'{me.token_id} is of platform "{me.platform}": use a token of "{named}" or change '
            "the scenario (nothing was sent)", 1)
Outcome = session_pb2.EventAcknowledgement.Outcome
OK = (Outcome.Value("OUTCOME_RECORDED"), Outcome.Value("OUTCOME_ALREADY_RECORDED"))

# PublishEvents: one acknowledgement per event, in the order sent. A real
# platform keeps each event until its acknowledgement arrives and resends the
# unacknowledged ones, with the same ids, if the stream fails.
try:
    requests = (session_pb2.PublishEventsRequest(event=ev) for ev, _ in events)
    acks = [r.acknowledgement for r in sessions.PublishEvents(requests, metadata=metadata)]
except grpc.RpcError as e:
    die(f"PublishEvents failed: {e.code().name} {e.details()}")
bad = 0
counts = {}
for i, (event, _) in enumerate(events):
    if i >= len(acks):
        print(f"no ack for {event.event_id}")
        bad += 1
        continue
    ack = acks[i]
    outcome = Outcome.Name(ack.outcome)
    line = f"ack {ack.event_id} {outcome}"
    if ack.event_id != event.event_id:
        line += f" (expected the ack of {event.event_id})"
        bad += 1
    elif ack.outcome not in OK:
        line += f" code={ack.error_code} {ack.error_message}"
        bad += 1
    counts[outcome] = counts.get(outcome, 0) + 1
    print(line)
print(f"published {len(events)} events: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
if bad:
    die(f"{bad} of {len(events)} events were not recorded", 1)

# SuggestCodes for the patient on each date of service the session touches,
# in the clinic's time zone.
zone = zoneinfo.ZoneInfo(started.clinic_time_zone)
dates = sorted({at.astimezone(zone).date().isoformat() for _, at in events})
no_suggestion = 0
for date in dates:
    request = coding_pb2.SuggestCodesRequest(patient_day=coding_pb2.PatientDay(
        platform=me.platform, patient_ref=started.patient_ref, date_of_service=date))
    try:
        response = coding.SuggestCodes(request, metadata=metadata)
    except grpc.RpcError as e:
        die(f"SuggestCodes failed: {e.code().name} {e.details()}")
    if not response.suggestions:
        print(f"no suggestion for {date}")
        no_suggestion += 1
    for s in response.suggestions:
        print(f"suggestion for {s.date_of_service} ({s.payer_id}, "
              f"{coding_pb2.UnitMethod.Name(s.method_used)}):")
        for l in s.lines:
            modifiers = "".join(f" {m}" for m in l.modifiers)
            blocked = ", BLOCKED until a therapist overrides" if l.blocking else ""
            print(f"  {l.code} x{l.units}{modifiers}, POS {l.place_of_service}  "
                  f"({l.minutes} min{blocked})")
        for w in s.warnings:
            print(f"  warning {w.code} ({coding_pb2.Severity.Name(w.severity)}): {w.message}")
channel.close()
if no_suggestion:
    die(f"no suggestion for {no_suggestion} of {len(dates)} dates of service", 1)

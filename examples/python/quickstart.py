# examples/python/quickstart.py: README's Python snippet, run by ctest PythonExample.
# examples/python/generate.sh gen, then: PYTHONPATH=gen /usr/bin/python3 quickstart.py
# Exits 1 if an event is rejected or no line is suggested.
import os
import sys
import grpc  # Debian: python3-grpcio, python3-protobuf
from google.protobuf import json_format
from unitclock.v1 import caller_pb2, caller_pb2_grpc, coding_pb2, coding_pb2_grpc, event_pb2
from unitclock.v1 import session_service_pb2 as ss, session_service_pb2_grpc

target = os.environ.get("UNITCLOCK_TARGET", "127.0.0.1:50051")
channel = grpc.insecure_channel(target)  # TLS: grpc.ssl_channel_credentials(ca_pem)
md = [("authorization", "Bearer " + os.environ["UNITCLOCK_TOKEN"])]  # a token with role "platform"
# The token decides the platform: ask it rather than hard-code it.
me = caller_pb2_grpc.CallerServiceStub(channel).GetCaller(caller_pb2.GetCallerRequest(), metadata=md)
if "platform" not in me.roles:
    sys.exit(f'token {me.token_id} lacks the role "platform"')
started = {"platform": me.platform, "patient_ref": "pt-9a04c1", "provider_ref": "prov-17b3",
           "provider_role": "PROVIDER_ROLE_PT", "discipline": "DISCIPLINE_PHYSICAL_THERAPY",
           "payer_id": "medicare", "clinic_time_zone": "America/Chicago",
           "patient_location": "PATIENT_LOCATION_HOME", "planned_modality": "MODALITY_AUDIO_VIDEO"}
payloads = [(0, {"session_started": started}),
            (1, {"participant_joined": {"participant": "PARTICIPANT_PROVIDER"}}),
            (1, {"participant_joined": {"participant": "PARTICIPANT_PATIENT"}}),
            (1, {"media_changed": {"modality": "MODALITY_AUDIO_VIDEO"}}),
            (2, {"activity_started": {"activity_id": "ex-1", "performed_by": "PARTICIPANT_PROVIDER",
                                      "kind": "ACTIVITY_KIND_THERAPEUTIC_EXERCISE"}}),
            (27, {"activity_ended": {"activity_id": "ex-1"}}),
            (30, {"session_stopped": {"reason": "STOP_REASON_ENDED"}})]
events = [json_format.ParseDict(dict(p, event_id=f"acme-visit-8813-{i}",
                                     session_id="acme-visit-8813",
                                     occurred_at=f"2026-11-27T15:{m:02d}:00Z"), event_pb2.Event())
          for i, (m, p) in enumerate(payloads)]

# One ack per event, in order; on grpc.RpcError resend the unacknowledged events, same ids.
requests = (ss.PublishEventsRequest(event=e) for e in events)
rejected = 0
for r in session_service_pb2_grpc.SessionServiceStub(channel).PublishEvents(requests, metadata=md):
    a = r.acknowledgement
    rejected += a.outcome == ss.EventAcknowledgement.OUTCOME_REJECTED
    print(a.event_id, ss.EventAcknowledgement.Outcome.Name(a.outcome), a.error_message)
if rejected:
    sys.exit(f"{rejected} event(s) rejected: fix them and record them again")
day = coding_pb2.PatientDay(patient_ref="pt-9a04c1", date_of_service="2026-11-27")
request = coding_pb2.SuggestCodesRequest(patient_day=day)
response = coding_pb2_grpc.CodingServiceStub(channel).SuggestCodes(request, metadata=md)
lines = [l for s in response.suggestions for l in s.lines]
if not lines:
    sys.exit("no suggested line for 2026-11-27")
for l in lines:
    print(l.code, f"x{l.units}", " ".join(l.modifiers), "POS", l.place_of_service)

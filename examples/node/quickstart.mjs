// examples/node/quickstart.mjs: docs/client-library.md's Node snippet, run by ctest NodeExample.
// Packages: export NODE_PATH=$(scripts/npm_ci.sh examples/node) (pinned, installed outside the
// checkout). Run from any folder with UNITCLOCK_TOKEN set. Exits 1 if an event is rejected or
// no line is suggested.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const require = createRequire(import.meta.url);  // follows NODE_PATH, unlike import
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protoDir = fileURLToPath(new URL('../../proto', import.meta.url));  // next to this file
const def = protoLoader.loadSync(['unitclock/v1/session_service.proto',
  'unitclock/v1/coding.proto', 'unitclock/v1/caller.proto'],
  { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [protoDir] });
const v1 = grpc.loadPackageDefinition(def).unitclock.v1;
const creds = grpc.credentials.createInsecure();  // TLS: grpc.credentials.createSsl(caPem)
const target = process.env.UNITCLOCK_TARGET ?? '127.0.0.1:50051';
const sessions = new v1.SessionService(target, creds);
const coding = new v1.CodingService(target, creds);
const md = new grpc.Metadata();
md.add('authorization', `Bearer ${process.env.UNITCLOCK_TOKEN}`);  // a token with role "platform"
const fail = (msg) => { console.error(msg); process.exit(1); };
// The token decides the platform: ask it rather than hard-code it.
const me = await new Promise((ok) => new v1.CallerService(target, creds).GetCaller({}, md,
  (err, res) => (err ? fail(`GetCaller: ${err.message}`) : ok(res))));
if (!me.roles.includes('platform')) fail(`token ${me.token_id} lacks the role "platform"`);
const started = { platform: me.platform, patient_ref: 'pt-7e21b0', provider_ref: 'prov-17b3',
  provider_role: 'PROVIDER_ROLE_PT', discipline: 'DISCIPLINE_PHYSICAL_THERAPY',
  payer_id: 'medicare', clinic_time_zone: 'America/Chicago',
  patient_location: 'PATIENT_LOCATION_HOME', planned_modality: 'MODALITY_AUDIO_VIDEO' };
const events = [[0, { session_started: started }],
  [1, { participant_joined: { participant: 'PARTICIPANT_PROVIDER' } }],
  [1, { participant_joined: { participant: 'PARTICIPANT_PATIENT' } }],
  [1, { media_changed: { modality: 'MODALITY_AUDIO_VIDEO' } }],
  [2, { activity_started: { activity_id: 'ex-1', kind: 'ACTIVITY_KIND_THERAPEUTIC_EXERCISE',
    performed_by: 'PARTICIPANT_PROVIDER' } }],
  [27, { activity_ended: { activity_id: 'ex-1' } }],
  [30, { session_stopped: { reason: 'STOP_REASON_ENDED' } }]];

// One ack per event, in the order written: keep each event until its ack arrives.
let rejected = 0;
const call = sessions.PublishEvents(md);
call.on('data', ({ acknowledgement: a }) => {
  if (a.outcome === 'OUTCOME_REJECTED') rejected++;
  console.log(a.event_id, a.outcome, a.error_message);
});
call.on('error', (e) => fail(`resend the unacknowledged events, same ids: ${e.message}`));
call.on('end', () => {
  if (rejected > 0) fail(`${rejected} event(s) rejected: fix them and record them again`);
  coding.SuggestCodes({ patient_day: { patient_ref: 'pt-7e21b0', date_of_service: '2026-11-27' } },
    md, (err, res) => {
      if (err) fail(`SuggestCodes: ${err.message}`);
      const lines = res.suggestions.flatMap((s) => s.lines);
      if (lines.length === 0) fail('no suggested line for 2026-11-27');
      for (const l of lines)
        console.log(l.code, `x${l.units}`, l.modifiers.join(' '), `POS ${l.place_of_service}`);
      process.exit(0);
    });
});
events.forEach(([minute, payload], i) => call.write({ event: { event_id: `acme-visit-8812-${i}`,
  session_id: 'acme-visit-8812', occurred_at: { seconds: 1795791600 + 60 * minute },  // 15:00Z
  ...payload } }));
call.end();

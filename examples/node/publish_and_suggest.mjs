#!/usr/bin/env node
// publish_and_suggest.mjs: a telehealth platform's integration with unitclock
// in Node.js. Reads a scenario file (examples/scenario/scenario.h describes
// the format), streams its events over SessionService.PublishEvents, checks
// that every event was acknowledged as recorded (or already recorded), then
// asks CodingService.SuggestCodes for the patient's date of service and
// prints the suggested CPT lines and warnings, e.g.
//
//   suggestion for 2026-11-27 (medicare, UNIT_METHOD_MEDICARE_POOLED):
//     97110 x2 GP 95, POS 10  (25 min)
//
//   export NODE_PATH=$(scripts/npm_ci.sh examples/node)   # packages, outside the checkout
//   UNITCLOCK_TOKEN=$(cat var/dev-token) node examples/node/publish_and_suggest.mjs \
//       [--target 127.0.0.1:50051] [--token-file FILE] [--ca-cert PEM] \
//       [--scenario examples/scenarios/video_exercise_30min.json]
//
// The platform comes from the token: CallerService.GetCaller says which it is
// (a scenario may leave session_started.platform out; one naming another
// platform is refused before anything is sent). The .proto files are loaded
// at run time from the repository's proto/ folder next to this script, so it
// runs from any folder (--proto-dir to change). Exit status: 0 when every
// event was recorded or already recorded and a suggestion came back, 1 when
// one was rejected (or unacknowledged), the token is of another platform or
// no suggestion came back, 2 when a call failed or the input was unusable.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// The packages come through require, which follows NODE_PATH (scripts/npm_ci.sh
// installs them outside the checkout); an ES module import would not.
const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

function die(message, status = 2) {
  console.error(message);
  process.exit(status);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      target: { type: 'string', default: '127.0.0.1:50051' },
      scenario: { type: 'string', default: path.join(repo, 'examples/scenarios/video_exercise_30min.json') },
      'token-file': { type: 'string' },
      'ca-cert': { type: 'string' },
      'proto-dir': { type: 'string', default: path.join(repo, 'proto') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  die(`${e.message}\nusage: publish_and_suggest.mjs [--target HOST:PORT] [--scenario FILE] ` +
    '[--token-file FILE] [--ca-cert PEM] [--proto-dir DIR]');
}
if (args.help) {
  console.log('usage: publish_and_suggest.mjs [--target HOST:PORT] [--scenario FILE] ' +
    '[--token-file FILE] [--ca-cert PEM] [--proto-dir DIR]\n' +
    'The bearer token comes from --token-file or the environment variable UNITCLOCK_TOKEN.');
  process.exit(0);
}

// The bearer token: a token with role "platform" (unitclock-token).
const token = args['token-file']
  ? fs.readFileSync(args['token-file'], 'utf8').trim()
  : (process.env.UNITCLOCK_TOKEN ?? '').trim();
if (!token) die('no token: set UNITCLOCK_TOKEN or pass --token-file');

// --- The API, loaded from the .proto files at run time.
const protoDir = args['proto-dir'];
const packageDefinition = protoLoader.loadSync(
  ['session_service.proto', 'coding.proto', 'caller.proto'].map((f) => path.join(protoDir, 'unitclock/v1', f)),
  // google/protobuf/timestamp.proto is bundled with protobufjs.
  { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [protoDir] });
const v1 = grpc.loadPackageDefinition(packageDefinition).unitclock.v1;

// --- The scenario: {session_id, start_time, events: [{at: "MM:SS", <payload>: {...}}]}.
const toSnake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
// Protobuf JSON accepts lowerCamel and snake_case names; keepCase wants snake_case.
function snakeKeys(value) {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [toSnake(k), snakeKeys(v)]));
}

function parseOffset(text, index) {
  const m = /^(?:(\d+):)?(\d+):(\d+)$/.exec(text ?? '');
  if (!m || Number(m[3]) > 59 || (m[1] !== undefined && Number(m[2]) > 59)) {
    die(`events[${index}].at: not "MM:SS" or "HH:MM:SS"`);
  }
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

function loadScenario(file) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    die(`${file}: ${e.message}`);
  }
  const startMs = Date.parse(doc.start_time);
  if (typeof doc.session_id !== 'string' || Number.isNaN(startMs) || !Array.isArray(doc.events)) {
    die(`${file}: needs session_id, start_time (RFC 3339) and events`);
  }
  const events = doc.events.map((raw, i) => {
    const { at, ...rest } = snakeKeys(raw);
    const atMs = startMs + parseOffset(at, i) * 1000;
    return {
      ...rest,
      event_id: rest.event_id ?? `${doc.session_id}-${String(i + 1).padStart(3, '0')}`,
      session_id: doc.session_id,
      occurred_at: { seconds: String(Math.floor(atMs / 1000)), nanos: (atMs % 1000) * 1e6 },
      atMs,
    };
  });
  return { sessionId: doc.session_id, events };
}

// "YYYY-MM-DD" of an instant in an IANA time zone.
function localDate(ms, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(new Date(ms));
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const scenario = loadScenario(args.scenario);
const started = scenario.events.find((e) => e.session_started);
if (!started) die(`${args.scenario}: no session_started event`);
const { patient_ref, clinic_time_zone } = started.session_started;

// --- The calls.
const credentials = args['ca-cert']
  ? grpc.credentials.createSsl(fs.readFileSync(args['ca-cert']))
  : grpc.credentials.createInsecure();
const sessions = new v1.SessionService(args.target, credentials);
const coding = new v1.CodingService(args.target, credentials);
const auth = () => {
  const metadata = new grpc.Metadata();
  metadata.add('authorization', `Bearer ${token}`);
  return metadata;
};
const callFailed = (what, err) => die(`${what} failed: ${grpc.status[err.code] ?? err.code} ${err.details}`);

// GetCaller: the token's platform, which every session_started must name.
const callers = new v1.CallerService(args.target, credentials);
const me = await new Promise((resolve) => {
  callers.GetCaller({}, auth(), (err, response) =>
    (err ? callFailed('GetCaller', err) : resolve(response)));
});
callers.close();
const platform = me.platform;
console.log(`caller ${me.token_id}: platform ${platform}, roles ${me.roles.join(' ')}`);
for (const event of scenario.events.filter((e) => e.session_started)) {
  const named = event.session_started.platform;
  if (!named) {
    event.session_started.platform = platform;
  } else if (named !== platform) {
    die(`${args.scenario}: ${event.event_id} names platform "${named}", but the token ` +
      `${me.token_id} is of platform "${platform}": use a token of "${named}" or change the ` +
      'scenario (nothing was sent)', 1);
  }
}

// PublishEvents: write every event, read one acknowledgement per event, in order.
// A real platform keeps each event until its acknowledgement arrives and resends
// the unacknowledged ones, with the same ids, if the stream fails.
function publish(events) {
  return new Promise((resolve) => {
    const call = sessions.PublishEvents(auth());
    const acks = [];
    call.on('data', (response) => acks.push(response.acknowledgement));
    call.on('error', (err) => callFailed('PublishEvents', err));
    call.on('end', () => resolve(acks));
    for (const { atMs, ...event } of events) call.write({ event });
    call.end();
  });
}

const acks = await publish(scenario.events);
let bad = 0;
const counts = {};
scenario.events.forEach((event, i) => {
  const ack = acks[i];
  if (!ack) {
    console.log(`no ack for ${event.event_id}`);
    bad++;
    return;
  }
  let line = `ack ${ack.event_id} ${ack.outcome}`;
  if (ack.event_id !== event.event_id) {
    line += ` (expected the ack of ${event.event_id})`;
    bad++;
  } else if (ack.outcome !== 'OUTCOME_RECORDED' && ack.outcome !== 'OUTCOME_ALREADY_RECORDED') {
    line += ` code=${ack.error_code} ${ack.error_message}`;
    bad++;
  }
  counts[ack.outcome] = (counts[ack.outcome] ?? 0) + 1;
  console.log(line);
});
console.log(`published ${scenario.events.length} events: ` +
  Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', '));
if (bad > 0) die(`${bad} of ${scenario.events.length} events were not recorded`, 1);

// SuggestCodes for the patient on each date of service the session touches,
// in the clinic's time zone.
const dates = [...new Set(scenario.events.map((e) => e.atMs).sort((a, b) => a - b)
  .map((ms) => localDate(ms, clinic_time_zone)))];
const suggest = (request) => new Promise((resolve) => {
  coding.SuggestCodes(request, auth(), (err, response) =>
    (err ? callFailed('SuggestCodes', err) : resolve(response)));
});
let noSuggestion = 0;
for (const date_of_service of dates) {
  const response = await suggest({ patient_day: { platform, patient_ref, date_of_service } });
  if (response.suggestions.length === 0) {
    console.log(`no suggestion for ${date_of_service}`);
    noSuggestion++;
  }
  for (const s of response.suggestions) {
    console.log(`suggestion for ${s.date_of_service} (${s.payer_id}, ${s.method_used}):`);
    for (const l of s.lines) {
      console.log(`  ${l.code} x${l.units}${l.modifiers.map((m) => ` ${m}`).join('')}, ` +
        `POS ${l.place_of_service}  (${l.minutes} min` +
        `${l.blocking ? ', BLOCKED until a therapist overrides' : ''})`);
    }
    for (const w of s.warnings) console.log(`  warning ${w.code} (${w.severity}): ${w.message}`);
  }
}
sessions.close();
coding.close();
if (noSuggestion > 0) die(`no suggestion for ${noSuggestion} of ${dates.length} dates of service`, 1);

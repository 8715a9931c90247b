// The unitclock review page: therapists review suggested CPT lines, billing
// staff export approved ones, anyone with a reviewer token watches a live
// session. Talks to unitclockd's JSON API (proto3 JSON of proto/unitclock/v1)
// on the page's own origin.
//
// Rules kept throughout:
// - The token lives in sessionStorage and travels only in the Authorization
//   header: never in a URL or a cookie. Hence fetch() everywhere, even for
//   downloads and the live event stream (EventSource cannot send headers).
// - Everything the API returns is put in the page as text (textContent,
//   text nodes, attribute values): never parsed as HTML.
// - No inline script or style (the CSP forbids them): looks come from
//   classes in app.css and SVG attributes.

const TOKEN_KEY = 'unitclock.token';
const REVIEWER_KEY = 'unitclock.reviewer';
const SVG_NS = 'http://www.w3.org/2000/svg';
const UNIT_MS = 15 * 60 * 1000;

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- DOM helpers

// h('td', {class: 'x'}, 'text', child): builds an element; strings become
// text nodes, so API data can never become markup.
function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

function svg(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// put(el, ...children): replaces el's children, flattening nested lists.
function put(el, ...children) {
  el.replaceChildren();
  return fill(el, {}, children);
}

// say(el, text, kind): a message in a role="alert"/"status" region.
function say(el, text, kind = 'info') {
  el.replaceChildren();
  el.className = `msg msg-${kind}`;
  if (text) el.append(kind === 'error' ? h('strong', {}, 'Problem: ') : '', text);
}

// -------------------------------------------------------------- API plumbing

class ApiError extends Error {
  constructor(httpStatus, status, message) {
    super(message);
    this.httpStatus = httpStatus;
    this.status = status; // gRPC code name, e.g. "ABORTED"
  }
}

const token = () => sessionStorage.getItem(TOKEN_KEY) || '';

// Sends one API call with the bearer token; returns the fetch Response of a
// 2xx, throws ApiError (with the server's error body) otherwise.
async function call(path, { method = 'GET', body, signal, accept = 'application/json' } = {}) {
  const headers = { Authorization: `Bearer ${token()}`, Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method, headers, signal, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'UNAVAILABLE', `cannot reach unitclockd (${err.message})`);
  }
  if (res.ok) return res;
  let status = '', message = res.statusText;
  try {
    const e = (await res.json()).error;
    status = e.status || '';
    message = e.message || message;
  } catch { /* not our JSON error body: keep the status line */ }
  throw new ApiError(res.status, status, message);
}

async function getJson(path, options) {
  return (await call(path, options)).json();
}

// A plain sentence for an API error, with the server's message kept.
function describe(err, what = '') {
  if (!(err instanceof ApiError)) return `${what}${err.message}`;
  const m = err.message;
  switch (err.httpStatus) {
    case 0: return `${what}unitclockd cannot be reached: ${m}. Check your connection and try again.`;
    case 401: return `${what}your token was not accepted (${m}). Sign out and sign in with a valid token.`;
    case 403: return `${what}your token does not allow this (${m}).`;
    case 404: return `${what}not found: it does not exist on your platform (${m}).`;
    case 429: return `${what}unitclockd is busy; wait a moment and try again (${m}).`;
    case 503: return `${what}unitclockd is unavailable right now; try again (${m}).`;
    default: return `${what}${err.status || err.httpStatus}: ${m}`;
  }
}

const enc = encodeURIComponent;

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of params) if (v !== '' && v !== undefined) q.append(k, v);
  return q.toString();
}

// ------------------------------------------------------------- small formats

const pad = (n) => String(n).padStart(2, '0');

// YYYY-MM-DD of a Date in the browser's time zone.
const isoDay = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

// HH:MM:SS in the browser's time zone.
function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// "15 min", "9 min 40 s", "40 s".
function duration(ms) {
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60), r = s % 60;
  if (m === 0) return `${r} s`;
  return r === 0 ? `${m} min` : `${m} min ${r} s`;
}

// "REVIEW_STATE_NEEDS_REREVIEW" -> "needs rereview".
function enumWord(value, prefix) {
  if (!value) return '';
  return value.replace(prefix, '').toLowerCase().replace(/_/g, ' ');
}

const STATE_WORDS = {
  REVIEW_STATE_PENDING: 'pending review',
  REVIEW_STATE_APPROVED: 'approved',
  REVIEW_STATE_AMENDED: 'amended',
  REVIEW_STATE_REJECTED: 'rejected',
  REVIEW_STATE_NEEDS_REREVIEW: 'needs re-review (numbers changed)',
  REVIEW_STATE_EXPORTED: 'exported',
};
const stateWord = (s) => STATE_WORDS[s] || enumWord(s, 'REVIEW_STATE_');

const DISCIPLINES = {
  DISCIPLINE_PHYSICAL_THERAPY: 'physical therapy',
  DISCIPLINE_OCCUPATIONAL_THERAPY: 'occupational therapy',
  DISCIPLINE_SPEECH_LANGUAGE: 'speech-language pathology',
};
const disciplineWord = (d) => DISCIPLINES[d] || enumWord(d, 'DISCIPLINE_');

const METHODS = {
  UNIT_METHOD_MEDICARE_POOLED: 'Medicare 8-minute rule (pooled)',
  UNIT_METHOD_CPT_MIDPOINT: 'CPT midpoint rule (per code)',
};
const methodWord = (m) => METHODS[m] || enumWord(m, 'UNIT_METHOD_');

// Severity as a word and a symbol, so it never rests on colour alone.
const SEVERITY = {
  SEVERITY_BLOCKING: { word: 'Blocking', icon: 'stop', cls: 'sev-blocking' },
  SEVERITY_REVIEW: { word: 'Review', icon: 'warn', cls: 'sev-review' },
  SEVERITY_INFO: { word: 'Info', icon: 'info', cls: 'sev-info' },
};
const severity = (s) => SEVERITY[s] || { word: enumWord(s, 'SEVERITY_'), icon: 'info', cls: 'sev-info' };

// The symbols as SVG, not emoji: a machine without an emoji font would show
// a blank box. Decorative: the word next to it says the same.
function icon(kind) {
  const g = svg('svg', { class: `icon icon-${kind}`, viewBox: '0 0 16 16', width: 14, height: 14,
    'aria-hidden': 'true', focusable: 'false' });
  if (kind === 'stop') {
    g.append(svg('polygon', { points: '5,1 11,1 15,5 15,11 11,15 5,15 1,11 1,5', class: 'icon-stop-bg' }),
      svg('rect', { x: 4, y: 7, width: 8, height: 2.4, class: 'icon-stop-bar' }));
  } else if (kind === 'warn') {
    g.append(svg('polygon', { points: '8,1.5 15,14.5 1,14.5', class: 'icon-warn-bg' }),
      svg('rect', { x: 7.1, y: 6, width: 1.8, height: 4.5, class: 'icon-mark' }),
      svg('rect', { x: 7.1, y: 11.5, width: 1.8, height: 1.8, class: 'icon-mark' }));
  } else {
    g.append(svg('circle', { cx: 8, cy: 8, r: 6.5, class: 'icon-info-bg' }),
      svg('rect', { x: 7.1, y: 7, width: 1.8, height: 5, class: 'icon-info-mark' }),
      svg('rect', { x: 7.1, y: 4, width: 1.8, height: 1.8, class: 'icon-info-mark' }));
  }
  return g;
}

function severityBadge(s) {
  const v = severity(s);
  return h('span', { class: `badge ${v.cls}` }, icon(v.icon), ' ', v.word);
}

// The activity kinds' codes, as event.proto documents them: colours a
// billable stretch whose activity named a kind and no code, when no unit
// covers it.
const KIND_CODES = {
  ACTIVITY_KIND_THERAPEUTIC_EXERCISE: '97110',
  ACTIVITY_KIND_NEUROMUSCULAR_REEDUCATION: '97112',
  ACTIVITY_KIND_GAIT_TRAINING: '97116',
  ACTIVITY_KIND_MASSAGE: '97124',
  ACTIVITY_KIND_MANUAL_THERAPY: '97140',
  ACTIVITY_KIND_THERAPEUTIC_ACTIVITIES: '97530',
  ACTIVITY_KIND_SELF_CARE: '97535',
  ACTIVITY_KIND_GROUP_THERAPY: '97150',
};

const REASONS = {
  EXCLUSION_REASON_OUTSIDE_ACTIVITY: 'outside any activity',
  EXCLUSION_REASON_WAITING_FOR_PARTICIPANT: 'waiting for a participant',
  EXCLUSION_REASON_DISCONNECTED: 'disconnected or no media',
  EXCLUSION_REASON_AUDIO_ONLY: 'audio only (video needed)',
  EXCLUSION_REASON_IDLE: 'idle (no activity signals)',
  EXCLUSION_REASON_OVERLAP: 'overlapping another activity',
  EXCLUSION_REASON_AFTER_AUTO_CLOSE: 'after the session was auto-closed',
};
const reasonWord = (r) => REASONS[r] || enumWord(r, 'EXCLUSION_REASON_');
const reasonClass = (r) => `reason-${enumWord(r, 'EXCLUSION_REASON_').replace(/ /g, '-') || 'unknown'}`;

// "97110 ×2 · GP 95 · POS 10"
function lineText(l) {
  const mods = (l.modifiers || []).join(' ');
  return `${l.code} ×${l.units ?? 0}${mods ? ` · ${mods}` : ''} · POS ${l.placeOfService || '—'}`;
}

// The codes of blocking lines that bill units: only those need an override
// (a blocked line without a unit bills nothing).
function blockingCodes(s) {
  return new Set((s.lines || []).filter((l) => l.blocking && l.units > 0).map((l) => l.code));
}

// ------------------------------------------------- remote monitoring periods

const MODALITIES = {
  MODALITY_AUDIO_VIDEO: 'audio-video',
  MODALITY_AUDIO_ONLY: 'audio only',
};
const modalityWord = (m) => MODALITIES[m] || enumWord(m, 'MODALITY_');
const isDevicePeriod = (p) => p.kind === 'MONITORING_PERIOD_KIND_DEVICE_PERIOD';
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// "visit visit-2026-10-14 (audio-video)" or "call <event id> (audio only)".
function contactWord(c) {
  const what = c.sessionId ? `visit ${c.sessionId}` : `call ${c.eventId || ''}`;
  return c.modality ? `${what} (${modalityWord(c.modality)})` : what;
}

// The period's title: "2026-10 calendar month" or "device period
// 2026-10-01 – 2026-10-30".
function periodTitle(p) {
  return isDevicePeriod(p) ? `device period ${p.firstDate} – ${p.lastDate}`
    : `${(p.firstDate || '').slice(0, 7)} calendar month`;
}

// One line, as the reviewer command line says it: "2026-10 calendar month,
// 21 min, contact: visit visit-2026-10-14" or "device period 2026-10-01 –
// 2026-10-30, 18 days".
function periodLine(p) {
  if (isDevicePeriod(p)) return `${periodTitle(p)}, ${plural((p.deviceDataDates || []).length, 'day')}`;
  const contacts = p.interactiveContacts || [];
  return `${periodTitle(p)}, ${p.managementMinutes ?? 0} min` +
    (p.assistantMinutes ? ` (${p.assistantMinutes} by assistant)` : '') +
    (contacts.length ? `, contact${contacts.length === 1 ? '' : 's'}: ${contacts.map(contactWord).join(', ')}`
      : `, no contact${p.provisional ? ' yet' : ''}`);
}

// The "Provisional" badge, in words: never colour alone.
function provisionalBadge() {
  return h('span', { class: 'badge badge-provisional' }, icon('info'), ' Provisional');
}

// ------------------------------------------------------------------ views

const VIEWS = ['signin-view', 'queue-view', 'detail-view', 'export-view', 'live-view'];

function show(view, { focus = true } = {}) {
  for (const v of VIEWS) $(v).hidden = v !== view;
  const tabView = view === 'detail-view' ? 'queue-view' : view;
  for (const t of document.querySelectorAll('.tab')) {
    if (t.dataset.view === tabView) t.setAttribute('aria-current', 'page');
    else t.removeAttribute('aria-current');
  }
  // Move keyboard and screen-reader focus to the new view's heading.
  if (focus) $(view).querySelector('h1').focus();
}

// ------------------------------------------------------------------ sign in

let caller = null;

async function signIn(candidate) {
  sessionStorage.setItem(TOKEN_KEY, candidate);
  try {
    caller = await getJson('/v1/caller');
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    caller = null;
    show('signin-view', { focus: false });
    say($('signin-msg'), err.httpStatus === 401
      ? 'That token was not accepted: it is wrong, expired or revoked. Check it and try again.'
      : describe(err, 'Signing in failed: '), 'error');
    $('token').focus();
    return;
  }
  $('token').value = '';
  say($('signin-msg'), '');
  const roles = caller.roles || [];
  $('who-text').textContent = `Platform ${caller.platform} · roles: ${roles.join(', ') || 'none'}` +
    ` · token ${caller.tokenId}`;
  $('who').hidden = false;
  $('tabs').hidden = false;
  $('tab-export').hidden = !roles.includes('billing');
  show('queue-view');
  if (roles.includes('reviewer') || roles.includes('billing')) loadQueue();
  else say($('queue-msg'), 'Your token has no reviewer or billing role: it cannot list suggestions.', 'error');
}

// Forgets the token and clears every view, so that the next person at this
// screen sees nothing of the last one's work.
function signOut() {
  stopWatching();
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REVIEWER_KEY);
  caller = null;
  current = null;
  openedId = '';
  $('who').hidden = true;
  $('tabs').hidden = true;
  for (const id of ['queue-results', 'detail-body', 'audit-body']) $(id).replaceChildren();
  for (const id of ['queue-msg', 'open-msg', 'detail-msg', 'export-msg', 'live-msg']) say($(id), '');
  for (const id of ['q-reviewer', 'open-id', 'x-actor', 'l-session']) $(id).value = '';
  $('live-out').hidden = true;
  resetReviewForm();
  say($('signin-msg'), 'Signed out: the token is forgotten.', 'info');
  show('signin-view');
}

// ------------------------------------------------------------------ queue

let queueSeq = 0; // answers to older queries are dropped

async function loadQueue() {
  const seq = ++queueSeq;
  const msg = $('queue-msg');
  const from = $('q-from').value, to = $('q-to').value;
  if (!from || !to) return say(msg, 'Choose both dates of the range.', 'error');
  const reviewer = $('q-reviewer').value.trim();
  if ($('q-mine').checked && !reviewer) {
    $('q-reviewer').focus();
    return say(msg, 'Enter your reviewer reference to see only your sessions.', 'error');
  }
  const params = [['date_min', from], ['date_max', to]];
  if ($('q-mine').checked) params.push(['provider_ref', reviewer]);
  const st = $('q-state').value;
  const states = st === 'all' ? Object.keys(STATE_WORDS) : st ? [st] : [];
  for (const s of states) params.push(['state', s]);
  // Only when asked: the months and device periods not closed yet.
  if ($('q-provisional').checked) params.push(['include_provisional', 'true']);
  say(msg, 'Loading…');
  const q = query(params);
  let list;
  try {
    list = (await getJson(`/v1/suggestions?${q}`)).suggestions || [];
  } catch (err) {
    if (seq !== queueSeq) return;
    $('queue-results').replaceChildren();
    $('status').textContent = '';
    return say(msg, describe(err, 'The list could not be loaded: '), 'error');
  }
  if (seq !== queueSeq) return;
  $('queue-results').dataset.query = q; // which query the table answers (tests wait on it)
  say(msg, list.length ? '' : `No patient-day ${st ? 'in that state' : 'waits for review'} from ${from} to ${to}.`);
  $('queue-results').replaceChildren(list.length ? queueTable(list, st) : '');
  $('status').textContent = `${list.length} patient-day${list.length === 1 ? '' : 's'} listed.`;
}

function queueTable(list, st) {
  const head = ['Date', 'Patient', 'Payer', 'Discipline', 'Provider', 'State', 'Lines', 'Warnings', ''];
  return h('table', { class: 'queue' },
    h('caption', {}, st ? 'Patient-days' : 'Patient-days waiting for review'),
    h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Open'))))),
    h('tbody', {}, list.map(queueRow)));
}

function queueRow(r) {
  const s = r.suggestion || {};
  const blocking = (s.lines || []).some((l) => l.blocking);
  const row = h('tr', { class: blocking ? 'row-blocking' : '', 'data-suggestion-id': r.suggestionId },
    h('td', { class: 'nowrap' }, s.dateOfService,
      s.monitoring ? h('div', { class: 'period-line' }, periodLine(s.monitoring),
        s.monitoring.provisional ? [' ', provisionalBadge()] : '') : ''),
    h('td', { class: 'nowrap' }, s.patientRef),
    h('td', {}, s.payerId),
    h('td', {}, disciplineWord(s.discipline)),
    h('td', { class: 'nowrap' }, r.providerRef),
    h('td', {}, stateWord(r.state)),
    h('td', {}, h('ul', { class: 'plain' }, (s.lines || []).map((l) => h('li', { class: 'line' },
      l.blocking ? [severityBadge('SEVERITY_BLOCKING'), ' '] : '', lineText(l))))),
    h('td', {}, h('ul', { class: 'plain' }, (s.warnings || []).map((w) => h('li', {},
      severityBadge(w.severity), ' ', w.cptCode ? `${w.cptCode}: ` : '', w.message)))),
    h('td', {}, h('button', { type: 'button', onclick: () => openSuggestion(r.suggestionId) },
      'Open', h('span', { class: 'sr-only' }, ` ${s.patientRef} ${s.dateOfService}`))));
  return row;
}

// ----------------------------------------------------------------- detail

let current = null; // the ReviewedSuggestion on screen
let openedId = '';

async function openSuggestion(id) {
  openedId = id;
  current = null;
  resetReviewForm();
  $('detail-body').replaceChildren();
  $('review-section').hidden = true;
  $('audit-body').replaceChildren();
  $('detail-h').textContent = 'Suggestion';
  show('detail-view');
  await loadDetail();
}

// Reads the suggestion again; the review form keeps what was typed.
async function loadDetail() {
  const id = openedId; // another suggestion may be opened meanwhile
  const msg = $('detail-msg');
  say(msg, 'Loading…');
  let r;
  try {
    r = await getJson(`/v1/suggestions/${enc(id)}`);
  } catch (err) {
    if (id !== openedId) return;
    $('detail-body').replaceChildren();
    $('review-section').hidden = true;
    $('detail-h').textContent = 'Suggestion not available';
    return say(msg, err.httpStatus === 404
      ? `Suggestion ${openedId} was not found: it does not exist, or belongs to another platform.`
      : describe(err, 'The suggestion could not be loaded: '), 'error');
  }
  if (id !== openedId) return;
  const before = current;
  current = r;
  say(msg, before && before.etag !== r.etag
    ? 'Reloaded: the numbers changed since you opened it. Check them, then submit your review again.'
    : '');
  await renderDetail(r);
  loadAudit();
}

async function renderDetail(r) {
  const s = r.suggestion || {};
  if (s.monitoring) return renderMonitoringDetail(r);
  $('detail-h').textContent = `Patient ${s.patientRef} · ${s.dateOfService}`;
  const body = $('detail-body');
  put(body,
    h('dl', { class: 'summary' },
      dlItem('State', stateWord(r.state)),
      dlItem('Payer', s.payerId),
      dlItem('Discipline', disciplineWord(s.discipline)),
      dlItem('Provider', r.providerRef),
      dlItem('Unit rule used', methodWord(s.methodUsed)),
      dlItem('Sessions', (s.sessionIds || []).join(', ')),
      dlItem('Version (etag)', r.etag)),
    blockingBanner(s),
    h('h2', {}, 'Suggested lines'),
    linesTable(s),
    warningsList(s),
    (r.approvedLines || []).length ? [h('h2', {}, 'Lines as approved'), approvedTable(r.approvedLines)] : '',
    h('h2', {}, 'Session timelines'),
    h('div', { id: 'timelines' }, h('p', {}, 'Loading the sessions…')),
    h('h2', {}, 'Time behind each unit'),
    provenanceTable(s),
    h('h2', {}, 'Units by each rule'),
    methodsTable(s),
    h('h2', {}, 'Documentation summary'),
    documentation(s.documentation || {}));
  prepareReviewForm(r);
  await renderTimelines(s);
}

// The banner of a suggestion's blocking lines; nothing if it has none.
function blockingBanner(s) {
  const blocks = (s.lines || []).filter((l) => l.blocking);
  return blocks.length ? h('p', { class: 'banner-blocking' },
    icon('stop'), ' ',
    h('strong', {}, 'Blocking: '),
    `${blocks.map((l) => l.code).join(', ')} cannot be billed as suggested without an explicit override reason.`) : '';
}

// A remote monitoring suggestion: its period under the heading (kind,
// dates, days of data or management minutes, contacts, provisional), its
// lines, and what each line rests on. No session picture and no unit rules:
// its lines are counted from days and minutes, not from a session's units.
function renderMonitoringDetail(r) {
  const s = r.suggestion || {};
  const p = s.monitoring;
  $('detail-h').textContent = `Patient ${s.patientRef} · ${periodTitle(p)}`;
  put($('detail-body'),
    periodSection(p),
    h('dl', { class: 'summary' },
      dlItem('State', stateWord(r.state)),
      dlItem('Payer', s.payerId),
      dlItem('Discipline', disciplineWord(s.discipline)),
      dlItem('Provider', r.providerRef),
      dlItem('Dated', `${s.dateOfService} (the period's last day)`),
      dlItem('Episodes', (p.episodeIds || []).join(', ')),
      dlItem('Version (etag)', r.etag)),
    blockingBanner(s),
    h('h2', {}, 'Suggested lines'),
    linesTable(s),
    warningsList(s),
    (r.approvedLines || []).length ? [h('h2', {}, 'Lines as approved'), approvedTable(r.approvedLines)] : '',
    h('h2', {}, isDevicePeriod(p) ? 'Days of data behind each line' : 'Management time counted'),
    isDevicePeriod(p) ? deviceDays(s) : managementTable(p));
  prepareReviewForm(r);
}

function periodSection(p) {
  const contacts = p.interactiveContacts || [];
  const days = p.deviceDataDates || [];
  return h('section', { class: 'period', 'aria-labelledby': 'period-h' },
    h('h2', { id: 'period-h' }, 'Monitoring period'),
    p.provisional ? h('p', { class: 'banner-provisional' }, provisionalBadge(), ' ',
      'This period has not closed yet: its lines may still change, and they are not exported ' +
      'until it closes and they are approved again.') : '',
    h('dl', { class: 'summary period-facts' },
      dlItem('Kind', isDevicePeriod(p) ? 'Device period (30 days from the episode\'s start): device supply and set-up'
        : 'Calendar month: treatment management'),
      dlItem('Dates', `${p.firstDate} – ${p.lastDate}`),
      isDevicePeriod(p)
        ? dlItem('Days of data', `${plural(days.length, 'day')}${days.length ? `: ${days.join(', ')}` : ''}`)
        : [dlItem('Management time', `${p.managementMinutes ?? 0} min` +
            (p.assistantMinutes ? ` (${p.assistantMinutes} by an assistant)` : '')),
          dlItem('Interactive contacts', contacts.length ? contacts.map(contactWord).join(', ') : 'none')],
      dlItem('Status', p.provisional ? 'provisional (not closed yet)' : 'closed')));
}

// Each management interval: when, who, and whether it was a call.
function managementTable(p) {
  const rows = (p.management || []).map((m) => {
    const [b, e] = m.interval ? span(m.interval) : [NaN, NaN];
    return h('tr', {},
      h('th', { scope: 'row' }, Number.isFinite(b) ? `${isoDay(new Date(b))} ${clock(b)}–${clock(e)}` : '—'),
      h('td', { class: 'num' }, Number.isFinite(b) ? duration(e - b) : '—'),
      h('td', {}, m.clinicianRef || '—', m.clinicianRole ? ` (${enumWord(m.clinicianRole, 'PROVIDER_ROLE_').toUpperCase()})` : ''),
      h('td', {}, m.interactive ? 'call with the patient' : 'management'));
  });
  if (!rows.length) return h('p', {}, 'No management time counted.');
  return h('table', { class: 'management' },
    h('caption', { class: 'sr-only' }, 'Management time counted'),
    h('thead', {}, h('tr', {}, ['When', 'Length', 'Clinician', 'What'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows));
}

// The dates of data behind each device line.
function deviceDays(s) {
  const items = (s.lines || []).map((l) => {
    const dates = (l.unitProvenance || []).flatMap((u) => u.dates || []);
    return h('li', {}, `${l.code}: ${dates.length ? `${plural(dates.length, 'day')} of data (${dates.join(', ')})` : 'no dates given'}`);
  });
  return items.length ? h('ul', { class: 'plain' }, items) : h('p', {}, 'No line.');
}

function dlItem(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value === undefined || value === '' ? '—' : value));
}

function linesTable(s) {
  const head = ['Code', 'Description', 'Units', 'Modifiers', 'Place of service', 'Minutes', 'Warnings', 'Blocking'];
  return h('table', { class: 'lines' },
    h('caption', { class: 'sr-only' }, 'Suggested lines'),
    h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, (s.lines || []).map((l) => h('tr', { class: l.blocking ? 'row-blocking' : '' },
      h('th', { scope: 'row' }, l.code),
      h('td', {}, l.description),
      h('td', { class: 'num' }, l.units ?? 0),
      h('td', {}, (l.modifiers || []).join(' ') || '—'),
      h('td', {}, l.placeOfService || '—'),
      h('td', { class: 'num' }, l.minutes ?? 0, l.assistantMinutes ? ` (assistant alone ${l.assistantMinutes})` : ''),
      h('td', {}, (l.warningCodes || []).join(', ') || '—'),
      h('td', {}, l.blocking ? severityBadge('SEVERITY_BLOCKING') : 'no')))));
}

function warningsList(s) {
  const ws = s.warnings || [];
  if (!ws.length) return h('p', {}, 'No warnings.');
  return [h('h2', {}, 'Warnings'), h('ul', { class: 'warnings' }, ws.map((w) => h('li', { class: severity(w.severity).cls },
    severityBadge(w.severity), ' ', w.cptCode ? h('strong', {}, `${w.cptCode}: `) : '', w.message,
    h('span', { class: 'code' }, ` (${w.code})`))))];
}

function approvedTable(lines) {
  return h('ul', { class: 'plain' }, lines.map((l) => h('li', {}, lineText(l), ` (${l.minutes ?? 0} min)`)));
}

// Both unit rules side by side, per timed code.
function methodsTable(s) {
  const mp = s.medicarePooled || {}, cm = s.cptMidpoint || {};
  const codes = [...new Set([...Object.keys(mp.unitsByCode || {}), ...Object.keys(cm.unitsByCode || {})])].sort();
  const mins = (s.documentation || {}).minutesByCode || {};
  const used = (m) => (s.methodUsed === m ? ' (used for this payer)' : '');
  return [h('table', { class: 'methods' },
    h('caption', { class: 'sr-only' }, 'Units by each rule'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Timed code'),
      h('th', { scope: 'col' }, 'Minutes'),
      h('th', { scope: 'col' }, `Medicare pooled${used('UNIT_METHOD_MEDICARE_POOLED')}`),
      h('th', { scope: 'col' }, `CPT midpoint${used('UNIT_METHOD_CPT_MIDPOINT')}`))),
    h('tbody', {}, codes.map((c) => h('tr', {},
      h('th', { scope: 'row' }, c),
      h('td', { class: 'num' }, mins[c] ?? '—'),
      h('td', { class: 'num' }, (mp.unitsByCode || {})[c] ?? 0),
      h('td', { class: 'num' }, (cm.unitsByCode || {})[c] ?? 0)))),
    h('tfoot', {}, h('tr', {},
      h('th', { scope: 'row' }, 'Total'),
      h('td', { class: 'num' }, (s.documentation || {}).totalTimedMinutes ?? 0),
      h('td', { class: 'num' }, mp.totalUnits ?? 0),
      h('td', { class: 'num' }, cm.totalUnits ?? 0)))),
  tiedNote('Medicare pooled', mp), tiedNote('CPT midpoint', cm),
  h('p', { class: 'help' }, 'Medicare pools the day\'s timed minutes: 8–22 minutes make 1 unit, 23–37 make 2, ' +
    'and so on by 15. The CPT rule counts each code on its own: a unit from 8 minutes (past the midpoint of 15).')];
}

function tiedNote(name, m) {
  const t = m.tiedCodes || [];
  return t.length ? h('p', {}, `${name}: ${t.join(' and ')} tie for the last unit; the choice is yours.`) : '';
}

function documentation(d) {
  const by = Object.entries(d.minutesByCode || {}).map(([c, m]) => `${c}: ${m} min`).join(', ');
  return h('dl', { class: 'summary' },
    dlItem('Total timed minutes', d.totalTimedMinutes ?? 0),
    dlItem('Total treatment minutes', d.totalTreatmentMinutes ?? 0),
    dlItem('Timed minutes pooled for units', d.pooledTimedMinutes ?? 0),
    dlItem('Minutes by code', by));
}

// Each unit's time as text: the same facts as the picture, for everyone.
function provenanceTable(s) {
  const rows = [];
  for (const l of s.lines || []) {
    for (const u of l.unitProvenance || []) {
      const iv = (u.intervals || []).map(span);
      const total = iv.reduce((a, [b, e]) => a + (e - b), 0);
      rows.push(h('tr', {},
        h('th', { scope: 'row' }, `${l.code} unit ${u.unitNumber}`),
        h('td', {}, iv.map(([b, e]) => `${clock(b)}–${clock(e)}`).join(', ')),
        h('td', { class: 'num' }, duration(total))));
    }
  }
  const explain = (s.lines || []).map((l) => h('li', {}, unitStory(l)));
  return [
    h('ul', { class: 'plain' }, explain),
    rows.length ? h('table', { class: 'provenance' },
      h('caption', { class: 'sr-only' }, 'Time behind each unit'),
      h('thead', {}, h('tr', {}, ['Unit', 'Billable time', 'Length'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)) : h('p', {}, 'No unit is billed.')];
}

// "97110: 25 min made 2 units (15 min + 10 min)."
function unitStory(l) {
  const parts = (l.unitProvenance || []).map((u) =>
    duration((u.intervals || []).map(span).reduce((a, [b, e]) => a + (e - b), 0)));
  const units = l.units ?? 0;
  return `${l.code}: ${l.minutes ?? 0} min made ${units} unit${units === 1 ? '' : 's'}` +
    (parts.length ? ` (${parts.join(' + ')}).` : '.') +
    (l.blocking && !units ? ' Blocked: its minutes bill nothing.' : '');
}

const span = (iv) => [Date.parse(iv.startTime), Date.parse(iv.endTime)];

// -------------------------------------------------------- timeline pictures

async function renderTimelines(s) {
  const box = $('timelines');
  const ids = s.sessionIds || [];
  // Colours by code: the suggestion's lines first, in their order.
  const codes = [];
  const codeIndex = (c) => {
    if (!codes.includes(c)) codes.push(c);
    return codes.indexOf(c) % 6;
  };
  for (const l of s.lines || []) codeIndex(l.code);
  const figures = [];
  for (const [i, id] of ids.entries()) {
    try {
      const session = await getJson(`/v1/sessions/${enc(id)}`);
      figures.push(timelineFigure(session, s, codeIndex, i));
    } catch (err) {
      figures.push(h('p', { class: 'msg msg-error' }, describe(err, `Session ${id}: `)));
    }
  }
  if (!ids.length) figures.push(h('p', {}, 'No session.'));
  box.replaceChildren(...figures);
}

// One session as an SVG bar: billable stretches coloured by code, excluded
// ones hatched and coloured by reason, the units' time underneath with a
// dashed line at each unit boundary, and a time axis in minutes.
function timelineFigure(session, s, codeIndex, n) {
  const tl = session.timeline || {};
  const [t0, t1] = tl.sessionInterval ? span(tl.sessionInterval) : [NaN, NaN];
  const capId = `timeline-cap-${n}`;
  const fig = h('figure', { class: 'timeline' });
  if (!(t1 > t0)) {
    fig.append(h('figcaption', {}, `Session ${session.sessionId}: no time recorded yet.`));
    return fig;
  }
  const W = 800, L = 16, R = 30, BAR_Y = 8, BAR_H = 34, UNIT_Y = 50, UNIT_H = 16, AXIS_Y = 76;
  const x = (t) => L + ((W - L - R) * (Math.min(Math.max(t, t0), t1) - t0)) / (t1 - t0);
  const g = svg('svg', { viewBox: `0 0 ${W} ${AXIS_Y + 22}`, role: 'img', 'aria-labelledby': capId, class: 'timeline-svg' });
  const title = (text) => svg('title', {}, text);

  // Which code a billable stretch belongs to: the line whose units cover it,
  // else its activity's code.
  const unitSpans = [];
  for (const l of s.lines || []) {
    for (const u of l.unitProvenance || []) {
      for (const iv of u.intervals || []) unitSpans.push({ code: l.code, unit: u.unitNumber, iv: span(iv) });
    }
  }
  const activities = new Map((tl.activities || []).map((a) => [a.activityId, a]));
  const codeOf = (b) => {
    const [bs, be] = span(b.interval);
    const hit = unitSpans.find((u) => u.iv[0] < be && u.iv[1] > bs);
    if (hit) return hit.code;
    const a = activities.get(b.activityId) || {};
    return a.cptCode || KIND_CODES[a.kind] || '?';
  };

  const legend = new Map(); // key -> legend item
  for (const e of tl.excludedIntervals || []) {
    const [b, en] = span(e.interval);
    const cls = reasonClass(e.reason);
    const text = `Excluded, ${reasonWord(e.reason)}: ${clock(b)}–${clock(en)} (${duration(en - b)})`;
    g.append(svg('rect', { x: x(b), y: BAR_Y + 8, width: Math.max(x(en) - x(b), 0.5), height: BAR_H - 16, class: `excluded ${cls}` }, title(text)),
      svg('rect', { x: x(b), y: BAR_Y + 8, width: Math.max(x(en) - x(b), 0.5), height: BAR_H - 16, class: 'hatch', fill: 'url(#hatch)' }));
    legend.set(`r:${e.reason}`, { swatch: 'excluded', cls, label: `Excluded: ${reasonWord(e.reason)}` });
  }
  const lines = new Map((s.lines || []).map((l) => [l.code, l]));
  for (const b of tl.billableIntervals || []) {
    const [bs, be] = span(b.interval);
    const code = codeOf(b);
    const cls = `code-${codeIndex(code)}`;
    const who = b.deliveredBy === 'DELIVERED_BY_ASSISTANT' ? ', by the assistant alone' : '';
    g.append(svg('rect', { x: x(bs), y: BAR_Y, width: Math.max(x(be) - x(bs), 0.5), height: BAR_H, class: `billable ${cls}` },
      title(`Billable ${code}${who}: ${clock(bs)}–${clock(be)} (${duration(be - bs)})`)));
    if (x(be) - x(bs) > 44) {
      g.append(svg('text', { x: (x(bs) + x(be)) / 2, y: BAR_Y + BAR_H / 2 + 4, class: 'bar-label' }, code));
    }
    const desc = (lines.get(code) || {}).description;
    legend.set(`c:${code}`, { swatch: 'billable', cls, label: `Billable: ${code}${desc ? ` ${desc}` : ''}` });
  }

  // The units: alternate shades, a label, and a dashed boundary at each
  // unit's start and at the last unit's end.
  const boundaries = new Set();
  const perSession = unitSpans.filter((u) => u.iv[0] < t1 && u.iv[1] > t0);
  for (const u of perSession) {
    const [us, ue] = u.iv;
    g.append(svg('rect', { x: x(us), y: UNIT_Y, width: Math.max(x(ue) - x(us), 0.5), height: UNIT_H,
      class: `unit ${u.unit % 2 ? 'unit-odd' : 'unit-even'}` }, title(`${u.code} unit ${u.unit}: ${clock(us)}–${clock(ue)} (${duration(ue - us)})`)));
    if (x(ue) - x(us) > 60) {
      g.append(svg('text', { x: (x(us) + x(ue)) / 2, y: UNIT_Y + 12, class: 'unit-label' }, `${u.code} unit ${u.unit}`));
    }
  }
  for (const l of s.lines || []) {
    for (const u of l.unitProvenance || []) {
      const ivs = (u.intervals || []).map(span).filter(([b, e]) => b < t1 && e > t0);
      if (!ivs.length) continue;
      boundaries.add(ivs[0][0]);
      if (u.unitNumber === (l.unitProvenance || []).length) boundaries.add(ivs[ivs.length - 1][1]);
    }
  }
  for (const t of boundaries) {
    g.append(svg('line', { x1: x(t), x2: x(t), y1: BAR_Y - 6, y2: UNIT_Y + UNIT_H + 2, class: 'unit-boundary' },
      title(`Unit boundary at ${clock(t)}`)));
  }
  if (perSession.length) legend.set('unit', { swatch: 'unit', label: 'Units: 15 minutes of billable time each; the last one takes what is left. Dashed line: a unit boundary' });

  // The axis: minutes from the session's start.
  const minutes = (t1 - t0) / 60000;
  const step = [1, 2, 5, 10, 15, 30, 60, 120].find((st) => minutes / st <= 12) || 240;
  g.append(svg('line', { x1: L, x2: W - R, y1: AXIS_Y, y2: AXIS_Y, class: 'axis' }));
  for (let m = 0; m <= minutes + 1e-9; m += step) {
    const tx = x(t0 + m * 60000);
    g.append(svg('line', { x1: tx, x2: tx, y1: AXIS_Y, y2: AXIS_Y + 4, class: 'axis' }),
      svg('text', { x: tx, y: AXIS_Y + 16, class: 'axis-label' }, m + step > minutes + 1e-9 ? `${m} min` : `${m}`));
  }

  const billable = Number(tl.billableSeconds || 0) * 1000;
  const excludedBy = (tl.excludedByReason || []).map((e) => `${reasonWord(e.reason)} ${duration(Number(e.seconds) * 1000)}`);
  const lineUnits = (s.lines || []).filter((l) => perSession.some((u) => u.code === l.code))
    .map((l) => `${l.code} ${l.units} unit${l.units === 1 ? '' : 's'}`);
  fig.append(
    h('figcaption', { id: capId },
      h('strong', {}, `Session ${session.sessionId}`),
      `, ${clock(t0)}–${clock(t1)} (${duration(t1 - t0)}, ${session.state === 'STATE_ACTIVE' ? 'still going on' : 'stopped'}): `,
      `${duration(billable)} billable`,
      excludedBy.length ? `; excluded: ${excludedBy.join(', ')}` : '',
      lineUnits.length ? `; ${lineUnits.join(', ')}.` : '.'),
    g,
    legendList([...legend.values()]),
    (tl.flags || []).length ? h('ul', { class: 'flags' }, tl.flags.map((f) =>
      h('li', {}, severityBadge('SEVERITY_REVIEW'), ' ', f.message, h('span', { class: 'code' }, ` (${f.code})`)))) : '',
    session.state === 'STATE_ACTIVE'
      ? h('button', { type: 'button', onclick: () => { $('l-session').value = session.sessionId; show('live-view'); watch(); } },
        `Watch session ${session.sessionId} live`) : '');
  return fig;
}

function legendList(items) {
  return h('ul', { class: 'legend', 'aria-label': 'Legend' }, items.map((it) => {
    const sw = svg('svg', { class: 'swatch', viewBox: '0 0 24 14', width: 24, height: 14, 'aria-hidden': 'true', focusable: 'false' });
    if (it.swatch === 'billable') sw.append(svg('rect', { x: 0, y: 0, width: 24, height: 14, class: `billable ${it.cls}` }));
    if (it.swatch === 'excluded') {
      sw.append(svg('rect', { x: 0, y: 3, width: 24, height: 8, class: `excluded ${it.cls}` }),
        svg('rect', { x: 0, y: 3, width: 24, height: 8, class: 'hatch', fill: 'url(#hatch)' }));
    }
    if (it.swatch === 'unit') {
      sw.append(svg('rect', { x: 0, y: 3, width: 11, height: 8, class: 'unit unit-odd' }),
        svg('rect', { x: 13, y: 3, width: 11, height: 8, class: 'unit unit-even' }),
        svg('line', { x1: 12, x2: 12, y1: 0, y2: 14, class: 'unit-boundary' }));
    }
    return h('li', {}, sw, ' ', it.label);
  }));
}

// ------------------------------------------------------------------ review

function resetReviewForm() {
  $('review-form').reset();
  $('r-reviewer').value = sessionStorage.getItem(REVIEWER_KEY) || $('q-reviewer').value;
  $('amend-lines').replaceChildren();
  $('amend-box').hidden = true;
  $('conflict').hidden = true;
  say($('review-msg'), '');
}

// Fits the form to the suggestion; what the therapist typed stays (a reload
// after a conflict must lose nothing).
function prepareReviewForm(r) {
  const s = r.suggestion || {};
  $('review-section').hidden = false;
  $('override-box').hidden = blockingCodes(s).size === 0;
  if (!$('amend-lines').children.length) {
    const start = (r.approvedLines || []).length ? r.approvedLines : (s.lines || []).filter((l) => l.units > 0);
    for (const l of start.length ? start : s.lines || []) addAmendLine(l);
  }
}

let lineSeq = 0;

function addAmendLine(l = {}) {
  const n = ++lineSeq;
  const field = (name, label, value, attrs = {}) => {
    const id = `amend-${name}-${n}`;
    return h('div', { class: 'field' }, h('label', { for: id }, label),
      h('input', { id, name, type: 'text', value: value ?? '', autocomplete: 'off', spellcheck: 'false', ...attrs }));
  };
  const box = h('fieldset', { class: 'amend-line', 'data-minutes': l.minutes ?? 0 },
    h('legend', {}, 'Line'),
    field('code', 'Code', l.code, { inputmode: 'numeric', size: 6 }),
    field('units', 'Units', l.units, { type: 'number', min: 1, max: 99, size: 3 }),
    field('modifiers', 'Modifiers (space-separated)', (l.modifiers || []).join(' '), { size: 12 }),
    field('pos', 'Place of service', l.placeOfService, { inputmode: 'numeric', size: 3 }),
    h('button', { type: 'button', class: 'remove', onclick: () => { box.remove(); numberAmendLines(); $('amend-add').focus(); } },
      'Remove this line'));
  $('amend-lines').append(box);
  numberAmendLines();
  return box;
}

// "Line 1", "Line 2": legends and remove buttons name their line.
function numberAmendLines() {
  [...$('amend-lines').children].forEach((box, i) => {
    box.querySelector('legend').textContent = `Line ${i + 1}`;
    box.querySelector('.remove').textContent = `Remove line ${i + 1}`;
  });
}

function amendedLines() {
  return [...$('amend-lines').children].map((box) => {
    const v = (name) => box.querySelector(`[name="${name}"]`).value.trim();
    return {
      code: v('code'),
      units: Number.parseInt(v('units'), 10) || 0,
      modifiers: v('modifiers').toUpperCase().split(/[\s,]+/).filter(Boolean),
      placeOfService: v('pos'),
      minutes: Number(box.dataset.minutes) || 0,
    };
  });
}

function chosenAction() {
  const c = document.querySelector('input[name="action"]:checked');
  return c ? c.value : '';
}

function onActionChange() {
  $('amend-box').hidden = chosenAction() !== 'REVIEW_ACTION_AMEND';
}

async function submitReview(ev) {
  ev.preventDefault();
  const msg = $('review-msg');
  if (!current) return;
  const s = current.suggestion || {};
  const action = chosenAction();
  const reviewer = $('r-reviewer').value.trim();
  const reason = $('r-reason').value;
  const override = $('r-override').value;
  const stop = (text, field) => { say(msg, text, 'error'); if (field) field.focus(); };
  if (!action) return stop('Choose approve, amend or reject.', $('act-approve'));
  if (!reviewer) return stop('Enter your reviewer reference: it goes in the audit trail.', $('r-reviewer'));
  if (action !== 'REVIEW_ACTION_APPROVE' && !reason.trim()) {
    return stop(`A reason is required to ${action === 'REVIEW_ACTION_AMEND' ? 'amend' : 'reject'}.`, $('r-reason'));
  }
  const lines = action === 'REVIEW_ACTION_AMEND' ? amendedLines() : [];
  if (action === 'REVIEW_ACTION_AMEND' && !lines.length) return stop('Amending needs at least one line.', $('amend-add'));
  // Only lines that would be billed need the override, as on the server.
  const blocked = blockingCodes(s);
  const billed = action === 'REVIEW_ACTION_AMEND' ? lines.map((l) => l.code)
    : action === 'REVIEW_ACTION_APPROVE' ? [...blocked] : [];
  const needsOverride = billed.filter((c) => blocked.has(c));
  if (needsOverride.length && !override.trim()) {
    return stop(`${needsOverride.join(', ')} has a blocking warning: enter an override reason to bill it, or reject.`, $('r-override'));
  }
  sessionStorage.setItem(REVIEWER_KEY, reviewer);
  $('review-submit').disabled = true;
  say(msg, 'Sending…');
  try {
    const after = await getJson(`/v1/suggestions/${enc(openedId)}:review`, {
      method: 'POST',
      body: {
        reviewerRef: reviewer, action, etag: current.etag, reason,
        overrideReason: override, amendedLines: lines,
      },
    });
    current = after;
    $('conflict').hidden = true;
    await renderDetail(after);
    loadAudit();
    say(msg, `Saved: the suggestion is now ${stateWord(after.state)}.`, 'ok');
  } catch (err) {
    if (err instanceof ApiError && err.status === 'ABORTED') {
      showConflict(err);
      say(msg, '');
    } else {
      say(msg, describe(err, 'The review was not saved: '), 'error');
    }
  } finally {
    $('review-submit').disabled = false;
  }
}

// A stale etag: late events changed the numbers while the therapist read them.
function showConflict(err) {
  $('conflict-text').replaceChildren(
    h('strong', {}, 'This suggestion changed since you opened it'),
    ' (new session events changed its numbers), so your review was not saved. ' +
    'Reload it to see the current numbers; what you typed in the form stays. ',
    h('span', { class: 'code' }, `Server: ${err.message}`));
  $('conflict').hidden = false;
  $('conflict-reload').focus();
}

async function loadAudit() {
  const box = $('audit-body');
  const s = (current && current.suggestion) || {};
  if (!s.patientRef) return;
  let records;
  try {
    records = (await getJson(`/v1/audit?${query([['patient_ref', s.patientRef], ['date', s.dateOfService]])}`)).records || [];
  } catch (err) {
    return box.replaceChildren(h('p', { class: 'msg msg-error' }, describe(err, 'The audit trail could not be loaded: ')));
  }
  if (!records.length) return box.replaceChildren(h('p', {}, 'Nothing yet: no review or export of this patient-day.'));
  box.replaceChildren(h('ol', { class: 'audit' }, records.map((a) => h('li', {},
    h('p', {}, h('strong', {}, `#${a.recordId} ${a.action}`), ` by ${a.actor}`,
      a.time ? ` at ${new Date(a.time).toLocaleString()}` : '', a.batchId ? `, batch ${a.batchId}` : ''),
    a.reason ? h('p', {}, `Reason: ${a.reason}`) : '',
    a.overrideReason ? h('p', {}, `Override reason: ${a.overrideReason}`) : '',
    h('p', {}, 'Before: ', (a.before || []).map(lineText).join('; ') || '(none)'),
    h('p', {}, 'After: ', (a.after || []).map(lineText).join('; ') || '(none)')))));
}

// ------------------------------------------------------------------ export

async function exportClaims(ev) {
  ev.preventDefault();
  const msg = $('export-msg');
  const from = $('x-from').value, to = $('x-to').value, format = $('x-format').value;
  const actor = $('x-actor').value.trim();
  if (!from || !to) return say(msg, 'Choose both dates of the range.', 'error');
  if (!actor) {
    $('x-actor').focus();
    return say(msg, 'Enter your billing reference: it goes in the audit trail.', 'error');
  }
  const q = query([['format', format], ['date_min', from], ['date_max', to], ['actor_ref', actor],
    ['include_exported', $('x-again').checked ? 'true' : 'false']]);
  say(msg, 'Exporting…');
  let res;
  try {
    res = await call(`/v1/exports?${q}`, { accept: '*/*' });
  } catch (err) {
    return say(msg, describe(err, 'Nothing was exported: '), 'error');
  }
  if (res.status === 204) {
    return say(msg, `Nothing to export from ${from} to ${to}: no approved line that was not exported before.`);
  }
  const blob = await res.blob();
  const ext = { csv: 'csv', x12: 'x12', fhir: 'fhir.json' }[format];
  const name = fileName(res.headers.get('Content-Disposition')) || `claims-${from}-${to}.${ext}`;
  // The file came with the Authorization header; hand it to the browser as a
  // download from memory, so the token never sits in a link.
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, class: 'sr-only' }, name);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  const hdr = (k) => res.headers.get(`X-Unitclock-${k}`);
  const count = (n, word) => `${n} ${word}${n === '1' ? '' : 's'}`;
  say(msg, `Exported ${name}: ${count(hdr('Claim-Count') ?? '?', 'claim')}, ${count(hdr('Line-Count') ?? '?', 'line')}` +
    `${hdr('Batch-Id') ? `, batch ${hdr('Batch-Id')}` : ''} (${blob.size} bytes).`, 'ok');
  // Claims that could not be written are named with their reason, not dropped silently.
  const skipped = Number(hdr('Skipped-Count') || 0);
  if (skipped > 0) {
    let named = [];
    try { named = JSON.parse(hdr('Skipped-Claims') || '{}').skippedClaims || []; } catch { /* counted anyway */ }
    msg.append(h('p', {}, h('strong', {}, `${skipped} approved claim${skipped === 1 ? ' was' : 's were'} left out of the file:`)),
      h('ul', {}, named.map((c) => h('li', {}, `${c.name}: ${c.reason}`))));
  }
}

// The filename of Content-Disposition: attachment; filename="x.csv"
function fileName(cd) {
  const m = /filename="?([^";]+)"?/i.exec(cd || '');
  return m ? m[1].replace(/[^A-Za-z0-9._-]/g, '_') : '';
}

// ------------------------------------------------------------- live session

let live = null; // { abort: AbortController, last, at, timer }

async function watch(ev) {
  if (ev) ev.preventDefault();
  const msg = $('live-msg');
  const id = $('l-session').value.trim();
  if (!id) {
    $('l-session').focus();
    return say(msg, 'Enter the session id to watch.', 'error');
  }
  stopWatching();
  const abort = new AbortController();
  live = { abort, last: null, at: 0, timer: setInterval(tick, 1000) };
  $('live-stop').disabled = false;
  say(msg, `Watching session ${id}…`);
  try {
    const res = await call(`/v1/sessions/${enc(id)}:watch`, { signal: abort.signal, accept: 'text/event-stream' });
    await readEvents(res.body, (data, event) => {
      const msg = JSON.parse(data);
      // A stream that fails after it started says so in an error body.
      if (event === 'error' || msg.error) throw new ApiError(msg.error?.code ?? 500, msg.error?.status ?? '', msg.error?.message ?? data);
      progress(msg);
    });
    if (live && live.abort === abort) {
      say(msg, live.last && live.last.state === 'STATE_STOPPED'
        ? `Session ${id} stopped: the totals above are final.` : `The stream of session ${id} ended.`);
    }
  } catch (err) {
    if (err.name === 'AbortError') return;
    abort.abort(); // closes the stream if it is still open
    if (live && live.abort === abort) {
      say(msg, err.httpStatus === 404 ? `Session ${id} was not found on your platform.`
        : describe(err, 'Watching failed: '), 'error');
    }
  }
  if (live && live.abort === abort) {
    clearInterval(live.timer);
    tick();
    $('live-stop').disabled = true;
  }
}

// Parses a text/event-stream body: calls onData(data, eventName) per event.
async function readEvents(body, onData) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let end;
    while ((end = buf.search(/\r\n\r\n|\n\n|\r\r/)) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end).replace(/^(\r\n\r\n|\n\n|\r\r)/, '');
      const fields = block.split(/\r\n|\n|\r/);
      const value = (l) => l.slice(l.indexOf(':') + (l.includes(': ') && l.indexOf(': ') === l.indexOf(':') ? 2 : 1));
      const data = fields.filter((l) => l.startsWith('data:')).map(value).join('\n');
      const event = fields.filter((l) => l.startsWith('event:')).map(value).pop() || 'message';
      if (data) onData(data, event);
    }
  }
}

function progress(p) {
  if (!live) return;
  live.last = p;
  live.at = Date.now();
  $('live-out').hidden = false;
  tick();
  // Announce what changes rarely; the running time is not read out each second.
  $('status').textContent = `Live: ${p.units ?? 0} units so far, ${p.minutesToNextUnit ?? 0} minutes to the next unit.`;
}

// Shows the last totals, the running time counted on between messages while
// an activity accrues.
function tick() {
  if (!live || !live.last) return;
  const p = live.last;
  const running = p.state === 'STATE_ACTIVE' && p.currentCode && !live.abort.signal.aborted;
  const secs = Number(p.billableSeconds || 0) + (running ? Math.floor((Date.now() - live.at) / 1000) : 0);
  $('live-state').textContent = p.state === 'STATE_ACTIVE' ? 'going on' : p.state === 'STATE_STOPPED' ? 'stopped' : enumWord(p.state, 'STATE_');
  $('live-time').textContent = `${Math.floor(secs / 60)} min ${pad(secs % 60)} s`;
  $('live-units').textContent = String(p.units ?? 0);
  $('live-next').textContent = String(p.minutesToNextUnit ?? 0);
  $('live-code').textContent = p.currentCode || 'none (no activity accruing)';
  $('live-method').textContent = methodWord(p.method);
}

function stopWatching() {
  if (!live) return;
  live.abort.abort();
  clearInterval(live.timer);
  $('live-stop').disabled = true;
  say($('live-msg'), 'Stopped watching.');
}

// ------------------------------------------------------------------ wiring

function init() {
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 13 * 86400000);
  for (const [a, b] of [['q-from', 'q-to'], ['x-from', 'x-to']]) {
    $(a).value = isoDay(weekAgo);
    $(b).value = isoDay(today);
  }
  $('q-reviewer').value = sessionStorage.getItem(REVIEWER_KEY) || '';
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('token').value.trim();
    if (!t) {
      say($('signin-msg'), 'Paste your access token first.', 'error');
      return $('token').focus();
    }
    signIn(t);
  });
  $('sign-out').addEventListener('click', signOut);
  for (const t of document.querySelectorAll('.tab')) {
    t.addEventListener('click', () => show(t.dataset.view));
  }
  $('queue-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadQueue(); });
  $('open-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const id = $('open-id').value.trim();
    // Suggestion ids are letters, digits, '-', '_' and '.'.
    if (!/^[A-Za-z0-9._-]+$/.test(id)) {
      say($('open-msg'), 'A suggestion id has only letters, digits, "-", "_" and ".".', 'error');
      return $('open-id').focus();
    }
    say($('open-msg'), '');
    openSuggestion(id);
  });
  $('q-reviewer').addEventListener('change', () => sessionStorage.setItem(REVIEWER_KEY, $('q-reviewer').value.trim()));
  $('back-to-queue').addEventListener('click', () => { show('queue-view'); loadQueue(); });
  $('detail-reload').addEventListener('click', loadDetail);
  $('conflict-reload').addEventListener('click', async () => {
    await loadDetail();
    $('conflict').hidden = true;
    $('detail-h').focus();
  });
  for (const r of document.querySelectorAll('input[name="action"]')) r.addEventListener('change', onActionChange);
  $('amend-add').addEventListener('click', () => addAmendLine().querySelector('input').focus());
  $('review-form').addEventListener('submit', submitReview);
  $('export-form').addEventListener('submit', exportClaims);
  $('live-form').addEventListener('submit', watch);
  $('live-stop').addEventListener('click', stopWatching);

  if (token()) signIn(token());
  else show('signin-view', { focus: false });
}

init();

// The review page (web/) in a real browser: Debian's chromium, headless,
// driven by puppeteer-core, against the unitclockd that review_page_test.sh
// started and filled with scenarios. Run by that script:
//
//   node --test tests/web/review_page.test.mjs
//
// Environment: UNITCLOCK_URL (the page), WORK_DIR (tokens *.token, scenario
// files, screenshots, downloads), SIMULATED_PLATFORM and UNITCLOCK_TARGET
// (to send late events while the page is open), CHROMIUM, LIVE_SESSION (a
// session still going on), DOCS_SCREENSHOT (optional: where to save the
// review view's picture for README).
//
// The tests run in order and share the daemon's data: the example
// patient-day is approved, its copy amended, both exported, and so on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

// Packages come through require, which follows NODE_PATH (the script sets it
// to what scripts/npm_ci.sh installed outside the checkout).
const require = createRequire(import.meta.url);
const puppeteer = require('puppeteer-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const URL_ = process.env.UNITCLOCK_URL;
const WORK = process.env.WORK_DIR;
assert.ok(URL_ && WORK, 'UNITCLOCK_URL and WORK_DIR must be set (review_page_test.sh sets them)');
const token = (name) => readFileSync(path.join(WORK, `${name}.token`), 'utf8').trim();
const DESK = token('desk');
const OTHER_DESK = token('other-desk');
const DAY = '2026-11-27';

let browser;
const problems = []; // CSP violations, page errors, failed assets: none allowed
const requested = []; // every URL the browser asked for

before(async () => {
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // CI runs as root, and Chromium will not start as root with its sandbox:
    // there (only) --no-sandbox, acceptable for our own page on loopback.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'],
    defaultViewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await browser?.close();
});

// A new tab in its own context: empty sessionStorage, no state of another test.
async function newPage() {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.emulateTimezone('UTC');
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d|status of 409/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => requested.push(r.url()));
  // Records CSP violations in the page itself (this runs before any of its scripts).
  await page.evaluateOnNewDocument(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return page;
}

async function closePage(page) {
  const v = await page.evaluate(() => window.cspViolations).catch(() => []);
  for (const x of v || []) problems.push(`CSP violation: ${x}`);
  await page.browserContext().close();
}

// pageTest(name, shotName, fn): runs fn(page) in a new tab; a failure leaves
// a screenshot of the page as it was, WORK_DIR/<shotName>-FAILED.png.
function pageTest(name, shotName, fn) {
  test(name, async () => {
    const page = await newPage();
    try {
      await fn(page);
    } catch (err) {
      await shot(page, `${shotName}-FAILED`).catch(() => {});
      throw err;
    } finally {
      await closePage(page);
    }
  });
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(WORK, `${name}.png`), fullPage: true });
}

// What a reader sees of an element (innerText puts spaces between cells).
const text = (page, sel) => page.$eval(sel, (el) => (el.innerText || el.textContent).replace(/\s+/g, ' ').trim());
const visible = (page, sel) => page.$eval(sel, (el) => !el.closest('[hidden]') && el.getClientRects().length > 0);
const setValue = (page, sel, v) => page.$eval(sel, (el, value) => { el.value = value; }, v);

// Waits until the element's text matches the pattern; fails with the text.
async function waitText(page, sel, re, timeout = 10000) {
  try {
    await page.waitForFunction((s, src, flags) => {
      const el = document.querySelector(s);
      return el && new RegExp(src, flags).test((el.innerText || el.textContent).replace(/\s+/g, ' '));
    }, { timeout }, sel, re.source, re.flags);
  } catch (err) {
    const now = await text(page, sel).catch(() => '(missing)');
    throw new Error(`${sel} never matched ${re}: "${now}"`, { cause: err });
  }
  return text(page, sel);
}

// The API straight from node, for setting up and checking what the page did.
async function api(pathname, bearer = DESK) {
  const res = await fetch(new URL(pathname, URL_), { headers: { Authorization: `Bearer ${bearer}` } });
  const body = res.status === 204 ? null : await res.json();
  assert.equal(res.status, 200, `${pathname}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function signIn(page, bearer = DESK) {
  await page.goto(URL_, { waitUntil: 'networkidle0' });
  await page.type('#token', bearer);
  await page.click('#signin-form button[type="submit"]');
  await page.waitForSelector('#who:not([hidden])');
}

async function listDay(page, from, to = from, state = '') {
  await setValue(page, '#q-from', from);
  await setValue(page, '#q-to', to);
  await page.select('#q-state', state);
  await page.click('#queue-form button[type="submit"]');
  // The page marks which query its table answers.
  await page.waitForFunction((f, t) => {
    const q = new URLSearchParams(document.querySelector('#queue-results').dataset.query || '');
    return q.get('date_min') === f && q.get('date_max') === t;
  }, {}, from, to);
}

const rowOf = (patient) => `#queue-results tr[data-suggestion-id*="${Buffer.from(patient).toString('base64url')}"]`;

async function openPatientDay(page, patient, day = DAY) {
  await listDay(page, day);
  await page.waitForSelector(rowOf(patient));
  await page.click(`${rowOf(patient)} button`);
  await page.waitForSelector('#review-section:not([hidden])');
  await page.waitForSelector('#timelines figure, #timelines .msg');
}

async function review(page, action, fields = {}) {
  await page.click(`#act-${action}`);
  for (const [sel, v] of Object.entries(fields)) {
    await page.$eval(sel, (el) => { el.value = ''; });
    await page.type(sel, v);
  }
  await page.click('#review-submit');
}

// axe-core in the page: no serious or critical violation. Injected through
// DevTools, which the page's CSP does not govern.
async function checkAxe(page, where) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [],
    `axe-core on the ${where}`);
}

// The platform sends events of a session now, through simulated_platform.
// It exits 1 when the day has no suggestion yet: only a rejection fails here.
async function platformSends(name, sessionId, events) {
  const file = path.join(WORK, `${name}.json`);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  writeFileSync(file, JSON.stringify({ session_id: sessionId, start_time: now,
    events: events.map((e, i) => ({ at: '00:00', event_id: `${sessionId}-${name}-${i}`, ...e })) }));
  const out = await promisify(execFile)(process.env.SIMULATED_PLATFORM, ['--target', process.env.UNITCLOCK_TARGET,
    '--token-file', path.join(WORK, 'platform.token'), '--buffer', path.join(WORK, `${name}.buffer`),
    '--scenario', file]).catch((e) => e);
  assert.doesNotMatch(out.stdout, /REJECTED/, out.stdout);
  assert.match(out.stdout, /OUTCOME_RECORDED/, `${out.stdout}${out.stderr}`);
}

const suggestionId = (day, payer, patient, discipline = 'pt') =>
  `${day}.${discipline}.${Buffer.from(payer).toString('base64url')}.${Buffer.from(patient).toString('base64url')}`;

pageTest('served under the CSP; a wrong token is refused in plain words', '01-wrong-token', async (page) => {
  const res = await page.goto(URL_, { waitUntil: 'networkidle0' });
  const csp = res.headers()['content-security-policy'] || '';
  assert.match(csp, /script-src 'self'/, 'the page comes with its Content-Security-Policy');
  assert.match(csp, /style-src 'self'/);
  await page.type('#token', 'not-a-token-at-all');
  await page.keyboard.press('Enter');
  const msg = await waitText(page, '#signin-msg', /not accepted/);
  assert.match(msg, /wrong, expired or revoked/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('unitclock.token')), null,
    'a refused token is not kept');
  assert.ok(await visible(page, '#signin-view'));
  await shot(page, '01-wrong-token');
  await checkAxe(page, 'sign-in view with its error');
});

pageTest('sign in and find the example patient-day: 97110 x2 GP 95 POS 10', '02-queue', async (page) => {
  await signIn(page);
  const who = await text(page, '#who-text');
  assert.match(who, /^Platform demo-rehab · roles: .* · token demo-desk$/);
  assert.match(who, /reviewer/);
  assert.match(who, /billing/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('unitclock.token')), DESK);
  assert.equal(await page.evaluate(() => document.cookie), '', 'no cookie');
  await listDay(page, DAY);
  const row = await text(page, rowOf('pt-4f9c2a'));
  assert.match(row, /2026-11-27 pt-4f9c2a medicare physical therapy prov-17b3 pending review/);
  assert.match(row, /97110 ×2 · GP 95 · POS 10/);
  // "My sessions": another reviewer's filter hides it, the treating one's shows it.
  await setValue(page, '#q-reviewer', 'prov-nobody');
  await page.click('#q-mine');
  await listDay(page, DAY);
  await waitText(page, '#queue-msg', /No patient-day waits for review/);
  await setValue(page, '#q-reviewer', 'prov-17b3');
  await listDay(page, DAY);
  await page.waitForSelector(rowOf('pt-4f9c2a'));
  await shot(page, '02-queue');
  await checkAxe(page, 'queue');
  // Signing out forgets the token and leaves nothing on screen.
  await page.click('#sign-out');
  await waitText(page, '#signin-msg', /Signed out: the token is forgotten/);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.equal(await page.$$eval('#queue-results tr', (rows) => rows.length), 0);
});

pageTest('markup in references shows as text, never as markup', '02-markup', async (page) => {
  const patient = '<img src=x onerror=window.pwned=1>';
  await signIn(page);
  await listDay(page, '2026-11-26');
  const row = await text(page, rowOf(patient));
  assert.ok(row.includes(`${patient} medicare physical therapy <b>prov</b>`), row);
  await page.click(`${rowOf(patient)} button`);
  await page.waitForSelector('#timelines figure');
  assert.equal(await text(page, '#detail-h'), `Patient ${patient} · 2026-11-26`);
  assert.equal(await page.$$eval('main img, main b', (els) => els.length), 0, 'no element made of data');
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await shot(page, '02-markup');
  // And the page's code writes no HTML from strings at all.
  const app = readFileSync(new URL('../../web/app.js', import.meta.url), 'utf8');
  assert.doesNotMatch(app, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
});

pageTest('the review view: timeline picture, both unit rules, documentation, then approve', '03-review-view', async (page) => {
  await signIn(page);
  await openPatientDay(page, 'pt-4f9c2a');
  assert.equal(await text(page, '#detail-h'), 'Patient pt-4f9c2a · 2026-11-27');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'detail-h', 'focus moves to the view');
  const lines = await text(page, '#detail-body table.lines tbody');
  assert.match(lines, /^97110 Therapeutic exercise\b.* 2 GP 95 10 25 — no$/);

  // One picture for the one session: billable stretches, excluded ones, and
  // the two units with their boundaries (start of unit 1, start of unit 2,
  // end of unit 2).
  const pic = await page.$eval('#timelines figure', (f) => ({
    svg: !!f.querySelector('svg.timeline-svg[role="img"]'),
    billable: f.querySelectorAll('svg.timeline-svg rect.billable').length,
    excluded: f.querySelectorAll('svg.timeline-svg rect.excluded').length,
    units: [...f.querySelectorAll('svg.timeline-svg rect.unit title')].map((t) => t.textContent),
    boundaries: f.querySelectorAll('svg.timeline-svg line.unit-boundary').length,
    caption: f.querySelector('figcaption').textContent,
    legend: f.querySelector('.legend').textContent,
  }));
  assert.ok(pic.svg, 'an SVG picture with role img');
  assert.ok(pic.billable >= 1, 'billable stretches drawn');
  assert.ok(pic.excluded >= 1, 'excluded stretches drawn');
  assert.deepEqual(pic.units.map((u) => u.replace(/:.*\(/, ' (')), ['97110 unit 1 (15 min)', '97110 unit 2 (10 min)']);
  assert.equal(pic.boundaries, 3);
  assert.match(pic.caption, /Session demo-20261127-0001, 15:00:00–15:30:00 \(30 min, stopped\): 25 min billable; excluded: .*; 97110 2 units\./);
  assert.match(pic.legend, /Billable: 97110 Therapeutic exercise/);
  assert.match(pic.legend, /Excluded: /);
  assert.match(pic.legend, /Dashed line: a unit boundary/);

  const methods = await text(page, 'table.methods');
  assert.match(methods, /Medicare pooled \(used for this payer\)/);
  assert.match(methods, /97110 25 2 2 Total 25 2 2/);
  assert.match(await text(page, '#detail-body'), /Total timed minutes 25 Total treatment minutes 25/);
  assert.match(await text(page, 'table.provenance'), /97110 unit 1 15:02:00–15:17:00 15 min 97110 unit 2 15:17:00–15:27:00 10 min/);
  assert.match(await text(page, '#detail-body'), /97110: 25 min made 2 units \(15 min \+ 10 min\)\./);
  if (process.env.DOCS_SCREENSHOT) {
    await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: true });
  }
  await shot(page, '03-review-view');
  await checkAxe(page, 'review view');

  await review(page, 'approve', { '#r-reviewer': 'prov-17b3' });
  await waitText(page, '#review-msg', /Saved: the suggestion is now approved/);
  const audit = await waitText(page, '#audit-body', /approve by prov-17b3/);
  assert.match(audit, /After: 97110 ×2 · GP 95 · POS 10/);
  const id = suggestionId(DAY, 'medicare', 'pt-4f9c2a');
  assert.equal((await api(`/v1/suggestions/${id}`)).state, 'REVIEW_STATE_APPROVED');
  await shot(page, '03-approved');
});

pageTest('amend: a reason is required, then units change and the audit keeps the reason', '04-amend', async (page) => {
  await signIn(page);
  await openPatientDay(page, 'pt-8d21e0');
  await page.click('#act-amend');
  assert.ok(await visible(page, '#amend-box'), 'amending shows the lines to bill');
  await setValue(page, '#amend-lines input[name="units"]', '1');
  await page.type('#r-reviewer', 'prov-17b3');
  await page.click('#review-submit');
  await waitText(page, '#review-msg', /A reason is required to amend/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'r-reason');
  const id = suggestionId(DAY, 'medicare', 'pt-8d21e0');
  assert.equal((await api(`/v1/suggestions/${id}`)).state, 'REVIEW_STATE_PENDING', 'nothing was sent');
  await page.click('#act-reject');
  await page.click('#review-submit');
  await waitText(page, '#review-msg', /A reason is required to reject/);
  await page.click('#act-amend');
  await page.type('#r-reason', 'patient rested 10 minutes');
  await page.click('#review-submit');
  await waitText(page, '#review-msg', /now amended/);
  assert.match(await text(page, '#detail-body'), /Lines as approved 97110 ×1 · GP 95 · POS 10 \(25 min\)/);
  const audit = await waitText(page, '#audit-body', /amend by prov-17b3/);
  assert.match(audit, /Reason: patient rested 10 minutes/);
  assert.match(audit, /Before: \(none\) After: 97110 ×1 · GP 95 · POS 10/);
  await shot(page, '04-amended');
});

// Waits for one finished download in the folder; returns its path.
async function downloaded(dir) {
  for (let i = 0; i < 100; i++) {
    const files = readdirSync(dir).filter((f) => !f.endsWith('.crdownload'));
    if (files.length) return path.join(dir, files[0]);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no download in ${dir}`);
}

pageTest('export (billing): CSV, 837P and FHIR downloaded with the approved lines', '05-export', async (page) => {
  await signIn(page);
  const dir = path.join(WORK, 'downloads');
  const cdp = await page.createCDPSession();
  await page.click('#tab-export');
  await setValue(page, '#x-from', DAY);
  await setValue(page, '#x-to', DAY);
  await page.type('#x-actor', 'billing-1');

  const exportTo = async (format, again, expect) => {
    const into = path.join(dir, format + (again ? '-again' : ''));
    rmSync(into, { recursive: true, force: true });
    mkdirSync(into, { recursive: true });
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: into,
      browserContextId: page.browserContext().id });
    await page.select('#x-format', format);
    if ((await page.$eval('#x-again', (el) => el.checked)) !== again) await page.click('#x-again');
    await page.$eval('#export-msg', (el) => { el.textContent = ''; });
    await page.click('#export-form button[type="submit"]');
    const msg = await waitText(page, '#export-msg', expect);
    return { msg, into };
  };

  const csv = await exportTo('csv', false, /Exported unitclock-2026-11-27_2026-11-27\.csv: 2 claims, 2 lines, batch \S+ \(\d+ bytes\)\./);
  const csvText = readFileSync(await downloaded(csv.into), 'utf8').replace(/\r/g, '');
  const rows = csvText.trim().split('\n');
  assert.equal(rows.length, 3, `a header and the two approved lines:\n${csvText}`);
  assert.match(rows[0], /^date_of_service,platform,patient_ref,provider_ref,payer_id,code,modifiers,units,minutes,place_of_service,/);
  assert.ok(rows.some((r) => /^2026-11-27,demo-rehab,pt-4f9c2a,prov-17b3,medicare,97110,"?GP 95"?,2,25,"?10"?,/.test(r)), csvText);
  assert.ok(rows.some((r) => /^2026-11-27,demo-rehab,pt-8d21e0,prov-17b3,medicare,97110,"?GP 95"?,1,25,"?10"?,/.test(r)), csvText);
  await shot(page, '05-export-csv');

  const x12 = await exportTo('x12', true, /Exported /);
  const x12Text = readFileSync(await downloaded(x12.into), 'utf8');
  assert.match(x12Text, /^ISA\*/);
  assert.match(x12Text, /SV1\*HC:97110:GP:95\*/);

  const fhir = await exportTo('fhir', true, /Exported /);
  const bundle = JSON.parse(readFileSync(await downloaded(fhir.into), 'utf8'));
  assert.equal(bundle.resourceType, 'Bundle');
  assert.equal(bundle.entry.length, 2);

  // Everything went out once already: a plain export has nothing left.
  const none = await exportTo('csv', false, /Nothing to export/);
  assert.deepEqual(readdirSync(none.into), [], 'no file for nothing');
  await checkAxe(page, 'export view');
  await shot(page, '05-export-nothing');
});

pageTest('a blocking line: approving needs an explicit override reason', '06-blocking', async (page) => {
  await signIn(page);
  await listDay(page, '2026-10-15');
  const row = await text(page, rowOf('pt-bs-09'));
  assert.match(row, /Blocking 97535 ×1 · GP 93 · POS 02/, 'the line says Blocking in words');
  assert.match(row, /Blocking audio_only|Blocking .*audio/i);
  await page.click(`${rowOf('pt-bs-09')} button`);
  await page.waitForSelector('#review-section:not([hidden])');
  assert.match(await text(page, '.banner-blocking'), /Blocking: 97535 cannot be billed as suggested without an explicit override reason/);
  assert.ok(await visible(page, '#override-box'));
  await review(page, 'approve', { '#r-reviewer': 'prov-pt-01' });
  await waitText(page, '#review-msg', /97535 has a blocking warning: enter an override reason/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'r-override');
  const id = suggestionId('2026-10-15', 'medicare', 'pt-bs-09');
  assert.equal((await api(`/v1/suggestions/${id}`)).state, 'REVIEW_STATE_PENDING');
  await shot(page, '06-blocking-refused');
  await checkAxe(page, 'review view with a blocking line');

  // The server refuses it too, naming the field, whatever a client does.
  const res = await fetch(new URL(`/v1/suggestions/${id}:review`, URL_), {
    method: 'POST',
    headers: { Authorization: `Bearer ${DESK}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ reviewerRef: 'prov-pt-01', action: 'REVIEW_ACTION_APPROVE', etag: (await api(`/v1/suggestions/${id}`)).etag }),
  });
  const body = await res.json();
  assert.equal(res.status, 400);
  assert.match(body.error.message, /override_reason/);

  await page.type('#r-override', 'patient was at home; location recorded wrongly');
  await page.click('#review-submit');
  await waitText(page, '#review-msg', /now approved/);
  await waitText(page, '#audit-body', /Override reason: patient was at home; location recorded wrongly/);
  await shot(page, '06-blocking-overridden');
});

pageTest('late events while the suggestion is open: ABORTED, reload offered, nothing typed lost', '07-conflict', async (page) => {
  await signIn(page);
  await openPatientDay(page, 'pt-c0ff1c');
  const etagBefore = await page.$eval('#detail-body .summary', (el) => el.textContent);
  await page.click('#act-amend');
  await page.type('#r-reviewer', 'prov-17b3');
  await page.type('#r-reason', 'units checked against the note');
  await setValue(page, '#amend-lines input[name="units"]', '1');

  // The patient's connection drop arrives late, through the platform.
  const run = promisify(execFile);
  await run(process.env.SIMULATED_PLATFORM, ['--target', process.env.UNITCLOCK_TARGET,
    '--token-file', path.join(WORK, 'platform.token'), '--buffer', path.join(WORK, 'late.buffer'),
    '--scenario', path.join(WORK, 'late.json')]);

  await page.click('#review-submit');
  await page.waitForSelector('#conflict:not([hidden])');
  const conflict = await text(page, '#conflict');
  assert.match(conflict, /This suggestion changed since you opened it/);
  assert.match(conflict, /your review was not saved/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'conflict-reload', 'focus on the way out');
  assert.equal(await page.$eval('#r-reason', (el) => el.value), 'units checked against the note');
  await shot(page, '07-conflict');
  await checkAxe(page, 'conflict');

  await page.click('#conflict-reload');
  await waitText(page, '#detail-msg', /Reloaded: the numbers changed/);
  assert.notEqual(await page.$eval('#detail-body .summary', (el) => el.textContent), etagBefore, 'a new etag');
  assert.match(await text(page, '#detail-body table.lines tbody'), /^97110 Therapeutic exercise\b.* 1 GP 95 10 10 /, 'the new numbers');
  assert.equal(await page.$eval('#r-reason', (el) => el.value), 'units checked against the note', 'the reason stays');
  assert.equal(await page.$eval('#act-amend', (el) => el.checked), true, 'the decision stays');
  await page.click('#review-submit');
  await waitText(page, '#review-msg', /now amended/);
  await shot(page, '07-conflict-resolved');
});

pageTest("another platform's suggestion: not found, said plainly", '08-other-platform', async (page) => {
  const other = (await api(`/v1/suggestions?date_min=${DAY}&date_max=${DAY}`, OTHER_DESK)).suggestions;
  assert.equal(other.length, 1, 'the other platform has its own suggestion');
  await signIn(page);
  await page.type('#open-id', other[0].suggestionId);
  await page.click('#open-form button[type="submit"]');
  const msg = await waitText(page, '#detail-msg', /was not found/);
  assert.match(msg, /does not exist, or belongs to another platform/);
  assert.equal(await text(page, '#detail-h'), 'Suggestion not available');
  assert.ok(!(await visible(page, '#review-section')), 'nothing to review');
  await shot(page, '08-other-platform');
  // That platform's own desk (role reviewer only) sees it, and no export.
  await page.click('#sign-out');
  await page.type('#token', OTHER_DESK);
  await page.click('#signin-form button[type="submit"]');
  await page.waitForSelector('#who:not([hidden])');
  assert.match(await text(page, '#who-text'), /^Platform other-rehab · roles: reviewer · token other-desk$/);
  assert.ok(!(await visible(page, '#tab-export')), 'no export without the role billing');
  await listDay(page, DAY);
  assert.match(await text(page, rowOf('pt-0th3r1')), /pt-0th3r1/);
});

pageTest('a live session: running time, units and minutes to the next unit, until it stops', '09-live', async (page) => {
  const live = process.env.LIVE_SESSION;
  // A fresh sign of exercise: without one for 3 minutes, the activity goes idle.
  await platformSends('live-beat', live, [{ liveness_signal: { activity_id: 'ex-1', signal: 'repetition' } }]);
  await signIn(page);
  await page.click('.tab[data-view="live-view"]');
  await page.type('#l-session', live);
  await page.click('#live-form button[type="submit"]');
  await page.waitForSelector('#live-out:not([hidden])');
  assert.equal(await text(page, '#live-state'), 'going on');
  assert.equal(await text(page, '#live-code'), '97110');
  assert.match(await text(page, '#live-method'), /Medicare/);
  const units = Number(await text(page, '#live-units'));
  const next = Number(await text(page, '#live-next'));
  assert.ok(Number.isInteger(units) && Number.isInteger(next) && next > 0 && next <= 15, `units ${units}, next ${next}`);
  const t1 = await text(page, '#live-time');
  await new Promise((r) => setTimeout(r, 2200));
  const t2 = await text(page, '#live-time');
  assert.notEqual(t1, t2, 'the running time moves without a reload');
  await shot(page, '09-live');
  await checkAxe(page, 'live view');

  // The platform stops the session: the stream ends and the page says so.
  await platformSends('live-stop', live, [{ session_stopped: { reason: 'STOP_REASON_ENDED' } }]);
  await waitText(page, '#live-state', /^stopped$/, 15000);
  await waitText(page, '#live-msg', /stopped: the totals above are final/);
  await shot(page, '09-live-stopped');
});

pageTest('keyboard alone: sign in, open a patient-day, reach the review form', '10-keyboard', async (page) => {
  await page.goto(URL_, { waitUntil: 'networkidle0' });
  // Tab from the top of the page to the token field.
  const tabTo = async (pred, max = 60) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(pred)) return;
    }
    throw new Error(`not reached by Tab: ${pred}`);
  };
  await tabTo(() => document.activeElement.id === 'token');
  await page.keyboard.type(DESK);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#who:not([hidden])');
  await tabTo(() => document.activeElement.id === 'q-from');
  await page.evaluate(() => { document.activeElement.value = '2026-11-27'; });
  await tabTo(() => document.activeElement.id === 'q-to');
  await page.evaluate(() => { document.activeElement.value = '2026-11-27'; });
  await page.select('#q-state', 'all');
  await tabTo(() => document.activeElement.closest('form')?.id === 'queue-form' && document.activeElement.type === 'submit');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /date_min=2026-11-27/.test(document.querySelector('#queue-results').dataset.query));
  await tabTo(() => document.activeElement.closest('tr')?.dataset.suggestionId?.includes('cHQtNGY5YzJh'));
  await page.keyboard.press('Enter');
  await page.waitForSelector('#review-section:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'detail-h');
  await tabTo(() => document.activeElement.id === 'act-approve', 200);
  await tabTo(() => document.activeElement.id === 'review-submit', 20);
  // Every control on the way has a name a screen reader can say.
  const unnamed = await page.$$eval('input, select, textarea, button', (els) => els
    .filter((el) => !el.closest('[hidden]') && !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
    .map((el) => el.id || el.outerHTML.slice(0, 60)));
  assert.deepEqual(unnamed, []);
  await shot(page, '10-keyboard');
  await checkAxe(page, 'review view of an approved patient-day');
});

// examples/scenarios/rtm_month.json, which review_page_test.sh recorded: an
// RTM month of October 2026 (closed) with its live video visit.
pageTest('a remote monitoring month: its period under the heading, and the provisional toggle', '11-monitoring', async (page) => {
  await signIn(page);
  const month = suggestionId('2026-10-31', 'medicare', 'pt-7f3a', 'pt-rtm');
  const device = suggestionId('2026-10-30', 'medicare', 'pt-7f3a', 'pt-rtmd');
  const row = (id) => `#queue-results tr[data-suggestion-id="${id}"]`;
  await listDay(page, '2026-10-30', '2026-10-31');
  assert.ok(!new URLSearchParams(await page.$eval('#queue-results', (el) => el.dataset.query)).has('include_provisional'),
    'closed periods only, unless asked');
  const monthRow = await text(page, row(month));
  assert.match(monthRow, /^2026-10-31 2026-10 calendar month, 21 min, contact: visit visit-2026-10-14\b.* pt-7f3a medicare physical therapy prov-19 pending review\b/);
  assert.match(monthRow, /98980 ×1 · GP\b/);
  assert.doesNotMatch(monthRow, /Provisional/);
  const deviceRow = await text(page, row(device));
  assert.match(deviceRow, /^2026-10-30 device period 2026-10-01 – 2026-10-30, 18 days pt-7f3a/);
  assert.match(deviceRow, /98977 ×1 · GP\b/);
  assert.match(deviceRow, /98975 ×1 · GP\b/);

  // The month under its heading: kind, dates, minutes, the visit as its contact.
  await page.click(`${row(month)} button`);
  await page.waitForSelector('#review-section:not([hidden])');
  assert.equal(await text(page, '#detail-h'), 'Patient pt-7f3a · 2026-10 calendar month');
  const facts = await text(page, '.period-facts');
  assert.match(facts, /Kind Calendar month: treatment management/);
  assert.match(facts, /Dates 2026-10-01 – 2026-10-31/);
  assert.match(facts, /Management time 21 min/);
  assert.match(facts, /Interactive contacts visit visit-2026-10-14/);
  assert.match(facts, /Status closed/);
  assert.equal(await page.$$eval('.badge-provisional', (els) => els.length), 0);
  assert.equal(await page.$$eval('#timelines', (els) => els.length), 0, 'no session picture for a month');
  assert.match(await text(page, 'table.management'), /12 min prov-19 \(PT\) management .* 9 min prov-19 \(PT\) management/);
  await shot(page, '11-monitoring-month');
  await checkAxe(page, 'monitoring month');

  // The device period: its 18 dates, the one late in the evening on its local date.
  // Back in the queue, the page lists again: wait for the new table, not
  // the one it replaces (a click on that one lands on a detached row).
  await page.$eval('#queue-results table', (t) => t.classList.add('stale'));
  await page.click('#back-to-queue');
  const fresh = `#queue-results table:not(.stale) tr[data-suggestion-id="${device}"] button`;
  await page.waitForSelector(fresh);
  await page.click(fresh);
  await waitText(page, '#detail-h', /^Patient pt-7f3a · device period 2026-10-01 – 2026-10-30$/);
  const days = await text(page, '.period-facts');
  assert.match(days, /Days of data 18 days: 2026-10-01, 2026-10-02, .*, 2026-10-26, 2026-10-30 /);
  assert.doesNotMatch(days, /2026-10-31/);
  await shot(page, '11-monitoring-device');

  // "Include open months" asks for provisional suggestions, and only then.
  await page.click('#back-to-queue');
  await page.click('#q-provisional');
  await listDay(page, '2026-10-30', '2026-10-31');
  // The same dates as the list before: wait for the answer of the new query.
  await page.waitForFunction(() => new URLSearchParams(
    document.querySelector('#queue-results').dataset.query || '').get('include_provisional') === 'true');
  assert.equal(new URLSearchParams(await page.$eval('#queue-results', (el) => el.dataset.query)).get('include_provisional'), 'true');
  await page.waitForSelector(row(month));
  await checkAxe(page, 'queue with the provisional toggle');
});

test('no CSP violation, no page error, the token never in a URL', () => {
  assert.deepEqual(problems, []);
  for (const t of [DESK, OTHER_DESK]) {
    assert.ok(!requested.some((u) => u.includes(t)), 'a request URL holds a token');
  }
  assert.ok(requested.some((u) => u.endsWith('/app.js')), 'the page loaded its script');
  assert.ok(existsSync(path.join(WORK, '03-review-view.png')));
});

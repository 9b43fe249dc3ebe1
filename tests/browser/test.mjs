// The web app in a real browser (Debian's chromium through playwright-core):
// sign-in with each demo role (and a refused token), keyboard navigation,
// dashboards and the consortium overview checked against the API's answers,
// the V6 application flow through the forms (draft, invite, risk assessment,
// the officer's commitment in a second browser context appearing live on the
// coordinator's open page, submit, approval, the project appearing live on the
// partner's dashboard; a second application declined and rejected), field-level
// and form-level validation errors, asOf (and a shared link keeping it), the
// yearly follow-up's CSV against the report query and its print layout,
// sv → en → nb, axe-core on every main view, no console errors, no CSP
// violations and no request beyond the server.
// Usage: node test.mjs <base-url> [artifacts-dir]   (run.sh starts the server)
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const base = process.argv[2] || process.env.SAMVERKAN_BASE;
const artifacts = path.resolve(process.argv[3] || path.join(root, 'target/browser-artifacts'));
if (!base) throw new Error('usage: node test.mjs <base-url> [artifacts-dir]');
mkdirSync(artifacts, { recursive: true });
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// The app's own formatting module is plain ES: test it here too.
const fmt = await import(pathToUrl(path.join(root, 'services/api/assets/web/format.js')));
function pathToUrl(p) {
  return new URL(`file://${p}`).href;
}

let failures = 0;
let passed = 0;
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n     ${String(e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
  }
}

async function api(token, query, variables = {}) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const digits = (s) => String(s).replace(/\D/g, '');
const wholeDigits = (minor) => (BigInt(String(minor)) / 100n).toString();

// ------------------------------------------------------------------ pure
await step('format.js: money is exact (BigInt), per locale; CSV cells are neutralised', async () => {
  assert.equal(fmt.formatMoney({ amountMinor: 165000000, currency: 'SEK' }, 'sv').replace(/\s/g, ' '), '1 650 000 kr');
  // The three crowns stay apart: the locale's own is "kr", the others by code.
  const sp = (x) => x.replace(/\s/g, ' ');
  assert.equal(sp(fmt.formatMoney({ amountMinor: 165000000, currency: 'NOK' }, 'sv')), '1 650 000 NOK');
  assert.equal(sp(fmt.formatMoney({ amountMinor: 165000000, currency: 'DKK' }, 'sv')), '1 650 000 DKK');
  assert.equal(sp(fmt.formatMoney({ amountMinor: 165000000, currency: 'NOK' }, 'nb')), '1 650 000 kr');
  assert.equal(sp(fmt.formatMoney({ amountMinor: 165000000, currency: 'SEK' }, 'nb')), '1 650 000 SEK');
  assert.equal(fmt.minorToDecimal('123456789012345678901234567'), '1234567890123456789012345.67');
  assert.ok(digits(fmt.formatMoney({ amountMinor: '123456789012345678901234500', currency: 'EUR' }, 'en')).startsWith('1234567890123456789012345'));
  assert.equal(fmt.minorToDecimal(-5), '-0.05');
  for (const bad of ['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(fmt.csvCell(bad), `"'${bad}"`);
  assert.equal(fmt.csvCell('a "b"'), '"a ""b"""');
});

const demo = await (await fetch(`${base}/demo/tokens`)).json();
const tokenOf = (prefix) => demo.tokens.find((t) => t.label.startsWith(prefix));
const coordinator = tokenOf('Coordinator');
const officer = tokenOf('Officer');
const reader = tokenOf('Reader');
assert.ok(coordinator && officer && reader, 'the demo offers three roles');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const problems = [];
async function newPage(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: 'sv-SE', timezoneId: 'Europe/Stockholm' });
  const page = await context.newPage();
  page.on('console', (m) => {
    // The sign-in test sends a bad token on purpose (401).
    if (m.type() === 'error' && !(name === 'signin' && /status of 401/.test(m.text()))) problems.push(`${name}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  // Nothing beyond the server.
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!['blob:', 'data:'].includes(u.protocol) && u.origin !== new URL(base).origin && u.host !== new URL(base).host) problems.push(`${name}: request beyond the server: ${r.url()}`);
  });
  return { context, page };
}

async function signInAs(page, label) {
  await page.goto(`${base}/`);
  await page.locator(`[data-demo-role="${label}"]`).click();
  await page.waitForSelector('main > div[id^="view-"]');
}

async function axe(page, view) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  writeFileSync(path.join(artifacts, `axe-${view}.json`), JSON.stringify(result.violations, null, 2));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [], `axe on ${view}`);
}

async function shot(page, view) {
  await page.screenshot({ path: path.join(artifacts, `${view}.png`), fullPage: true });
}

/** Poll `fn` in the page until it returns something truthy (waitForFunction
 * would need 'unsafe-eval', which the page's CSP rightly refuses). */
async function until(page, fn, arg, timeout = 15000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${fn}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** No enum value of the API shown raw in a (Swedish) view or its header. */
async function noRawEnums(page, view) {
  const text = `${await page.innerText('main')}\n${await page.innerText('header')}`;
  const raw = text.match(/\b(ERASMUS_PLUS|ESF_PLUS|NORDIC_COUNCIL|OWN_FUNDS|ADOPTED|SUPERSEDED|REPEALED|PLANNED|ACHIEVED|CANCELLED|LEAD|GREEN|INCLUSIVE|DIGITAL|DRAFT|SUBMITTED|APPROVED|REJECTED|DECLINED|PENDING)\b/g);
  assert.equal(raw, null, `raw enum names in ${view}: ${raw}`);
  const who = await page.innerText('#who');
  assert.ok(!/[(,] ?(officer|coordinator|reader|admin)\b/.test(who), `role in Swedish: ${who}`);
}

async function texts(page, selector) {
  return page.locator(selector).allInnerTexts();
}

try {
  // ---------------------------------------------------------- sign-in page
  await step('sign-in page: demo roles offered, token field labelled, a bad token refused, keyboard navigation, axe clean', async () => {
    const { page, context } = await newPage('signin');
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-demo-role]');
    assert.equal(await page.locator('[data-demo-role]').count(), 3);
    assert.equal(await page.locator('label[for="token-input"]').count(), 1);
    // A bad token is refused with an alert.
    await page.fill('#token-input', 'not-a-token');
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#signin-error .form-error');
    await shot(page, 'signin');
    await axe(page, 'signin');
    // Keyboard: the first Tab reaches the skip link, focus is visible.
    await page.goto(`${base}/`);
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => ({ id: document.activeElement.id, outline: getComputedStyle(document.activeElement).outlineStyle }));
    assert.equal(focus.id, 'skip-link');
    assert.notEqual(focus.outline, 'none');
    // The skip link moves focus to the content; the hash (the view) stays.
    const before = await page.evaluate(() => ({ hash: location.hash, n: history.length }));
    await page.keyboard.press('Enter');
    await until(page, () => document.activeElement?.id === 'main');
    assert.deepEqual(await page.evaluate(() => ({ hash: location.hash, n: history.length })), before, 'the skip link leaves the hash alone');
    // Signed in, the menu works from the keyboard: Tab past the skip link and
    // the first item, Enter on the second (the consortium overview).
    await page.locator(`[data-demo-role="${reader.label}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#view-dashboard');
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.view), 'consortium');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none', 'focus is visible');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#view-consortium');
    // After a navigation focus is on the view's heading, not lost on <body>.
    await until(page, () => document.activeElement === document.querySelector('main h1'));
    // Signed in, the skip link still leaves the view where it is.
    const hash = await page.evaluate(() => location.hash);
    await page.evaluate(() => document.getElementById('skip-link').click());
    assert.equal(await page.evaluate(() => location.hash), hash);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    assert.ok(await page.locator('#view-consortium').count(), 'still the consortium view');
    await context.close();
  });

  // ---------------------------------------------------------- officer dashboard
  const officerSession = await newPage('officer');
  const op = officerSession.page;
  await step('officer of Lidköping: the dashboard shows what the API answers', async () => {
    await signInAs(op, officer.label);
    await op.waitForSelector('#view-dashboard');
    assert.equal(await op.evaluate(() => sessionStorage.getItem('samverkan.token')) !== null, true, 'token in sessionStorage');
    assert.equal(await op.evaluate(() => localStorage.length), 0, 'nothing in localStorage');
    const d = (
      await api(
        officer.token,
        `{ dashboard(municipality: "SE-1494") { municipality { name } strategiesInForce { strategy { title } followUpOverdue } projects { project { title } overdueMilestones { id } }
           memberships { consortium } funding { granted { amountMinor currency } } goals { goal { title } projects { id } } twinTowns { partner { name } } } }`,
      )
    ).dashboard;
    assert.match(await op.locator('h1').innerText(), new RegExp(d.municipality.name));
    const strategyCells = await texts(op, '#strategies tbody tr td:first-child');
    assert.deepEqual(strategyCells, d.strategiesInForce.map((l) => l.strategy.title));
    assert.equal(await op.locator('#strategies tr.overdue').count(), d.strategiesInForce.filter((l) => l.followUpOverdue).length);
    assert.deepEqual(await texts(op, '#projects tbody tr td:first-child'), d.projects.map((p) => p.project.title));
    assert.equal(await op.locator('#projects tr.overdue').count(), d.projects.filter((p) => p.overdueMilestones.length).length);
    assert.equal(await op.locator('#memberships tbody tr').count(), d.memberships.length);
    if (d.funding.length) {
      const granted = (await texts(op, '#funding tbody tr td:nth-child(3)')).map(digits);
      assert.deepEqual(granted, d.funding.map((f) => wholeDigits(f.granted.amountMinor)));
      assert.ok(await op.locator('#funding-chart svg rect').count() >= d.funding.length, 'the chart has a bar per line');
    }
    const unserved = d.goals.filter((g) => g.projects.length === 0).length;
    assert.equal(await op.locator('#goals .unserved').count(), unserved);
    assert.equal(await op.locator('#twin-towns tbody tr').count() || 0, d.twinTowns.length);
    if (d.projects.length) assert.ok(await op.locator('#milestone-timeline circle, #milestone-timeline path').count() > 0);
    await shot(op, 'dashboard');
    await axe(op, 'dashboard');
    await noRawEnums(op, 'dashboard');
  });

  // ---------------------------------------------------------- reader
  await step('reader: dashboards as the API answers them, the municipality selector, no forms', async () => {
    const { page, context } = await newPage('reader');
    await signInAs(page, reader.label);
    await page.waitForSelector('#view-dashboard');
    assert.equal(await page.locator('nav a[data-view="actions"]').count(), 0, 'a reader has no forms');
    const m = await page.inputValue('#ctl-m');
    const d = (await api(reader.token, `query($m: MunicipalityCode!) { dashboard(municipality: $m) { projects { project { title } } strategiesInForce { strategy { title } } } }`, { m })).dashboard;
    assert.deepEqual(await texts(page, '#projects tbody tr td:first-child'), d.projects.map((p) => p.project.title));
    assert.deepEqual(await texts(page, '#strategies tbody tr td:first-child'), d.strategiesInForce.map((l) => l.strategy.title));
    // Moving through the selector's options does not navigate (WCAG 3.2.2) …
    const hash = await page.evaluate(() => location.hash);
    const h1 = await page.innerText('main h1');
    await page.focus('#ctl-m');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await new Promise((r) => setTimeout(r, 600));
    assert.notEqual(await page.inputValue('#ctl-m'), m, 'ArrowDown moved the selection');
    assert.equal(await page.evaluate(() => location.hash), hash, 'ArrowDown does not navigate');
    assert.equal(await page.innerText('main h1'), h1);
    // … "Visa" does: another municipality, Vänersborg.
    await page.selectOption('#ctl-m', 'SE-1487');
    await page.click('#ctl-m-apply');
    await until(page, () => /Vänersborg/.test(document.querySelector('main h1')?.textContent || ''));
    const v = (await api(reader.token, `{ dashboard(municipality: "SE-1487") { strategiesInForce { strategy { title } } twinTowns { partner { name } } } }`)).dashboard;
    assert.deepEqual(await texts(page, '#strategies tbody tr td:first-child'), v.strategiesInForce.map((l) => l.strategy.title));
    await shot(page, 'dashboard-reader-vanersborg');
    await page.click('nav a[data-view="consortium"]');
    await page.waitForSelector('#view-consortium');
    assert.equal(await page.locator('#draft-form').count(), 0);
    await context.close();
  });

  // ---------------------------------------------------------- coordinator overview
  const coordSession = await newPage('coordinator');
  const cp = coordSession.page;
  const t0 = new Date().toISOString();
  await step('coordinator of V6: the consortium overview shows what the API answers', async () => {
    await signInAs(cp, coordinator.label);
    await cp.waitForSelector('#view-consortium');
    const o = (
      await api(
        coordinator.token,
        `{ consortiumOverview(consortium: "V6") { currentMembers applicationsByStatus { status count } projects { title } memberCoFinancing { municipality } requested { amountMinor currency } consortium { memberships { municipality } } } }`,
      )
    ).consortiumOverview;
    for (const { status, count } of o.applicationsByStatus) {
      assert.equal(await cp.locator(`#pipeline li[data-status="${status}"] .n`).innerText(), String(count), status);
    }
    assert.equal(await cp.locator('#members tbody tr').count(), o.consortium.memberships.length);
    if (o.projects.length) assert.deepEqual(await texts(cp, '#projects tbody tr td:first-child'), o.projects.map((p) => p.title));
    const requested = (await texts(cp, '#requested-granted tbody tr td:nth-child(2)')).map(digits);
    assert.deepEqual(requested, o.requested.map((m) => wholeDigits(m.amountMinor)));
    await shot(cp, 'consortium');
    await axe(cp, 'consortium');
    await noRawEnums(cp, 'consortium');
  });

  // ------------------------------------------- programme rules on the views
  await step('decisions owed and rule warnings: Lidköping’s dashboard and the V6 overview show what the API answers', async () => {
    const admin = process.env.SAMVERKAN_ADMIN_TOKEN;
    assert.ok(admin, 'run.sh passes an administrator token (SAMVERKAN_ADMIN_TOKEN)');
    const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
    const send = (token, field, type, input) =>
      api(token, `mutation($id: UUID!, $input: ${type}!) { ${field}(commandId: $id, input: $input) { position } }`, { id: crypto.randomUUID(), input });
    const call = `browser-${Date.now()}`;
    const closesAt = `${day(60)}T22:59:00Z`;
    await send(admin, 'openCall', 'OpenCallInput', {
      programme: 'INTERREG-SE-NO', call, title: 'Webbtestets utlysning', ruleSet: '2021-2027',
      opensOn: day(0), closesAt, unavailableFunds: [], source: 'browser test call',
    });
    await send(officer.token, 'scheduleMeeting', 'ScheduleMeetingInput', { municipality: 'SE-1494', body: 'COUNCIL', date: day(10), source: 'browser test' });
    const ruleTitle = `Regelkoll ${Date.now()}`;
    const drafted = await api(
      coordinator.token,
      `mutation($id: UUID!, $input: DraftApplicationInput!) { draftApplication(commandId: $id, input: $input) { application { id } } }`,
      {
        id: crypto.randomUUID(),
        input: {
          consortium: 'V6', title: ruleTitle, programme: { kind: 'INTERREG', name: 'INTERREG-SE-NO' }, call,
          leadApplicant: 'SE-1494', deadline: closesAt,
          totalBudget: { amountMinor: 100000000, currency: 'SEK' }, requested: { amountMinor: 50000000, currency: 'SEK' },
          projectPeriod: { start: day(120), end: day(849) }, callRef: { programme: 'INTERREG-SE-NO', call }, sides: [],
        },
      },
    );
    const id = drafted.draftApplication.application.id;
    await send(coordinator.token, 'inviteCoApplicant', 'InviteCoApplicantInput', { applicationId: id, municipality: 'SE-1495', asked: { amountMinor: 20000000, currency: 'SEK' } });

    // Lidköping leads and owes its own decision: amount, deadline, its council meeting, the rule warning.
    const d = (
      await api(officer.token, `{ dashboard(municipality: "SE-1494") { decisionsOwed { amount { amountMinor } due nextMeeting { date body } warning application { id warnings { rule } } } } }`)
    ).dashboard;
    const line = d.decisionsOwed.find((o) => o.application.id === id);
    assert.ok(line, 'the API lists the decision Lidköping owes');
    assert.equal(line.nextMeeting.date, day(10));
    assert.ok(line.application.warnings.some((w) => w.rule === 'co_financing_decision_missing'));
    await op.goto(`${base}/#/dashboard?m=SE-1494`);
    await until(op, (t) => [...document.querySelectorAll('#decisions-owed tbody tr')].some((tr) => tr.textContent.includes(t)), ruleTitle);
    const row = op.locator('#decisions-owed tbody tr', { hasText: ruleTitle });
    assert.equal(await row.count(), 1, 'the decision owed is shown');
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[1], 'Ledande part');
    assert.equal(digits(cells[2]), wholeDigits(line.amount.amountMinor));
    assert.match(cells[4], new RegExp(`${fmt.formatDate(day(10), 'sv')} \\(Kommunfullmäktige\\)`));
    assert.equal(await row.locator('li.warning[data-rule="co_financing_decision_missing"]').innerText(), '⚠ Medfinansieringsbeslut saknas');
    // Every decision owed the API lists is a row; the ones without a meeting in time say so.
    const all = (await api(officer.token, `{ dashboard(municipality: "SE-1494") { decisionsOwed { warning } } }`)).dashboard.decisionsOwed;
    assert.equal(await op.locator('#decisions-owed tbody tr').count(), all.length);
    assert.equal(await op.locator('#decisions-owed .no-meeting').count(), all.filter((o) => o.warning === 'no_meeting_before_deadline').length);
    await shot(op, 'decisions-owed');
    await axe(op, 'dashboard-decisions-owed');
    await noRawEnums(op, 'dashboard-decisions-owed');

    // The coordinator sees each member's status per application, as the API answers it.
    const o = (
      await api(coordinator.token, `{ consortiumOverview(consortium: "V6") { standings { application { id } warnings { rule } partyStatuses { municipality status nextMeeting { date } } } } }`)
    ).consortiumOverview;
    const standing = o.standings.find((s) => s.application.id === id);
    assert.deepEqual(standing.partyStatuses.map((p) => [p.municipality, p.status]), [['SE-1494', 'pending'], ['SE-1495', 'pending']]);
    await cp.goto(`${base}/#/consortium?c=V6`);
    await until(cp, (t) => [...document.querySelectorAll('#standings tbody tr')].some((tr) => tr.textContent.includes(t)), ruleTitle);
    const srow = cp.locator('#standings tbody tr', { hasText: ruleTitle });
    assert.equal(await srow.count(), 1, 'the application has a standing');
    const shown = await srow.locator('li[data-municipality]').evaluateAll((ls) => ls.map((l) => [l.dataset.municipality, l.dataset.status]));
    assert.deepEqual(shown, standing.partyStatuses.map((p) => [p.municipality, p.status]));
    assert.match(await srow.locator('li[data-municipality="SE-1494"]').innerText(), new RegExp(`Väntar – Nästa sammanträde ${fmt.formatDate(day(10), 'sv')}`));
    assert.equal(await srow.locator('li.warning[data-rule="co_financing_decision_missing"]').count(), 1);
    assert.equal(await cp.locator('#standings tbody tr').count(), o.standings.length);
    // In English and Norwegian too.
    await cp.selectOption('#lang-select', 'en');
    await until(cp, () => document.querySelector('#h-standings')?.textContent === "Members' status against the programme's rules");
    assert.match(await cp.locator('#standings tbody tr', { hasText: ruleTitle }).innerText(), /Pending – Next meeting .*Co-financing decision missing/s);
    await cp.selectOption('#lang-select', 'nb');
    await until(cp, () => document.querySelector('#h-standings')?.textContent === 'Medlemmenes status mot programmets regler');
    await cp.selectOption('#lang-select', 'sv');
    await until(cp, () => document.querySelector('#h-standings')?.textContent === 'Medlemmarnas status mot programmets regler');
    await shot(cp, 'standings');
    await axe(cp, 'consortium-standings');
    await noRawEnums(cp, 'consortium-standings');
  });

  // ---------------------------------------------------------- the V6 flow
  const title = `Gränslös kompetens ${Date.now()}`;
  let appId = '';
  await step('coordinator drafts (with a field-level error first), invites Lidköping, records the risk assessment', async () => {
    await cp.click('nav a[data-view="actions"]');
    await cp.waitForSelector('#draft-form');
    await cp.fill('#draft-form-title', title);
    await cp.fill('#draft-form-call', 'Utlysning 2027:1');
    const lead = await cp.locator('#draft-form-leadApplicant option').evaluateAll((os) => os.map((o) => o.value).find((v) => v !== 'SE-1494'));
    await cp.selectOption('#draft-form-leadApplicant', lead);
    // Programme kinds by name, not as enum values.
    const kinds = await cp.locator('#draft-form-programmeKind option').allInnerTexts();
    assert.ok(kinds.includes('Erasmus+') && !kinds.some((k) => /_|^[A-Z]+$/.test(k) && k !== 'ICLD'), kinds.join(', '));
    // A negative budget: said in Swedish at its field (no parser wrapper), focus there.
    await cp.fill('#draft-form-totalBudget', '-500');
    await cp.fill('#draft-form-requested', '100');
    await cp.click('#draft-form button[type=submit]');
    await cp.waitForSelector('#draft-form-totalBudget-error[role=alert]:not(:empty)');
    assert.equal(await cp.getAttribute('#draft-form-totalBudget', 'aria-invalid'), 'true');
    assert.equal(await cp.innerText('#draft-form-totalBudget-error'), 'Beloppet får inte vara negativt');
    assert.equal(await cp.getAttribute('#draft-form-totalBudget-error', 'data-rule'), 'negative_amount');
    assert.equal(await cp.evaluate(() => document.activeElement.id), 'draft-form-totalBudget');
    assert.ok(!/Failed to parse|occurred while/.test(await cp.innerText('#draft-form')), 'no parser wrapper shown');
    await cp.fill('#draft-form-totalBudget', '1 000 000');
    // More requested than the budget: the API's rule is shown at "requested".
    await cp.fill('#draft-form-requested', '2 000 000');
    await cp.click('#draft-form button[type=submit]');
    await cp.waitForSelector('#draft-form-requested-error[role=alert]:not(:empty)');
    assert.equal(await cp.getAttribute('#draft-form-requested', 'aria-invalid'), 'true');
    assert.equal(await cp.getAttribute('#draft-form-requested-error', 'data-rule'), 'request_exceeds_budget');
    assert.match(await cp.innerText('#draft-form-requested-error'), /^Sökt belopp/);
    assert.equal(await cp.evaluate(() => document.activeElement.id), 'draft-form-requested');
    await shot(cp, 'validation-error');
    await cp.fill('#draft-form-requested', '600 000');
    await cp.click('#draft-form button[type=submit]');
    await until(cp, () => /app=/.test(location.hash));
    appId = await cp.evaluate(() => new URLSearchParams(location.hash.split('?')[1]).get('app'));
    await cp.waitForSelector('#invite-form');
    // The view was drawn anew: focus on its heading.
    await until(cp, () => document.activeElement === document.querySelector('main h1'));
    await cp.selectOption('#invite-form-municipality', 'SE-1494');
    await cp.click('#invite-form button[type=submit]');
    await cp.waitForSelector('#co-applicants tr.answer-pending');
    await until(cp, () => !document.querySelector('#invite-form-municipality option[value="SE-1494"]'));
    await cp.fill('#risk-form-benefits', 'Gemensam kompetensförsörjning');
    await cp.fill('#risk-form-risks', 'Små kommuners resurser');
    await cp.fill('#risk-form-democracyAndHumanRights', 'Partner är svenska och norska kommuner');
    await cp.click('#risk-form button[type=submit]');
    await until(cp, () => document.querySelector('#app-risk')?.textContent !== '–');
    // Submitting before Lidköping answered: a form-level error (no field to point at).
    await cp.click('#submit-form button[type=submit]');
    await cp.waitForSelector('#submit-form .form-error[role=alert]');
    assert.equal(await cp.getAttribute('#submit-form .form-error', 'data-rule'), 'co_applicants_not_answered');
    assert.match(await cp.innerText('#submit-form .form-error'), /medsökande har inte svarat/);
    const a = (await api(coordinator.token, `query($id: UUID!) { application(id: $id) { title status coApplicants { municipality answer } riskAssessment { benefits } } }`, { id: appId })).application;
    assert.equal(a.title, title);
    assert.deepEqual(a.coApplicants.map((c) => [c.municipality, c.answer]), [['SE-1494', 'PENDING']]);
    assert.ok(a.riskAssessment);
    await shot(cp, 'actions-coordinator');
    await axe(cp, 'actions-coordinator');
    await noRawEnums(cp, 'actions-coordinator');
  });

  await step('officer commits its co-financing (negative amount refused at the field); the coordinator sees it live', async () => {
    await cp.evaluate(() => {
      window.__noReload = true;
    });
    // The decision Lidköping owes is on its dashboard, with a link to the form.
    await op.goto(`${base}/#/dashboard?m=SE-1494`);
    await op.waitForSelector('#action-list');
    const row = op.locator('#action-list tbody tr', { hasText: title });
    assert.equal(await row.count(), 1, 'the new application is in the action list');
    await row.locator('a').click();
    await op.waitForSelector('#commit-form');
    assert.match(op.url(), new RegExp(`app=${appId}`));
    await op.fill('#commit-form-amount', '-100');
    await op.fill('#commit-form-paragraph', '§ 45');
    await op.fill('#commit-form-caseNumber', 'KS 2026/123');
    await op.click('#commit-form button[type=submit]');
    await op.waitForSelector('#commit-form-amount-error[role=alert]:not(:empty)');
    assert.equal(await op.getAttribute('#commit-form-amount', 'aria-invalid'), 'true');
    assert.match(await op.innerText('#commit-form-amount-error'), /negative|negativ/i);
    await axe(op, 'actions-officer');
    await shot(op, 'actions-officer');
    await op.fill('#commit-form-amount', '150 000');
    await op.click('#commit-form button[type=submit]');
    await op.waitForSelector('#co-applicants tr.answer-committed');
    // Live on the coordinator's open page, without a reload.
    await cp.waitForSelector('#co-applicants tr.answer-committed', { timeout: 10000 });
    assert.equal(await cp.evaluate(() => window.__noReload), true, 'the page was not reloaded');
    const a = (await api(coordinator.token, `query($id: UUID!) { application(id: $id) { coApplicants { answer commitment { amount { amountMinor } decision { caseNumber paragraph } } } } }`, { id: appId })).application;
    assert.equal(a.coApplicants[0].answer, 'COMMITTED');
    assert.equal(String(a.coApplicants[0].commitment.amount.amountMinor), '15000000');
    assert.equal(a.coApplicants[0].commitment.decision.caseNumber, 'KS 2026/123');
    await shot(cp, 'live-update');
  });

  await step('coordinator submits and records the approval (grant above the request refused at the field); the project appears live on Lidköping’s dashboard', async () => {
    await op.goto(`${base}/#/dashboard?m=SE-1494`);
    await op.waitForSelector('#view-dashboard');
    await op.evaluate(() => {
      window.__noReload = true;
    });
    await cp.waitForSelector('#submit-form');
    await cp.click('#submit-form button[type=submit]');
    await cp.waitForSelector('#approve-form');
    assert.equal(await cp.getAttribute('#app-detail', 'data-status'), 'SUBMITTED');
    await cp.fill('#approve-form-granted', '700 000');
    await cp.fill('#approve-form-decisionReference', 'Interreg 2027/77');
    await cp.click('#approve-form button[type=submit]');
    await cp.waitForSelector('#approve-form-granted-error[role=alert]:not(:empty)');
    assert.equal(await cp.getAttribute('#approve-form-granted-error', 'data-rule'), 'grant_exceeds_request');
    await cp.fill('#approve-form-granted', '500 000');
    await cp.click('#approve-form button[type=submit]');
    await until(cp, () => document.querySelector('#app-detail')?.dataset.status === 'APPROVED');
    // The process manager registers the project; the open dashboard gets it.
    await until(op, (t) => [...document.querySelectorAll('#projects tbody tr td:first-child')].some((td) => td.textContent === t), title, 20000);
    assert.equal(await op.evaluate(() => window.__noReload), true, 'the dashboard was not reloaded');
    const d = (await api(officer.token, `{ dashboard(municipality: "SE-1494") { projects { role project { title fromApplication } } } }`)).dashboard;
    assert.ok(d.projects.some((p) => p.project.fromApplication === appId && p.role === 'PARTNER'));
  });

  await step('a second application: Lidköping declines (live on the coordinator\'s page), the funder\'s rejection is recorded', async () => {
    const second = `Avböjd samverkan ${Date.now()}`;
    await cp.goto(`${base}/#/actions?c=V6`);
    // Not the previous view's form (it has one too): no application selected.
    await until(cp, () => !document.querySelector('#app-detail') && document.querySelector('#draft-form') && !document.querySelector('main[aria-busy]'));
    await cp.fill('#draft-form-title', second);
    await cp.fill('#draft-form-call', 'Utlysning 2027:2');
    const lead = await cp.locator('#draft-form-leadApplicant option').evaluateAll((os) => os.map((o) => o.value).find((v) => v !== 'SE-1494'));
    await cp.selectOption('#draft-form-leadApplicant', lead);
    await cp.fill('#draft-form-totalBudget', '400 000');
    await cp.fill('#draft-form-requested', '200 000');
    await cp.click('#draft-form button[type=submit]');
    await cp.waitForSelector('#invite-form');
    const id = await cp.evaluate(() => new URLSearchParams(location.hash.split('?')[1]).get('app'));
    await cp.selectOption('#invite-form-municipality', 'SE-1494');
    await cp.click('#invite-form button[type=submit]');
    await cp.waitForSelector('#co-applicants tr.answer-pending');
    await op.goto(`${base}/#/actions?m=SE-1494&app=${id}`);
    await op.waitForSelector('#decline-form');
    await op.fill('#decline-form-reason', 'Ryms inte i årets budget');
    await op.click('#decline-form button[type=submit]');
    await op.waitForSelector('#co-applicants tr.answer-declined');
    await cp.waitForSelector('#co-applicants tr.answer-declined', { timeout: 10000 });
    await cp.fill('#risk-form-benefits', 'Nytta');
    await cp.fill('#risk-form-risks', 'Risk');
    await cp.fill('#risk-form-democracyAndHumanRights', 'Inga särskilda');
    await cp.click('#risk-form button[type=submit]');
    await until(cp, () => document.querySelector('#app-risk')?.textContent !== '–');
    await cp.click('#submit-form button[type=submit]');
    await cp.waitForSelector('#reject-form');
    await cp.fill('#reject-form-reason', 'Utlysningen övertecknad');
    await cp.click('#reject-form button[type=submit]');
    await until(cp, () => document.querySelector('#app-detail')?.dataset.status === 'REJECTED');
    const a = (await api(coordinator.token, `query($id: UUID!) { application(id: $id) { status outcomeReason coApplicants { answer declineReason } } }`, { id })).application;
    assert.equal(a.status, 'REJECTED');
    assert.equal(a.coApplicants[0].answer, 'DECLINED');
    assert.equal(a.coApplicants[0].declineReason, 'Ryms inte i årets budget');
  });

  // ---------------------------------------------------------- asOf
  await step('asOf: the overview as recorded before the draft does not have it; the URL keeps it', async () => {
    await cp.click('nav a[data-view="consortium"]');
    await cp.waitForSelector('#view-consortium');
    assert.ok((await texts(cp, '#applications tbody tr td:first-child')).includes(title));
    const local = await cp.evaluate((iso) => {
      const d = new Date(iso);
      const p = (n) => String(n).padStart(2, '0');
      // Chromium keeps a datetime-local value without its seconds when
      // they are 0 (and Playwright's fill refuses a value the input changes).
      const seconds = d.getSeconds() ? `:${p(d.getSeconds())}` : '';
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}${seconds}`;
    }, t0);
    await cp.fill('#ctl-asof', local);
    await cp.dispatchEvent('#ctl-asof', 'change');
    await until(cp, () => /asOf=/.test(location.hash));
    await until(cp, (t) => ![...document.querySelectorAll('#applications tbody tr td:first-child')].some((td) => td.textContent === t), title);
    const url = cp.url();
    const expected = (await api(coordinator.token, `query($a: DateTime) { consortiumOverview(consortium: "V6", asOf: $a) { applicationsByStatus { status count } } }`, { a: new Date(Math.floor(Date.parse(t0) / 1000) * 1000).toISOString() })).consortiumOverview;
    for (const { status, count } of expected.applicationsByStatus) assert.equal(await cp.locator(`#pipeline li[data-status="${status}"] .n`).innerText(), String(count));
    // A shared link opens the same view (after signing in, in another tab).
    const { page, context } = await newPage('shared-link');
    await page.goto(url);
    await page.locator(`[data-demo-role="${coordinator.label}"]`).click();
    await page.waitForSelector('#view-consortium');
    assert.equal(await page.inputValue('#ctl-asof'), local);
    assert.ok(!(await texts(page, '#applications tbody tr td:first-child')).includes(title));
    await context.close();
    await cp.click('#ctl-asof-now');
    await until(cp, (t) => [...document.querySelectorAll('#applications tbody tr td:first-child')].some((td) => td.textContent === t), title);
  });

  // ---------------------------------------------------------- validAt
  await step('validAt: Vänersborg on 2020-06-30 shows the policy then in force, as the API answers; the URL keeps the date', async () => {
    await op.goto(`${base}/#/dashboard?m=SE-1487`);
    await op.waitForSelector('#view-dashboard');
    const now = await texts(op, '#strategies tbody tr td:first-child');
    await op.fill('#ctl-validat', '2020-06-30');
    await op.dispatchEvent('#ctl-validat', 'change');
    await until(op, () => /validAt=2020-06-30/.test(location.hash));
    const then = (await api(officer.token, `{ dashboard(municipality: "SE-1487", validAt: "2020-06-30") { validAt strategiesInForce { strategy { title } } } }`)).dashboard;
    assert.equal(then.validAt, '2020-06-30');
    await until(op, (titles) => JSON.stringify([...document.querySelectorAll('#strategies tbody tr td:first-child')].map((td) => td.textContent)) === titles, JSON.stringify(then.strategiesInForce.map((l) => l.strategy.title)));
    assert.notDeepEqual(then.strategiesInForce.map((l) => l.strategy.title), now, 'the view changed with the date');
    await op.click('#ctl-validat-today');
    await until(op, () => !/validAt=/.test(location.hash));
  });

  // ---------------------------------------------------------- report
  await step('yearly follow-up: on screen, printable, CSV equal to the report query', async () => {
    const year = new Date().getFullYear();
    await op.goto(`${base}/#/report?m=SE-1494&year=${year}`);
    await op.waitForSelector('#view-report');
    const r = (
      await api(
        officer.token,
        `query($y: Int!) { followUpReport(municipality: "SE-1494", year: $y) { projectsActive { project { title financing { grant { amountMinor currency } } } } applications { title }
          fundingObtained { granted { amountMinor currency } } milestonesAchieved { milestone { id } } milestonesMissed { milestone { id } } milestonesRescheduled { milestone { id } }
          strategiesAdopted { id } strategiesRevised { id } strategiesExpiring { id } strategiesDueForFollowUp { strategy { title } } projectsPerFocusArea { key count } projectsPerEuPriority { key count } } }`,
        { y: year },
      )
    ).followUpReport;
    const [download] = await Promise.all([op.waitForEvent('download'), op.click('#download-csv')]);
    const file = path.join(artifacts, 'report.csv');
    await download.saveAs(file);
    const csv = readFileSync(file, 'utf8').replace(/^\ufeff/, '');
    const rows = parseCsv(csv);
    const n =
      r.projectsActive.length + r.applications.length + r.fundingObtained.length + r.milestonesAchieved.length + r.milestonesMissed.length + r.milestonesRescheduled.length +
      r.strategiesAdopted.length + r.strategiesRevised.length + r.strategiesExpiring.length + r.strategiesDueForFollowUp.length + r.projectsPerFocusArea.length + r.projectsPerEuPriority.length;
    assert.equal(rows.length, 1 + n, 'a header and a row per report item');
    for (const p of r.projectsActive) {
      assert.ok(rows.some((row) => row[1] === p.project.title && row[4] === fmt.minorToDecimal(p.project.financing.grant.amountMinor) && row[5] === p.project.financing.grant.currency), p.project.title);
    }
    for (const f of r.fundingObtained) assert.ok(rows.some((row) => row[4] === fmt.minorToDecimal(f.granted.amountMinor) && row[5] === f.granted.currency));
    for (const s of r.strategiesDueForFollowUp) assert.ok(rows.some((row) => row[1] === s.strategy.title));
    for (const row of rows) for (const cell of row) assert.ok(!/^[=+\-@\t\r]/.test(cell), `neutralised: ${cell}`);
    // Statuses and EU priorities in Swedish, not as enum values.
    for (const row of rows) assert.ok(!/^[A-Z_]{3,}$/.test(row[3]) && !/^(GREEN|INCLUSIVE|DIGITAL|green|inclusive|digital)$/.test(row[1]), `translated: ${row.join(' | ')}`);
    await shot(op, 'report');
    await axe(op, 'report');
    await noRawEnums(op, 'report');
    await op.emulateMedia({ media: 'print' });
    assert.equal(await op.locator('header.top').isVisible(), false, 'print hides the chrome');
    await op.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
    await shot(op, 'report-print');
    await op.setViewportSize({ width: 1280, height: 900 });
    await op.pdf({ path: path.join(artifacts, 'report.pdf'), format: 'A4', printBackground: false });
    await op.emulateMedia({ media: 'screen' });
  });

  // ---------------------------------------------------------- languages
  await step('languages: sv → en → nb change labels and the lang attribute', async () => {
    await op.goto(`${base}/#/dashboard?m=SE-1494`);
    await op.waitForSelector('#view-dashboard');
    assert.equal(await op.getAttribute('html', 'lang'), 'sv');
    assert.equal(await op.innerText('nav a[data-view="dashboard"]'), 'Kommunens översikt');
    assert.equal(await op.innerText('#h-strategies'), 'Styrdokument i kraft');
    await until(op, () => /Uppdater/.test(document.getElementById('live-status').textContent));
    await op.selectOption('#lang-select', 'en');
    // The status line follows the language.
    await until(op, () => /Updat/.test(document.getElementById('live-status').textContent));
    await until(op, () => document.documentElement.lang === 'en');
    await until(op, () => document.querySelector('#h-strategies')?.textContent === 'Strategies in force');
    assert.equal(await op.innerText('nav a[data-view="dashboard"]'), 'Municipality dashboard');
    await shot(op, 'dashboard-en');
    await op.selectOption('#lang-select', 'nb');
    await until(op, () => document.documentElement.lang === 'nb');
    await until(op, () => document.querySelector('#h-strategies')?.textContent === 'Styringsdokumenter i kraft');
    assert.equal(await op.innerText('nav a[data-view="dashboard"]'), 'Kommunens oversikt');
    await until(op, () => /Oppdater/.test(document.getElementById('live-status').textContent));
    assert.match(op.url(), /lang=nb/);
    await axe(op, 'dashboard-nb');
  });

  await step('no console errors, no CSP violations, no request beyond the server', async () => {
    assert.deepEqual(problems, []);
  });
} finally {
  await browser.close();
}

function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r') {
      /* CRLF */
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

console.log(`\n${passed} passed, ${failures} failed; screenshots in ${artifacts}`);
process.exit(failures ? 1 : 0);

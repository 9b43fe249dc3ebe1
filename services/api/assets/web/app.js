// Samverkan's web app: sign-in, routing (state in the URL hash), the date
// controls, live updates, and the coordinator's and officer's forms.
import { t, setLang, lang, LANGS } from './i18n.js';
import { gql, GraphQLError, commandId, Live } from './gql.js';
import { formatInstant } from './format.js';
import { h, dashboardView, overviewView, reportView, DASHBOARD_QUERY, OVERVIEW_QUERY, REPORT_QUERY } from './views.js';
import { actionsView, errorText } from './actions.js';

const TOKEN_KEY = 'samverkan.token';
const main = document.getElementById('main');

const app = {
  token: sessionStorage.getItem(TOKEN_KEY),
  roles: [],
  subject: '',
  names: {},
  consortia: [],
  municipalities: [],
  live: null,
  unsubscribe: null,
  renderSeq: 0,
  // The current view's re-read (run again after a reconnect), whether the
  // view is an error, and what the status line says (re-rendered from this).
  refresh: null,
  viewError: false,
  status: { kind: '' },
  // Focus moves to the view's heading after the next render: true after a
  // navigation, false when a re-render must leave focus where it is, null unset.
  focusNext: null,
};

// ---------------------------------------------------------------- URL state

/** The view and its parameters, kept in the hash: #/dashboard?m=SE-1494&asOf=… */
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [view, query] = hash.split('?');
  const p = new URLSearchParams(query || '');
  return {
    view: view || '',
    m: p.get('m') || '',
    c: p.get('c') || '',
    year: p.get('year') || '',
    asOf: p.get('asOf') || '',
    validAt: p.get('validAt') || '',
    app: p.get('app') || '',
    lang: p.get('lang') || '',
  };
}

export function href(changes) {
  const r = { ...route(), ...changes };
  const p = new URLSearchParams();
  for (const k of ['m', 'c', 'year', 'app', 'validAt', 'asOf', 'lang']) if (r[k]) p.set(k, r[k]);
  const q = p.toString();
  return `#/${r.view}${q ? `?${q}` : ''}`;
}

function go(changes, opts = {}) {
  const next = href(changes);
  app.focusNext = opts.focus !== false;
  if (next === location.hash) render();
  else location.hash = next;
}

/** After a navigation: focus on the view's main heading (or its error). */
function focusView() {
  const wanted = app.focusNext === true;
  app.focusNext = null;
  if (!wanted) return;
  const target = main.querySelector('#view-error') || main.querySelector('h1');
  if (!target) return;
  if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.focus();
}

// ---------------------------------------------------------------- roles

function decodeClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      [...atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '='))].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    );
    return JSON.parse(json);
  } catch {
    return {};
  }
}

export function roleInfo() {
  const coordinatorOf = app.roles.filter((r) => r.role === 'coordinator').map((r) => r.consortium);
  const officerOf = app.roles.filter((r) => r.role === 'officer').map((r) => r.municipality);
  const readerOf = app.roles.filter((r) => r.role === 'reader' && r.municipality).map((r) => r.municipality);
  const admin = app.roles.some((r) => r.role === 'admin');
  return { coordinatorOf, officerOf, readerOf, admin };
}

function roleLabel() {
  return app.roles
    .map((r) => {
      const key = `role_${r.role}`;
      return [t(key) === key ? r.role : t(key), r.consortium || r.municipality].filter(Boolean).join(' ');
    })
    .join(', ');
}

/** A demo role's button: "Coordinator token (V6)" → "Samordnare (V6)". */
function demoLabel(label) {
  const m = /^(\w+)(?: token)?\s*(.*)$/.exec(label);
  if (!m) return label;
  const key = `demo_${m[1].toLowerCase()}`;
  return t(key) === key ? label : [t(key), m[2]].filter(Boolean).join(' ');
}

function defaults() {
  const ri = roleInfo();
  const m = ri.officerOf[0] || ri.readerOf[0] || (app.municipalities.find((x) => x.code === 'SE-1494') || app.municipalities[0])?.code || '';
  const c = ri.coordinatorOf[0] || (app.consortia.find((x) => x.code === 'V6') || app.consortia[0])?.code || '';
  const view = ri.coordinatorOf.length ? 'consortium' : 'dashboard';
  return { m, c, view, year: String(new Date().getFullYear()) };
}

// ---------------------------------------------------------------- sign-in

async function signIn(token) {
  const data = await gql(
    token,
    `{ municipalities(first: 500) { nodes { code name } } consortia(first: 500, filter: { includeDissolved: true }) { nodes { code name } } }`,
  );
  app.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  const claims = decodeClaims(token);
  app.roles = Array.isArray(claims.roles) ? claims.roles : [];
  app.subject = claims.sub || '';
  app.municipalities = data.municipalities.nodes;
  app.consortia = data.consortia.nodes;
  app.names = Object.fromEntries(app.municipalities.map((m) => [m.code, m.name]));
  app.live?.close();
  app.live = new Live(token, (state, reconnected) => liveState(state, reconnected));
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  app.token = null;
  app.roles = [];
  app.live?.close();
  app.live = null;
  app.unsubscribe = null;
  app.refresh = null;
  setStatus({ kind: '' });
  location.hash = '#/';
  render();
}

/** The sign-in expired (or the token was refused): sign in again, the view
 * staying in the URL; the sign-in page says why. */
function expired(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  app.token = null;
  app.municipalities = [];
  app.unsubscribe?.();
  app.unsubscribe = null;
  app.refresh = null;
  app.live?.close();
  app.live = null;
  setStatus({ kind: '' });
  signInView().then(() => {
    document.getElementById('signin-error').replaceChildren(h('p.form-error', null, message || t('sessionExpired')));
  });
}

async function signInView() {
  document.getElementById('nav').hidden = true;
  document.getElementById('controls').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('who').textContent = '';
  const errorBox = h('div', { id: 'signin-error', role: 'alert' });
  const input = h('textarea', { id: 'token-input', name: 'token', rows: 4, cols: 60, 'aria-describedby': 'token-help', autocomplete: 'off', spellcheck: 'false' });
  const tryToken = async (token) => {
    errorBox.replaceChildren();
    try {
      await signIn(token.trim());
      // A shared link keeps its view; otherwise the role's home view.
      const d = defaults();
      app.focusNext = true;
      if (route().view) render();
      else go({ view: d.view, m: d.m, c: d.c, year: d.year });
    } catch (e) {
      errorBox.replaceChildren(h('p.form-error', null, `${t('tokenInvalid')}: ${e.message}`));
      input.setAttribute('aria-invalid', 'true');
    }
  };
  const demo = h('div', { id: 'demo-roles' });
  main.replaceChildren(
    h(
      'div.signin',
      null,
      h('h1', null, t('signIn')),
      h('p', null, t('signInIntro')),
      demo,
      h(
        'form.panel',
        { id: 'token-form', onsubmit: (e) => { e.preventDefault(); tryToken(input.value); } },
        h('div.field.wide', null, h('label', { for: 'token-input' }, t('pasteToken')), input, h('p.muted', { id: 'token-help' }, t('tokenHelp'))),
        h('button', { type: 'submit' }, t('signIn')),
      ),
      errorBox,
    ),
  );
  // Demo mode only: the server offers the tokens it printed.
  try {
    const r = await fetch('/demo/tokens');
    if (r.ok) {
      const { tokens } = await r.json();
      demo.replaceChildren(
        h('h2', { id: 'h-demo' }, t('demoRoles')),
        h('p', null, t('demoIntro')),
        h('div.roles', { role: 'group', 'aria-labelledby': 'h-demo' }, tokens.map((tk) => h('button', { type: 'button', 'data-demo-role': tk.label, onclick: () => tryToken(tk.token) }, demoLabel(tk.label)))),
      );
    }
  } catch {
    /* not in demo mode */
  }
}

// ---------------------------------------------------------------- chrome

function renderNav(r) {
  const ri = roleInfo();
  const items = [
    ['dashboard', 'navDashboard'],
    ['consortium', 'navConsortium'],
    ['report', 'navReport'],
  ];
  if (ri.coordinatorOf.length || ri.officerOf.length || ri.admin) items.push(['actions', 'navActions']);
  const nav = document.getElementById('nav');
  nav.hidden = false;
  nav.setAttribute('aria-label', t('nav'));
  nav.replaceChildren(
    h('ul', null, items.map(([v, key]) => h('li', null, h('a', { href: href({ view: v, app: '' }), 'aria-current': r.view === v ? 'page' : null, 'data-view': v }, t(key))))),
  );
  document.getElementById('sign-out').hidden = false;
  document.getElementById('who').textContent = `${t('signedInAs')}: ${app.subject} (${roleLabel()})`;
}

function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function renderControls(r) {
  const box = document.getElementById('controls');
  box.hidden = false;
  box.setAttribute('aria-label', t('viewControls'));
  const field = (id, label, control, hint) => h('div.field', null, h('label', { for: id }, label), control, hint ? h('span.hint', { id: `${id}-hint` }, hint) : null);
  const parts = [];
  // A selector changes the view only on "Visa" or Enter (WCAG 3.2.2: moving
  // through the options with the arrow keys must not navigate).
  const chooser = (id, label, options, apply) => {
    const sel = h('select', { id, onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); apply(sel.value); } } }, options);
    const button = h('button.secondary', { type: 'button', id: `${id}-apply`, onclick: () => apply(sel.value) }, t('apply'));
    return h('div.field', null, h('label', { for: id }, label), h('div.inline', null, sel, ' ', button));
  };
  if (r.view === 'dashboard' || r.view === 'report' || (r.view === 'actions' && !roleInfo().coordinatorOf.length)) {
    parts.push(chooser('ctl-m', t('municipality'), app.municipalities.map((m) => h('option', { value: m.code, selected: m.code === r.m }, `${m.name} (${m.code})`)), (v) => go({ m: v })));
  }
  if (r.view === 'consortium' || (r.view === 'actions' && roleInfo().coordinatorOf.length)) {
    parts.push(chooser('ctl-c', t('consortium'), app.consortia.map((c) => h('option', { value: c.code, selected: c.code === r.c }, `${c.name} (${c.code})`)), (v) => go({ c: v, app: '' })));
  }
  if (r.view === 'report') {
    const y = h('input', { id: 'ctl-year', type: 'number', min: 1900, max: 2200, value: r.year, onchange: (e) => go({ year: e.target.value }) });
    parts.push(field('ctl-year', t('year'), y));
  }
  const asOf = h('input', { id: 'ctl-asof', type: 'datetime-local', step: 1, value: toLocalInput(r.asOf), 'aria-describedby': 'ctl-asof-hint' });
  const applyAsOf = () => {
    const v = asOf.value;
    go({ asOf: v ? new Date(v).toISOString() : '' });
  };
  asOf.addEventListener('change', applyAsOf);
  parts.push(field('ctl-asof', t('asOf'), asOf, t('asOfHelp')));
  parts.push(h('button.secondary', { type: 'button', id: 'ctl-asof-now', onclick: () => go({ asOf: '' }) }, t('asOfNow')));
  // Business time: the world as the decisions' own dates describe it on a day.
  const validAt = h('input', { id: 'ctl-validat', type: 'date', value: r.validAt, 'aria-describedby': 'ctl-validat-hint' });
  validAt.addEventListener('change', () => go({ validAt: validAt.value || '' }));
  parts.push(field('ctl-validat', t('validAt'), validAt, t('validAtHelp')));
  parts.push(h('button.secondary', { type: 'button', id: 'ctl-validat-today', onclick: () => go({ validAt: '' }) }, t('validAtToday')));
  box.replaceChildren(...parts);
}

/** The status line, drawn from app.status (so a language switch redraws it):
 * kind '' | live | offline | updated (at) | historic | expired. */
function renderStatus() {
  const el = document.getElementById('live-status');
  const st = app.status;
  el.dataset.state = st.kind;
  if (st.kind === 'expired') {
    el.replaceChildren(t('sessionExpired'), ' ', h('button.secondary', { type: 'button', id: 'sign-in-again', onclick: () => expired() }, t('signInAgain')));
    return;
  }
  const text = {
    '': '',
    live: t('liveOn'),
    offline: t('liveOff'),
    historic: t('liveHistoric'),
    updated: `${t('updated')} ${formatInstant(st.at, lang())}`,
  }[st.kind];
  el.textContent = text ?? '';
}

function setStatus(st) {
  app.status = st;
  renderStatus();
}

function liveState(state, reconnected) {
  if (state === 'unauthenticated') setStatus({ kind: 'expired' });
  else if (state !== 'live') setStatus({ kind: 'offline' });
  else {
    if (app.status.kind === '' || app.status.kind === 'offline') setStatus({ kind: (route().asOf || route().validAt) ? 'historic' : 'live' });
    // Events may have been missed while the socket was down: read the view again.
    if (reconnected) {
      if (app.viewError) render();
      else if (app.refresh) liveRefresh(app.refresh);
    }
  }
}

function markUpdated() {
  if (app.viewError) return;
  setStatus({ kind: 'updated', at: new Date().toISOString() });
  const el = document.getElementById('live-status');
  el.dataset.updated = String(Number(el.dataset.updated || 0) + 1);
}

/** Re-read the view after an event; an error view recovers by rendering anew. */
async function liveRefresh(refresh) {
  if (app.viewError) return render();
  try {
    await refresh();
    markUpdated();
  } catch (e) {
    showError(e);
  }
}

// ---------------------------------------------------------------- rendering

function showError(e) {
  if (e instanceof GraphQLError && e.code === 'UNAUTHENTICATED') {
    // The token expired or was revoked: sign in again (the view stays in the URL).
    expired(t('sessionExpired'));
    return;
  }
  const errs = e instanceof GraphQLError ? e.errors : [{ message: String(e) }];
  const codes = errs.map((x) => x.extensions?.rule || x.extensions?.code).filter(Boolean).join(' ');
  app.viewError = true;
  // "Updated" is not said over an error.
  if (app.status.kind === 'updated') setStatus({ kind: app.live?.acked ? 'live' : '' });
  main.replaceChildren(
    h(
      'div.error',
      { role: 'alert', id: 'view-error', tabindex: '-1', 'data-code': codes || null },
      h('p', null, h('strong', null, `${t('error')}: `), errs.map((x) => errorText(x, false)).join('; ')),
      h('button', { type: 'button', id: 'view-retry', onclick: () => { app.focusNext = true; render(); } }, t('retry')),
    ),
  );
  main.removeAttribute('aria-busy');
}

function download(text, filename) {
  const blob = new Blob(['\ufeff', text], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Subscribe for the view (only when it shows "now": a historic view does not change). */
function subscribe(query, variables, refresh) {
  app.unsubscribe?.();
  app.unsubscribe = null;
  app.refresh = null;
  if (!app.live || route().asOf || route().validAt) {
    setStatus({ kind: (route().asOf || route().validAt) ? 'historic' : '' });
    return;
  }
  if (app.status.kind === 'historic') setStatus({ kind: app.live.acked ? 'live' : '' });
  app.refresh = refresh;
  let timer = null;
  const off = app.live.subscribe(query, variables, () => {
    clearTimeout(timer);
    timer = setTimeout(() => liveRefresh(refresh), 150);
  });
  app.unsubscribe = () => {
    clearTimeout(timer);
    off();
  };
}

export async function render() {
  const r = route();
  if (r.lang && LANGS[r.lang] && r.lang !== lang()) setLang(r.lang);
  applyStaticLabels();
  if (!app.token) return signInView();
  if (!app.municipalities.length) {
    try {
      await signIn(app.token);
    } catch (e) {
      // A token kept from before (sessionStorage) that no longer works.
      return expired(e instanceof GraphQLError && e.code === 'NETWORK' ? t('err_NETWORK') : t('sessionExpired'));
    }
  }
  const d = defaults();
  if (!r.view || !r.m || !r.c || !r.year) {
    location.replace(href({ view: r.view || d.view, m: r.m || d.m, c: r.c || d.c, year: r.year || d.year }));
    return;
  }
  renderNav(r);
  renderControls(r);
  // The previous view's subscription ends here, whether or not this one loads.
  app.unsubscribe?.();
  app.unsubscribe = null;
  app.refresh = null;
  app.viewError = false;
  const seq = ++app.renderSeq;
  const vars = { asOf: r.asOf || null, validAt: r.validAt || null };
  const ctx = {
    names: app.names,
    asOf: r.asOf,
    validAt: r.validAt,
    download,
    canAnswer: roleInfo().officerOf.includes(r.m) || roleInfo().admin,
    actionHref: (a) => href({ view: 'actions', app: a.id }),
  };
  main.setAttribute('aria-busy', 'true');
  const load = async (query, variables, view, key) => {
    const data = await gql(app.token, query, variables);
    if (seq !== app.renderSeq) return;
    // A live redraw keeps focus on the heading if it was there (never moves it).
    const onHeading = document.activeElement && document.activeElement === main.querySelector('h1');
    main.replaceChildren(view(data[key], ctx));
    main.removeAttribute('aria-busy');
    if (onHeading) main.querySelector('h1')?.focus();
  };
  try {
    if (r.view === 'dashboard') {
      const variables = { ...vars, m: r.m };
      const refresh = () => load(DASHBOARD_QUERY, variables, dashboardView, 'dashboard');
      await refresh();
      focusView();
      subscribe('subscription($m: MunicipalityCode!) { dashboardChanged(municipality: $m) { today } }', { m: r.m }, refresh);
    } else if (r.view === 'consortium') {
      const variables = { ...vars, c: r.c };
      const refresh = () => load(OVERVIEW_QUERY, variables, overviewView, 'consortiumOverview');
      await refresh();
      focusView();
      subscribe('subscription($c: ConsortiumCode!) { events(consortium: $c) { position } }', { c: r.c }, refresh);
    } else if (r.view === 'report') {
      const variables = { ...vars, m: r.m, year: Number(r.year) };
      const refresh = () => load(REPORT_QUERY, variables, reportView, 'followUpReport');
      await refresh();
      focusView();
      subscribe('subscription($m: MunicipalityCode!) { events(municipality: $m) { position } }', { m: r.m }, refresh);
    } else if (r.view === 'actions') {
      const view = await actionsView({ app, route: r, roleInfo: roleInfo(), href, go, gql, commandId, seq: () => seq === app.renderSeq });
      if (seq !== app.renderSeq) return;
      main.replaceChildren(view.element);
      main.removeAttribute('aria-busy');
      focusView();
      const ri = roleInfo();
      if (ri.coordinatorOf.length) subscribe('subscription($c: ConsortiumCode!) { events(consortium: $c) { position } }', { c: r.c }, view.refresh);
      else subscribe('subscription($m: MunicipalityCode!) { events(municipality: $m) { position } }', { m: r.m }, view.refresh);
    } else {
      go({ view: d.view });
    }
  } catch (e) {
    if (seq === app.renderSeq) {
      showError(e);
      if (app.viewError) focusView();
    }
  }
}

function applyStaticLabels() {
  document.getElementById('skip-link').textContent = t('skip');
  document.getElementById('lang-label').textContent = t('language');
  document.getElementById('sign-out').textContent = t('signOut');
  document.getElementById('lang-select').value = lang();
  document.title = `${t('appName')}`;
  renderStatus();
}

// ---------------------------------------------------------------- start

setLang(route().lang || sessionStorage.getItem('samverkan.lang') || 'sv');
document.getElementById('lang-select').addEventListener('change', (e) => {
  setLang(e.target.value);
  sessionStorage.setItem('samverkan.lang', e.target.value);
  // The view is drawn again in the new language; focus stays on the selector.
  if (app.token) go({ lang: e.target.value }, { focus: false });
  else render();
});
document.getElementById('sign-out').addEventListener('click', signOut);
// The skip link moves focus to the content without touching the hash (which
// holds the view).
document.getElementById('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => {
  // Following a link (the menu, a list) is a navigation: focus on the heading.
  if (app.focusNext === null) app.focusNext = true;
  render();
});
render();

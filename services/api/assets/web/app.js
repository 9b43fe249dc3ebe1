// Samverkan's web app: sign-in, routing (state in the URL hash), the date
// controls, live updates, and the coordinator's and officer's forms.
import { t, setLang, lang, LANGS } from './i18n.js';
import { gql, GraphQLError, commandId, Live } from './gql.js';
import { formatInstant } from './format.js';
import { h, dashboardView, overviewView, reportView, DASHBOARD_QUERY, OVERVIEW_QUERY, REPORT_QUERY } from './views.js';
import { actionsView } from './actions.js';

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
    app: p.get('app') || '',
    lang: p.get('lang') || '',
  };
}

export function href(changes) {
  const r = { ...route(), ...changes };
  const p = new URLSearchParams();
  for (const k of ['m', 'c', 'year', 'app', 'asOf', 'lang']) if (r[k]) p.set(k, r[k]);
  const q = p.toString();
  return `#/${r.view}${q ? `?${q}` : ''}`;
}

function go(changes) {
  const next = href(changes);
  if (next === location.hash) render();
  else location.hash = next;
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
    .map((r) => [r.role, r.consortium || r.municipality].filter(Boolean).join(' '))
    .join(', ');
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
  app.live = new Live(token, (state) => liveState(state));
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  app.token = null;
  app.roles = [];
  app.live?.close();
  app.live = null;
  app.unsubscribe = null;
  location.hash = '#/';
  render();
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
        h('div.roles', { role: 'group', 'aria-labelledby': 'h-demo' }, tokens.map((tk) => h('button', { type: 'button', 'data-demo-role': tk.label, onclick: () => tryToken(tk.token) }, tk.label))),
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
  if (r.view === 'dashboard' || r.view === 'report' || (r.view === 'actions' && !roleInfo().coordinatorOf.length)) {
    const sel = h('select', { id: 'ctl-m', onchange: (e) => go({ m: e.target.value }) }, app.municipalities.map((m) => h('option', { value: m.code, selected: m.code === r.m }, `${m.name} (${m.code})`)));
    parts.push(field('ctl-m', t('municipality'), sel));
  }
  if (r.view === 'consortium' || (r.view === 'actions' && roleInfo().coordinatorOf.length)) {
    const sel = h('select', { id: 'ctl-c', onchange: (e) => go({ c: e.target.value, app: '' }) }, app.consortia.map((c) => h('option', { value: c.code, selected: c.code === r.c }, `${c.name} (${c.code})`)));
    parts.push(field('ctl-c', t('consortium'), sel));
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
  // validAt is not offered: the API answers only asOf (see docs/architecture.md).
  box.replaceChildren(...parts);
}

function liveState(state) {
  const el = document.getElementById('live-status');
  el.dataset.state = state;
  if (state !== 'live') el.textContent = t('liveOff');
  else if (!el.textContent || el.textContent === t('liveOff')) el.textContent = t('liveOn');
}

function markUpdated() {
  const el = document.getElementById('live-status');
  el.textContent = `${t('updated')} ${formatInstant(new Date().toISOString(), lang())}`;
  el.dataset.updated = String(Number(el.dataset.updated || 0) + 1);
}

// ---------------------------------------------------------------- rendering

function showError(e) {
  if (e instanceof GraphQLError && e.code === 'UNAUTHENTICATED') {
    // The token expired or was revoked: sign in again (the view stays in the URL).
    sessionStorage.removeItem(TOKEN_KEY);
    app.token = null;
    app.municipalities = [];
    app.live?.close();
    app.live = null;
    signInView().then(() => {
      document.getElementById('signin-error').replaceChildren(h('p.form-error', null, `${t('tokenInvalid')}: ${e.message}`));
    });
    return;
  }
  const errs = e instanceof GraphQLError ? e.errors : [{ message: String(e) }];
  main.replaceChildren(
    h('div.error', { role: 'alert', id: 'view-error' }, h('strong', null, `${t('error')}: `), errs.map((x) => `${x.extensions?.code ? `${x.extensions.code}: ` : ''}${x.message}`).join('; ')),
  );
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
  if (!app.live || route().asOf) {
    document.getElementById('live-status').textContent = route().asOf ? t('liveHistoric') : '';
    return;
  }
  let timer = null;
  app.unsubscribe = app.live.subscribe(query, variables, () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      await refresh();
      markUpdated();
    }, 150);
  });
}

export async function render() {
  const r = route();
  if (r.lang && LANGS[r.lang] && r.lang !== lang()) setLang(r.lang);
  applyStaticLabels();
  if (!app.token) return signInView();
  if (!app.municipalities.length) {
    try {
      await signIn(app.token);
    } catch {
      sessionStorage.removeItem(TOKEN_KEY);
      app.token = null;
      return signInView();
    }
  }
  const d = defaults();
  if (!r.view || !r.m || !r.c || !r.year) {
    location.replace(href({ view: r.view || d.view, m: r.m || d.m, c: r.c || d.c, year: r.year || d.year }));
    return;
  }
  renderNav(r);
  renderControls(r);
  const seq = ++app.renderSeq;
  const vars = { asOf: r.asOf || null };
  const ctx = {
    names: app.names,
    asOf: r.asOf,
    download,
    canAnswer: roleInfo().officerOf.includes(r.m) || roleInfo().admin,
    actionHref: (a) => href({ view: 'actions', app: a.id }),
  };
  main.setAttribute('aria-busy', 'true');
  const load = async (query, variables, view, key) => {
    const data = await gql(app.token, query, variables);
    if (seq !== app.renderSeq) return;
    main.replaceChildren(view(data[key], ctx));
    main.removeAttribute('aria-busy');
  };
  try {
    if (r.view === 'dashboard') {
      const variables = { ...vars, m: r.m };
      const refresh = () => load(DASHBOARD_QUERY, variables, dashboardView, 'dashboard');
      await refresh();
      subscribe('subscription($m: MunicipalityCode!) { dashboardChanged(municipality: $m) { today } }', { m: r.m }, refresh);
    } else if (r.view === 'consortium') {
      const variables = { ...vars, c: r.c };
      const refresh = () => load(OVERVIEW_QUERY, variables, overviewView, 'consortiumOverview');
      await refresh();
      subscribe('subscription($c: ConsortiumCode!) { events(consortium: $c) { position } }', { c: r.c }, refresh);
    } else if (r.view === 'report') {
      const variables = { ...vars, m: r.m, year: Number(r.year) };
      const refresh = () => load(REPORT_QUERY, variables, reportView, 'followUpReport');
      await refresh();
      subscribe('subscription($m: MunicipalityCode!) { events(municipality: $m) { position } }', { m: r.m }, refresh);
    } else if (r.view === 'actions') {
      const view = await actionsView({ app, route: r, roleInfo: roleInfo(), href, go, gql, commandId, seq: () => seq === app.renderSeq });
      if (seq !== app.renderSeq) return;
      main.replaceChildren(view.element);
      main.removeAttribute('aria-busy');
      const ri = roleInfo();
      if (ri.coordinatorOf.length) subscribe('subscription($c: ConsortiumCode!) { events(consortium: $c) { position } }', { c: r.c }, view.refresh);
      else subscribe('subscription($m: MunicipalityCode!) { events(municipality: $m) { position } }', { m: r.m }, view.refresh);
    } else {
      go({ view: d.view });
    }
  } catch (e) {
    if (seq === app.renderSeq) {
      showError(e);
      main.removeAttribute('aria-busy');
    }
  }
}

function applyStaticLabels() {
  document.getElementById('skip-link').textContent = t('skip');
  document.getElementById('lang-label').textContent = t('language');
  document.getElementById('sign-out').textContent = t('signOut');
  document.getElementById('lang-select').value = lang();
  document.title = `${t('appName')}`;
}

// ---------------------------------------------------------------- start

setLang(route().lang || sessionStorage.getItem('samverkan.lang') || 'sv');
document.getElementById('lang-select').addEventListener('change', (e) => {
  setLang(e.target.value);
  sessionStorage.setItem('samverkan.lang', e.target.value);
  if (app.token) go({ lang: e.target.value });
  else render();
});
document.getElementById('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', () => render());
render();

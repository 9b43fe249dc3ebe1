// The coordinator's joint-application flow and the officer's co-financing
// answer, as forms over the API's mutations. The API's validation errors
// (extensions.code/rule/message) are shown next to the field they concern.
import { t, lang } from './i18n.js';
import { GraphQLError } from './gql.js';
import { formatMoney, formatDate, formatInstant } from './format.js';
import { h, table, programmeLabel } from './views.js';

const APP_FIELDS = `id title status consortium leadApplicant deadline call programme { kind name }
  totalBudget { amountMinor currency } requested { amountMinor currency } projectPeriod { start end }
  coApplicants { municipality answer declineReason commitment { amount { amountMinor currency } decision { body date paragraph caseNumber } } }
  leadCommitment { amount { amountMinor currency } decision { body date paragraph caseNumber } }
  riskAssessment { benefits risks democracyAndHumanRights assessedOn }
  granted { amountMinor currency } decisionReference outcomeReason projectId`;

const CURRENCIES = ['SEK', 'NOK', 'EUR', 'DKK'];
const PROGRAMMES = ['INTERREG', 'ERASMUS_PLUS', 'ESF_PLUS', 'ERDF', 'ICLD', 'NORDIC_COUNCIL', 'OWN_FUNDS', 'OTHER'];
const BODIES = ['EXECUTIVE_BOARD', 'COUNCIL', 'COMMITTEE', 'OFFICIAL', 'BOARD'];

const INVALID_AMOUNT = { sv: 'Ogiltigt belopp (t.ex. 150 000 eller 150000,50)', en: 'Not an amount (e.g. 150000 or 150000.50)', nb: 'Ugyldig beløp (f.eks. 150 000 eller 150000,50)' };

/** "1 650 000,50" → "165000050" (minor units as a string of digits, exact). */
export function parseAmount(text) {
  const clean = String(text).replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(clean);
  if (!m) return null;
  const minor = (BigInt(m[2]) * 100n + BigInt((m[3] || '0').padEnd(2, '0'))).toString();
  return m[1] && minor !== '0' ? `-${minor}` : minor;
}

/** A rule of the API → the generic field it concerns (forms alias these). */
const RULE_FIELD = {
  negative_amount: 'amount',
  invalid_amount: 'amount',
  amount_too_large: 'amount',
  amount_overflow: 'amount',
  unsupported_currency: 'currency',
  currency_mismatch: 'currency',
  deadline_passed: 'deadline',
  period_ends_before_start: 'periodEnd',
  period_must_end: 'periodEnd',
  ends_before_start: 'periodEnd',
  request_exceeds_budget: 'requested',
  grant_exceeds_request: 'granted',
  grant_exceeds_budget: 'granted',
  not_a_member: 'municipality',
  already_invited: 'municipality',
  lead_cannot_be_invited: 'municipality',
  not_invited: 'municipality',
  invalid_municipality_code: 'municipality',
  invalid_date: 'date',
  invalid_datetime: 'deadline',
  risk_assessment_needs_all_three_parts: 'blank',
};

const camel = (x) => x.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** The text shown for an API error: the translation of its rule (or code)
 * when there is one, else the server's message without its technical
 * wrappers ("Failed to parse …", "(occurred while parsing …)") and without a
 * trailing rule; the rule itself goes into a data attribute, not the text. */
export function errorText(error, atField = true) {
  const rule = error.extensions?.rule || error.extensions?.code;
  // A blank field said at the form (not at its field) keeps the field's name.
  if (rule && !(rule === 'blank_field' && !atField)) {
    const key = `err_${rule}`;
    const text = t(key);
    if (text !== key) return text;
  }
  let m = String(error.message || '');
  m = m.replace(/^Failed to parse "[^"]*":\s*/, '').replace(/\s*\(occurred while parsing "[^"]*"\)/g, '');
  if (rule) m = m.split(` (${rule})`).join('');
  m = m.trim();
  return m ? m.charAt(0).toUpperCase() + m.slice(1) : t('error');
}

const AMOUNT_RULES = new Set(['negative_amount', 'invalid_amount', 'amount_too_large', 'amount_overflow']);

/** The money field an amount rule concerns when the message does not name it:
 * the negative one (or the largest) as typed, else the form's first. */
function amountField(rule, form) {
  const money = [...form.querySelectorAll('input[data-money]')];
  if (!money.length) return null;
  const parsed = money.map((el) => ({ el, v: parseAmount(el.value) }));
  if (rule === 'negative_amount') {
    const neg = parsed.find((p) => p.v && p.v.startsWith('-'));
    if (neg) return neg.el.name;
  } else if (rule !== 'invalid_amount') {
    const big = parsed.filter((p) => p.v !== null).sort((a, b) => (BigInt(b.v) > BigInt(a.v) ? 1 : -1))[0];
    if (big) return big.el.name;
  }
  return money[0].name;
}

/** Which of the form's fields an error concerns (null: the whole form). */
export function fieldOf(error, form) {
  const names = [...form.querySelectorAll('[name]')].map((el) => el.name);
  const has = (n) => n && names.includes(n);
  const alias = (n) => (form._aliases && form._aliases[n]) || n;
  const rule = error.extensions?.rule;
  const message = error.message || '';
  let f = RULE_FIELD[rule];
  if (f === 'amount' && /request/i.test(message) && has('requested')) return 'requested';
  if (f === 'amount' && /budget/i.test(message) && has('totalBudget')) return 'totalBudget';
  if (f === 'blank') {
    const blank = names.find((n) => form.elements[n] && !String(form.elements[n].value).trim());
    return blank || null;
  }
  if (f === 'date') {
    const bad = names.find((n) => form.elements[n]?.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(form.elements[n].value));
    return bad || null;
  }
  if (f && has(alias(f))) return alias(f);
  if (rule === 'blank_field') {
    const m = /`([^`]+)`/.exec(message);
    if (m) {
      const full = camel(m[1].replace(/\.([a-z])/g, (_, c) => c.toUpperCase()));
      const last = camel(m[1].split('.').pop());
      for (const n of [full, last, alias(last)]) if (has(n)) return n;
    }
  }
  // A value the API could not take at all names the input path in its message.
  const byMessage = names
    .slice()
    .sort((a, b) => b.length - a.length)
    .find((n) => message.includes(n) || (form._paths && form._paths[n] && message.includes(form._paths[n])));
  if (byMessage) return byMessage;
  if (AMOUNT_RULES.has(rule)) return amountField(rule, form);
  return null;
}

function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) {
    el.textContent = '';
    el.removeAttribute('role');
    delete el.dataset.rule;
    el.removeAttribute('title');
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  form.querySelector('.form-message').replaceChildren();
}

function showErrors(form, errors) {
  const formLevel = [];
  let first = null;
  for (const e of errors) {
    const name = fieldOf(e, form);
    const rule = e.extensions?.rule || e.extensions?.code || '';
    if (name) {
      const input = form.elements[name];
      input.setAttribute('aria-invalid', 'true');
      const box = form.querySelector(`#${input.id}-error`);
      box.textContent = errorText(e, true);
      box.dataset.rule = rule;
      box.title = rule;
      box.setAttribute('role', 'alert');
      first = first || input;
    } else {
      formLevel.push({ text: errorText(e, false), rule });
    }
  }
  if (formLevel.length) {
    const rules = formLevel.map((x) => x.rule).filter(Boolean).join(' ');
    form
      .querySelector('.form-message')
      .replaceChildren(h('p.form-error', { role: 'alert', 'data-rule': rules || null, title: rules || null }, `${t('formError')}: ${formLevel.map((x) => x.text).join('; ')}`));
  }
  first?.focus();
}

/** A form: fields [{name, label, type, options, value, wide}], onSubmit(values) → Promise. */
function form(id, title, fields, submitLabel, onSubmit, opts = {}) {
  const el = h('form.panel', { id, novalidate: true, 'aria-labelledby': `${id}-heading` });
  el._aliases = opts.aliases || {};
  el._paths = opts.paths || {};
  const control = (f) => {
    const cid = `${id}-${f.name}`;
    const common = { id: cid, name: f.name, 'aria-describedby': `${cid}-error` };
    if (f.type === 'select') {
      return h('select', common, f.options.map(([v, label]) => h('option', { value: v, selected: v === f.value }, label)));
    }
    if (f.type === 'textarea') return h('textarea', { ...common, rows: 2, cols: 50 }, f.value || '');
    return h('input', { ...common, type: f.type || 'text', value: f.value ?? '', inputmode: f.type === 'money' ? 'decimal' : null, step: f.type === 'datetime-local' ? 60 : null, ...(f.type === 'money' ? { type: 'text', 'data-money': true } : {}) });
  };
  el.append(
    h('h3', { id: `${id}-heading` }, title),
    h('div.row', null, fields.map((f) => h(`div.field${f.wide ? '.wide' : ''}`, null, h('label', { for: `${id}-${f.name}` }, f.label), control(f), h('p.field-error', { id: `${id}-${f.name}-error` })))),
    h('div.form-message', { 'aria-live': 'polite' }),
    h('button', { type: 'submit' }, submitLabel),
  );
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(el);
    const values = Object.fromEntries(fields.map((f) => [f.name, el.elements[f.name].value]));
    // Amounts are parsed exactly here; a text that is not a number is shown at its field.
    const bad = fields.filter((f) => f.type === 'money').find((f) => parseAmount(values[f.name]) === null);
    if (bad) {
      const input = el.elements[bad.name];
      input.setAttribute('aria-invalid', 'true');
      const box = el.querySelector(`#${input.id}-error`);
      box.textContent = INVALID_AMOUNT[lang()] || INVALID_AMOUNT.en;
      box.setAttribute('role', 'alert');
      input.focus();
      return;
    }
    for (const f of fields) if (f.type === 'money') values[f.name] = parseAmount(values[f.name]);
    const button = el.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await onSubmit(values);
      el.querySelector('.form-message').replaceChildren(h('p.form-ok', { role: 'status' }, t('saved')));
    } catch (err) {
      if (err instanceof GraphQLError) showErrors(el, err.errors);
      else showErrors(el, [{ message: String(err.message || err) }]);
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

const isoDate = (d) => d.toISOString().slice(0, 10);
const addDays = (n) => new Date(Date.now() + n * 86400000);

function mutation(field, inputType) {
  return `mutation($id: UUID!, $input: ${inputType}!) { ${field}(commandId: $id, input: $input) { position application { id status } } }`;
}

function applicationDetail(a, names) {
  const name = (c) => names[c] || c;
  const money = (m) => (m ? formatMoney(m, lang()) : '–');
  const commitment = (c) => (c ? `${money(c.amount)} — ${t(c.decision.body)} ${formatDate(c.decision.date, lang())} ${c.decision.paragraph || ''} ${c.decision.caseNumber || ''}`.trim() : '–');
  return h(
    'div',
    { id: 'app-detail', 'data-status': a.status },
    h('h2', { id: 'h-app' }, `${t('application')}: ${a.title}`),
    h(
      'dl.facts',
      null,
      h('dt', null, t('status')), h('dd#app-status', null, t(a.status)),
      h('dt', null, t('leadApplicant')), h('dd', null, name(a.leadApplicant)),
      h('dt', null, t('programme')), h('dd', null, `${a.programme.name} — ${a.call}`),
      h('dt', null, t('deadline')), h('dd', null, formatInstant(a.deadline, lang())),
      h('dt', null, t('totalBudget')), h('dd', null, money(a.totalBudget)),
      h('dt', null, t('requested')), h('dd', null, money(a.requested)),
      h('dt', null, t('granted')), h('dd', null, money(a.granted)),
      h('dt', null, t('riskAssessment')), h('dd#app-risk', null, a.riskAssessment ? `${formatDate(a.riskAssessment.assessedOn, lang())}: ${a.riskAssessment.benefits} / ${a.riskAssessment.risks} / ${a.riskAssessment.democracyAndHumanRights}` : '–'),
    ),
    h('h3', null, t('coApplicants')),
    table(
      [t('municipality'), t('answer'), t('committed')],
      [
        [`${name(a.leadApplicant)} (${t('leadApplicant')})`, a.leadCommitment ? t('COMMITTED') : t('PENDING'), commitment(a.leadCommitment)],
        ...a.coApplicants.map((c) => ({ cells: [name(c.municipality), t(c.answer), c.answer === 'DECLINED' ? c.declineReason || '' : commitment(c.commitment)], className: `answer-${c.answer.toLowerCase()}` })),
      ],
      { id: 'co-applicants' },
    ),
  );
}

function decisionFields(id) {
  return [
    { name: 'decisionBody', label: t('decisionBody'), type: 'select', options: BODIES.map((b) => [b, t(b)]) },
    { name: 'decisionDate', label: t('decisionDate'), type: 'date', value: isoDate(new Date()) },
    { name: 'paragraph', label: t('paragraph'), value: '' },
    { name: 'caseNumber', label: t('caseNumber'), value: '' },
  ].map((f) => ({ ...f, form: id }));
}

const decisionOf = (v) => ({ body: v.decisionBody, date: v.decisionDate, paragraph: v.paragraph || null, caseNumber: v.caseNumber || null });
const decisionPaths = { decisionDate: 'decision.date', caseNumber: 'caseNumber', paragraph: 'paragraph', decisionBody: 'decision.body', amount: 'amountMinor' };

/** The Applications view. Returns {element, refresh}: refresh re-reads the
 * lists and the selected application without touching the forms. */
export async function actionsView(env) {
  const { app, route: r, roleInfo: ri, href, go, gql, commandId } = env;
  const coordinator = ri.coordinatorOf.length > 0 || ri.admin;
  const names = app.names;
  const name = (c) => names[c] || c;
  const mutate = async (field, inputType, input) => {
    // Taken before sending: a live update may refresh `current` while the
    // mutation is in flight, and a new status must still rebuild the forms.
    const before = current?.status;
    const data = await gql(app.token, mutation(field, inputType), { id: commandId(), input });
    await refresh();
    // A new status offers other forms: build the view again.
    if (current && current.status !== before) go({});
    return data[field];
  };

  const listBox = h('div', { id: 'app-list' });
  const detailBox = h('div', { id: 'app-detail-box' });
  let current = null;
  let members = [];

  async function load() {
    if (coordinator && ri.coordinatorOf.length) {
      const data = await gql(
        app.token,
        `query($c: ConsortiumCode!, $asOf: DateTime, $validAt: Date) { consortium(code: $c, asOf: $asOf, validAt: $validAt) { currentMembers }
          applications(filter: { consortium: $c }, first: 200, asOf: $asOf, validAt: $validAt) { nodes { ${APP_FIELDS} } } }`,
        { c: r.c, asOf: r.asOf || null, validAt: r.validAt || null },
      );
      members = data.consortium.currentMembers;
      return data.applications.nodes;
    }
    const data = await gql(
      app.token,
      `query($m: MunicipalityCode!, $asOf: DateTime, $validAt: Date) { applications(filter: { municipality: $m }, first: 200, asOf: $asOf, validAt: $validAt) { nodes { ${APP_FIELDS} } } }`,
      { m: r.m, asOf: r.asOf || null, validAt: r.validAt || null },
    );
    return data.applications.nodes;
  }

  async function refresh() {
    const apps = await load();
    current = apps.find((a) => a.id === r.app) || null;
    const mine = (a) => a.leadApplicant === r.m ? !a.leadCommitment : a.coApplicants.some((c) => c.municipality === r.m && c.answer === 'PENDING');
    listBox.replaceChildren(
      h('h2', { id: 'h-app-list' }, coordinator ? t('applications') : t('yourDecisions')),
      table(
        [t('title'), t('status'), t('leadApplicant'), t('deadline'), t('answer')],
        (coordinator ? apps : apps.filter((a) => a.status === 'DRAFT' && mine(a))).map((a) => [
          h('a', { href: href({ app: a.id }), 'aria-current': a.id === r.app ? 'true' : null, 'data-app': a.id }, a.title),
          t(a.status),
          name(a.leadApplicant),
          formatInstant(a.deadline, lang()),
          coordinator ? `${a.coApplicants.filter((c) => c.answer !== 'PENDING').length}/${a.coApplicants.length}` : mine(a) && a.status === 'DRAFT' ? t('PENDING') : '–',
        ]),
        { id: 'applications' },
      ),
    );
    detailBox.replaceChildren(current ? applicationDetail(current, names) : h('p.muted', null, t('notAllowedHere')));
  }

  await refresh();
  const forms = h('div', { id: 'app-forms' });
  const canWrite = !r.asOf && !r.validAt;
  if (canWrite && coordinator && ri.coordinatorOf.includes(r.c)) {
    const start = isoDate(addDays(120));
    const end = isoDate(addDays(120 + 730));
    forms.append(
      form(
        'draft-form',
        t('draftApplication'),
        [
          { name: 'title', label: t('title'), wide: true },
          { name: 'programmeKind', label: t('programmeKind'), type: 'select', options: PROGRAMMES.map((p) => [p, programmeLabel(p)]), value: 'INTERREG' },
          { name: 'programmeName', label: t('programmeName'), value: 'Interreg Sverige–Norge' },
          { name: 'call', label: t('call') },
          { name: 'leadApplicant', label: t('leadApplicant'), type: 'select', options: members.map((m) => [m, name(m)]) },
          { name: 'deadline', label: t('deadline'), type: 'datetime-local', value: `${isoDate(addDays(60))}T12:00` },
          { name: 'totalBudget', label: t('totalBudget'), type: 'money' },
          { name: 'requested', label: t('requested'), type: 'money' },
          { name: 'currency', label: t('currency'), type: 'select', options: CURRENCIES.map((c) => [c, c]) },
          { name: 'periodStart', label: t('periodStart'), type: 'date', value: start },
          { name: 'periodEnd', label: t('periodEnd'), type: 'date', value: end },
        ],
        t('create'),
        async (v) => {
          const res = await mutate('draftApplication', 'DraftApplicationInput', {
            consortium: r.c,
            title: v.title,
            programme: { kind: v.programmeKind, name: v.programmeName },
            call: v.call,
            leadApplicant: v.leadApplicant,
            deadline: v.deadline ? new Date(v.deadline).toISOString() : '',
            totalBudget: { amountMinor: v.totalBudget, currency: v.currency },
            requested: { amountMinor: v.requested, currency: v.currency },
            projectPeriod: { start: v.periodStart, end: v.periodEnd || null },
          });
          go({ app: res.application.id });
        },
        { aliases: { municipality: 'leadApplicant' }, paths: { totalBudget: 'totalBudget', requested: 'requested', deadline: 'deadline' } },
      ),
    );
    if (current && current.status === 'DRAFT') {
      const invitable = members.filter((m) => m !== current.leadApplicant && !current.coApplicants.some((c) => c.municipality === m));
      forms.append(
        form('invite-form', t('invite'), [{ name: 'municipality', label: t('municipality'), type: 'select', options: [['', t('choose')], ...invitable.map((m) => [m, name(m)])] }], t('inviteButton'), async (v) => {
          const res = await mutate('inviteCoApplicant', 'InviteCoApplicantInput', { applicationId: current.id, municipality: v.municipality });
          // The invited municipality is no longer offered.
          const sel = document.getElementById('invite-form-municipality');
          sel?.querySelector(`option[value="${CSS.escape(v.municipality)}"]`)?.remove();
          if (sel) sel.value = '';
          return res;
        }),
        form(
          'risk-form',
          t('riskAssessment'),
          [
            { name: 'benefits', label: t('benefits'), type: 'textarea', wide: true },
            { name: 'risks', label: t('risks'), type: 'textarea', wide: true },
            { name: 'democracyAndHumanRights', label: t('democracy'), type: 'textarea', wide: true },
            { name: 'assessedOn', label: t('assessedOn'), type: 'date', value: isoDate(new Date()) },
          ],
          t('record'),
          (v) => mutate('recordRiskAssessment', 'RecordRiskAssessmentInput', { applicationId: current.id, ...v }),
        ),
        form('submit-form', t('submit'), [], t('submit'), () => mutate('submitApplication', 'SubmitApplicationInput', { applicationId: current.id })),
      );
    }
    if (current && current.status === 'SUBMITTED') {
      forms.append(
        form(
          'approve-form',
          t('approve'),
          [
            { name: 'granted', label: t('granted'), type: 'money' },
            { name: 'currency', label: t('currency'), type: 'select', options: CURRENCIES.map((c) => [c, c]), value: current.requested.currency },
            { name: 'decidedOn', label: t('decidedOn'), type: 'date', value: isoDate(new Date()) },
            { name: 'decisionReference', label: t('decisionReference') },
          ],
          t('approve'),
          (v) => mutate('approveApplication', 'ApproveApplicationInput', { applicationId: current.id, granted: { amountMinor: v.granted, currency: v.currency }, decidedOn: v.decidedOn, decisionReference: v.decisionReference }),
          { aliases: { amount: 'granted' } },
        ),
        form(
          'reject-form',
          t('reject'),
          [
            { name: 'decidedOn', label: t('decidedOn'), type: 'date', value: isoDate(new Date()) },
            { name: 'reason', label: t('reason'), type: 'textarea', wide: true },
          ],
          t('reject'),
          (v) => mutate('rejectApplication', 'RejectApplicationInput', { applicationId: current.id, decidedOn: v.decidedOn, reason: v.reason }),
        ),
      );
    }
  }
  const officerFor = ri.officerOf.includes(r.m) ? r.m : ri.admin ? r.m : null;
  if (canWrite && officerFor && current && current.status === 'DRAFT') {
    const concerned = current.leadApplicant === officerFor || current.coApplicants.some((c) => c.municipality === officerFor);
    if (concerned) {
      forms.append(
        form(
          'commit-form',
          `${t('commit')} — ${name(officerFor)}`,
          [
            { name: 'amount', label: t('amount'), type: 'money' },
            { name: 'currency', label: t('currency'), type: 'select', options: CURRENCIES.map((c) => [c, c]), value: current.requested.currency },
            ...decisionFields('commit-form'),
          ],
          t('commitButton'),
          (v) =>
            mutate('commitCoFinancing', 'CommitCoFinancingInput', {
              applicationId: current.id,
              municipality: officerFor,
              amount: { amountMinor: v.amount, currency: v.currency },
              decision: decisionOf(v),
            }),
          { paths: decisionPaths },
        ),
      );
      if (current.leadApplicant !== officerFor) {
        forms.append(
          form('decline-form', `${t('decline')} — ${name(officerFor)}`, [{ name: 'reason', label: t('reason'), type: 'textarea', wide: true }], t('declineButton'), (v) =>
            mutate('declineCoFinancing', 'DeclineCoFinancingInput', { applicationId: current.id, municipality: officerFor, reason: v.reason }),
          ),
        );
      }
    }
  }
  const element = h(
    'div',
    { id: 'view-actions' },
    h('h1', { tabindex: '-1' }, `${t('navActions')} — ${coordinator && ri.coordinatorOf.length ? r.c : name(r.m)}`),
    listBox,
    detailBox,
    forms,
  );
  return { element, refresh };
}

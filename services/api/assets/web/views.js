// The views: DOM built with h() (text nodes only, never innerHTML), charts as
// inline SVG.
import { t, lang } from './i18n.js';
import { decisionsOwedTable, standingsTable } from './rules.js';
import { formatMoney, formatDate, formatInstant, formatPercent, minorToBigInt, minorToDecimal, toCsv } from './format.js';

const SVGNS = 'http://www.w3.org/2000/svg';

/** h('tag.class#id', {attrs}, ...children) */
export function h(spec, attrs, ...children) {
  const [tagAndClass, id] = spec.split('#');
  const [tag, ...classes] = tagAndClass.split('.');
  const el = document.createElement(tag);
  if (classes.length) el.className = classes.join(' ');
  if (id) el.id = id;
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const money = (m) => formatMoney(m, lang());
const date = (d) => formatDate(d, lang());

function empty() {
  return h('p.empty', null, t('none'));
}

/** A table with a caption-less header; `rows` arrays of cells (strings, nodes
 * or {num:value} for right-aligned numbers). */
export function table(headers, rows, opts = {}) {
  if (!rows.length) return empty();
  const cell = (c, tag) => {
    if (c && typeof c === 'object' && 'num' in c) return h(`${tag}.num`, null, c.num);
    return h(tag, null, c);
  };
  return h(
    'table',
    opts.id ? { id: opts.id } : null,
    opts.caption ? h('caption.print-only', null, opts.caption) : null,
    h('thead', null, h('tr', null, headers.map((x) => (x && x.num !== undefined ? h('th.num', { scope: 'col' }, x.num) : h('th', { scope: 'col' }, x))))),
    h(
      'tbody',
      null,
      rows.map((r) => {
        const tr = h('tr', r.className ? { class: r.className } : null, (r.cells || r).map((c) => cell(c, 'td')));
        return tr;
      }),
    ),
  );
}

function section(titleKey, id, ...content) {
  return h('section.card', { 'aria-labelledby': id }, h('h2', { id }, t(titleKey)), ...content);
}

function period(p) {
  if (!p) return '';
  return `${date(p.start)} – ${p.end ? date(p.end) : t('untilFurtherNotice')}`;
}

function overdueBadge(label = t('overdue')) {
  return h('span.badge.overdue', null, `⚠ ${label}`);
}

// ---------------------------------------------------------------- dashboard

export const DASHBOARD_QUERY = `query Dashboard($m: MunicipalityCode!, $asOf: DateTime, $validAt: Date) {
  dashboard(municipality: $m, asOf: $asOf, validAt: $validAt) {
    today
    municipality { code name country }
    strategiesInForce { ...line }
    expiringStrategies { ...line }
    memberships { consortium name joinedOn leftOn coordinator }
    projects {
      role
      project { id title status programme { kind name } period { start end } financing { grant { amountMinor currency } }
        milestones { id title due status achievedOn } }
      nextMilestone { id title due }
      overdueMilestones { id title due }
    }
    actionList { id title consortium deadline status requested { amountMinor currency } leadApplicant
      coApplicants { municipality answer } }
    decisionsOwed { municipality role amount { amountMinor currency } due warning nextMeeting { date body }
      application { id title consortium warnings { rule label detail outcome } } }
    funding { year programme currency granted { amountMinor currency } coFinancing { amountMinor currency } }
    twinTowns { partner { name country key } since endedOn decision { body date paragraph caseNumber } }
    goals { strategyId strategyTitle goal { id title focusArea } projects { id title } }
  }
}
fragment line on StrategyLine { strategy { id title kind status } validUntil nextFollowUpDue followUpOverdue }`;

export function dashboardView(d, ctx) {
  const strategyRows = (lines) =>
    lines.map((l) => ({
      className: l.followUpOverdue ? 'overdue' : '',
      cells: [
        l.strategy.title,
        t(l.strategy.kind),
        l.validUntil ? date(l.validUntil) : t('untilFurtherNotice'),
        h('span', null, l.nextFollowUpDue ? date(l.nextFollowUpDue) : '–', ' ', l.followUpOverdue ? overdueBadge(t('followUpOverdue')) : null),
      ],
    }));
  const strategyHeaders = [t('title'), t('kind'), t('validUntil'), t('nextFollowUp')];
  const unserved = d.goals.filter((g) => g.projects.length === 0);
  return h(
    'div',
    { id: 'view-dashboard' },
    h('h1', { tabindex: '-1' }, `${d.municipality.name} (${d.municipality.code})`),
    h('p.muted', null, `${t('today')}: ${date(d.today)}`),
    section('strategiesInForce', 'h-strategies', table(strategyHeaders, strategyRows(d.strategiesInForce), { id: 'strategies' })),
    d.expiringStrategies.length ? section('expiringStrategies', 'h-expiring', table(strategyHeaders, strategyRows(d.expiringStrategies))) : null,
    section(
      'actionList',
      'h-actions',
      table(
        [t('application'), t('consortium'), t('deadline'), { num: t('requested') }, ''],
        d.actionList.map((a) => [
          a.title,
          a.consortium,
          formatInstant(a.deadline, lang()),
          { num: money(a.requested) },
          ctx.canAnswer ? h('a', { href: ctx.actionHref(a) }, t('commit')) : '',
        ]),
        { id: 'action-list' },
      ),
    ),
    section('decisionsOwed', 'h-owed', decisionsOwedTable(d.decisionsOwed)),
    section(
      'projects',
      'h-projects',
      table(
        [t('title'), t('role'), t('programme'), t('period'), t('nextMilestone'), t('overdueMilestones')],
        d.projects.map((p) => ({
          className: p.overdueMilestones.length ? 'overdue' : '',
          cells: [
            p.project.title,
            t(p.role),
            p.project.programme.name,
            period(p.project.period),
            p.nextMilestone ? `${p.nextMilestone.title} (${date(p.nextMilestone.due)})` : '–',
            p.overdueMilestones.length
              ? h('span', null, overdueBadge(), ' ', p.overdueMilestones.map((m) => `${m.title} (${date(m.due)})`).join('; '))
              : '–',
          ],
        })),
        { id: 'projects' },
      ),
      d.projects.length ? h('h3', null, t('milestoneTimeline')) : null,
      d.projects.length ? milestoneTimeline(d.projects, d.today) : null,
    ),
    h(
      'div.grid',
      null,
      section(
        'memberships',
        'h-memberships',
        table(
          [t('consortium'), t('joined'), t('left'), t('coordinatorRole')],
          d.memberships.map((m) => [`${m.name} (${m.consortium})`, date(m.joinedOn), m.leftOn ? date(m.leftOn) : '–', m.coordinator ? t('yes') : t('no')]),
          { id: 'memberships' },
        ),
      ),
      section(
        'twinTowns',
        'h-twins',
        table(
          [t('municipality'), t('since'), t('decisionBody')],
          d.twinTowns.map((tt) => [
            `${tt.partner.name} (${tt.partner.country})`,
            date(tt.since) + (tt.endedOn ? ` – ${date(tt.endedOn)}` : ''),
            [t(tt.decision.body), tt.decision.paragraph, tt.decision.caseNumber].filter(Boolean).join(', '),
          ]),
          { id: 'twin-towns' },
        ),
      ),
    ),
    section(
      'funding',
      'h-funding',
      fundingChart(d.funding),
      table(
        [t('year'), t('programme'), { num: t('granted') }, { num: t('coFinancing') }],
        d.funding.map((f) => [String(f.year), programmeLabel(f.programme), { num: money(f.granted) }, { num: money(f.coFinancing) }]),
        { id: 'funding' },
      ),
    ),
    section(
      'goals',
      'h-goals',
      table(
        [t('goal'), t('strategy'), t('servedBy')],
        d.goals.map((g) => ({
          cells: [
            g.goal.title,
            g.strategyTitle,
            g.projects.length ? g.projects.map((p) => p.title).join('; ') : h('span.unserved', null, `⚠ ${t('unserved')}`),
          ],
        })),
        { id: 'goals' },
      ),
      h('h3', null, `${t('unservedGoals')}: ${unserved.length}`),
      unserved.length ? h('ul#unserved-goals', null, unserved.map((g) => h('li', null, `${g.goal.title} — ${g.strategyTitle}`))) : empty(),
    ),
  );
}

export function programmeLabel(kind) {
  const label = t(`prog_${kind}`);
  return label === `prog_${kind}` ? kind : label;
}

/** An EU priority (the report's keys: GREEN, INCLUSIVE, DIGITAL, any case). */
export function euPriorityLabel(key) {
  const k = `EU_${String(key).toUpperCase()}`;
  const label = t(k);
  return label === k ? key : label;
}

const PALETTE = ['#0b5394', '#b45f06', '#38761d', '#741b47', '#134f5c', '#7f6000', '#990000', '#444444'];

/** Granted per year, stacked by programme, one chart per currency. */
export function fundingChart(funding) {
  if (!funding.length) return empty();
  const currencies = [...new Set(funding.map((f) => f.currency))];
  const programmes = [...new Set(funding.map((f) => f.programme))];
  const colour = (p) => PALETTE[programmes.indexOf(p) % PALETTE.length];
  const charts = currencies.map((cur) => {
    const lines = funding.filter((f) => f.currency === cur);
    const years = [...new Set(lines.map((f) => f.year))].sort();
    const totals = years.map((y) => lines.filter((f) => f.year === y).reduce((a, f) => a + minorToBigInt(f.granted.amountMinor), 0n));
    const max = totals.reduce((a, b) => (b > a ? b : a), 1n);
    const W = 640, H = 240, left = 110, bottom = 30, top = 10;
    const bw = Math.min(60, (W - left - 10) / years.length - 10);
    // Scale with BigInt: the share of the maximum in 1/10000ths.
    const scale = (v) => Number((v * 10000n) / max) / 10000 * (H - bottom - top);
    const bars = [];
    years.forEach((y, i) => {
      let acc = 0;
      const x = left + 10 + i * (bw + 10);
      for (const f of lines.filter((l) => l.year === y)) {
        const hgt = scale(minorToBigInt(f.granted.amountMinor));
        bars.push(s('rect', { x, y: H - bottom - acc - hgt, width: bw, height: Math.max(hgt, 0.5), fill: colour(f.programme) }, s('title', null, `${y} ${programmeLabel(f.programme)}: ${money(f.granted)}`)));
        acc += hgt;
      }
      bars.push(s('text', { x: x + bw / 2, y: H - bottom + 14, 'text-anchor': 'middle' }, String(y)));
      bars.push(s('text', { x: x + bw / 2, y: H - bottom - acc - 3, 'text-anchor': 'middle' }, money({ amountMinor: totals[i].toString(), currency: cur })));
    });
    const label = `${t('fundingChart')} (${cur})`;
    return s(
      'svg',
      { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, width: W, height: H },
      s('title', null, label),
      s('line', { x1: left, y1: H - bottom, x2: W, y2: H - bottom, stroke: '#333' }),
      s('text', { x: left - 6, y: top + 10, 'text-anchor': 'end' }, money({ amountMinor: max.toString(), currency: cur })),
      s('text', { x: left - 6, y: H - bottom, 'text-anchor': 'end' }, '0'),
      bars,
    );
  });
  return h(
    'div#funding-chart',
    null,
    charts,
    h('ul.legend', null, programmes.map((p) => h('li', null, s('svg', { width: 14, height: 14, 'aria-hidden': 'true', class: 'swatch' }, s('rect', { width: 14, height: 14, fill: colour(p) })), ' ', programmeLabel(p)))),
  );
}

function days(d) {
  return Date.parse(`${d}T00:00:00Z`) / 86400000;
}

/** Projects' periods and milestones on one time axis, today marked. */
export function milestoneTimeline(lines, today) {
  const dates = [today];
  for (const l of lines) {
    dates.push(l.project.period.start);
    if (l.project.period.end) dates.push(l.project.period.end);
    for (const m of l.project.milestones) dates.push(m.due);
  }
  const min = Math.min(...dates.map(days));
  const max = Math.max(...dates.map(days)) + 1;
  const W = 760, left = 230, row = 26, top = 22;
  const H = top + lines.length * row + 10;
  const x = (d) => left + ((days(d) - min) / (max - min)) * (W - left - 40);
  const firstYear = new Date(min * 86400000).getUTCFullYear();
  const lastYear = new Date(max * 86400000).getUTCFullYear();
  const ticks = [];
  for (let y = firstYear + 1; y <= lastYear; y++) {
    const xx = x(`${y}-01-01`);
    ticks.push(s('line', { x1: xx, y1: top - 4, x2: xx, y2: H - 6, stroke: '#c9d1d9' }), s('text', { x: xx + 2, y: top - 8 }, String(y)));
  }
  const rows = lines.map((l, i) => {
    const y = top + i * row + row / 2;
    const overdueIds = new Set(l.overdueMilestones.map((m) => m.id));
    const end = l.project.period.end || today;
    return s(
      'g',
      null,
      s('text', { x: 4, y: y + 4 }, l.project.title.length > 34 ? `${l.project.title.slice(0, 33)}…` : l.project.title),
      s('rect', { x: x(l.project.period.start), y: y - 4, width: Math.max(x(end) - x(l.project.period.start), 1), height: 8, fill: '#cfe2f3', stroke: '#0b5394' }),
      l.project.milestones.map((m) => {
        const overdue = overdueIds.has(m.id);
        const fill = overdue ? '#a4141b' : m.status === 'ACHIEVED' ? '#1e6b33' : m.status === 'CANCELLED' ? '#999999' : '#0b5394';
        const status = overdue ? t('overdue') : t(m.status);
        return overdue
          ? s('path', { d: `M${x(m.due)},${y - 8} l7,13 h-14 z`, fill, class: 'milestone overdue' }, s('title', null, `${m.title}: ${date(m.due)} (${status})`))
          : s('circle', { cx: x(m.due), cy: y, r: 5, fill, class: 'milestone' }, s('title', null, `${m.title}: ${date(m.due)} (${status})`));
      }),
    );
  });
  const tx = x(today);
  return s(
    'svg',
    { class: 'chart', id: 'milestone-timeline', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': t('milestoneTimeline') },
    s('title', null, t('milestoneTimeline')),
    ticks,
    rows,
    s('line', { x1: tx, y1: top - 4, x2: tx, y2: H - 6, stroke: '#a4141b', 'stroke-dasharray': '4 3' }),
    s('text', { x: tx + 3, y: H - 8, fill: '#a4141b' }, t('today')),
  );
}

// ---------------------------------------------------------------- consortium

export const OVERVIEW_QUERY = `query Overview($c: ConsortiumCode!, $asOf: DateTime, $validAt: Date) {
  consortiumOverview(consortium: $c, asOf: $asOf, validAt: $validAt) {
    consortium { code name kind purpose formedOn dissolvedOn coordinator { kind municipality officeName }
      memberships { municipality joinedOn leftOn } }
    currentMembers
    applicationsByStatus { status count }
    requested { amountMinor currency }
    granted { amountMinor currency }
    memberCoFinancing { municipality committed { amountMinor currency } }
    successRate
    applications { id title status leadApplicant deadline requested { amountMinor currency } granted { amountMinor currency } }
    projects { id title status period { start end } financing { grant { amountMinor currency } } }
    standings { checkedOn application { id title status }
      warnings { rule label detail } failures { rule label detail }
      partyStatuses { municipality lead status satisfiesRules problems amount { amountMinor currency } nextMeeting { date body } } }
  }
}`;

export function overviewView(o, ctx) {
  const c = o.consortium;
  const name = (code) => ctx.names[code] || code;
  const statuses = ['DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'WITHDRAWN'];
  const count = (st) => o.applicationsByStatus.find((x) => x.status === st)?.count ?? 0;
  const currencies = [...new Set([...o.requested, ...o.granted].map((m) => m.currency))];
  return h(
    'div',
    { id: 'view-consortium' },
    h('h1', { tabindex: '-1' }, `${c.name} (${c.code})`),
    h('p', null, c.purpose),
    h(
      'dl.facts',
      null,
      h('dt', null, t('currentMembers')),
      h('dd#current-members', null, o.currentMembers.map(name).join(', ') || t('none')),
      h('dt', null, t('coordinatorRole')),
      h('dd', null, c.coordinator ? c.coordinator.officeName || name(c.coordinator.municipality) : '–'),
      h('dt', null, t('successRate')),
      h('dd.stat#success-rate', null, formatPercent(o.successRate, lang())),
    ),
    section('pipeline', 'h-pipeline', h('ol.pipeline#pipeline', null, statuses.map((st) => h('li', { 'data-status': st }, h('span.n', null, String(count(st))), t(st))))),
    section(
      'requestedVsGranted',
      'h-money',
      table(
        [t('currency'), { num: t('requested') }, { num: t('granted') }],
        currencies.map((cur) => [
          cur,
          { num: money(o.requested.find((m) => m.currency === cur) || { amountMinor: 0, currency: cur }) },
          { num: money(o.granted.find((m) => m.currency === cur) || { amountMinor: 0, currency: cur }) },
        ]),
        { id: 'requested-granted' },
      ),
      requestedGrantedChart(currencies, o.requested, o.granted),
    ),
    section(
      'members',
      'h-members',
      membersTimeline(c.memberships, name),
      table(
        [t('municipality'), t('joined'), t('left')],
        c.memberships.map((m) => [name(m.municipality), date(m.joinedOn), m.leftOn ? date(m.leftOn) : '–']),
        { id: 'members' },
      ),
    ),
    section(
      'memberCoFinancing',
      'h-cofin',
      table(
        [t('municipality'), { num: t('committed') }],
        o.memberCoFinancing.map((m) => [name(m.municipality), { num: m.committed.map(money).join(' + ') || '–' }]),
        { id: 'member-cofinancing' },
      ),
    ),
    section(
      'applications',
      'h-apps',
      table(
        [t('title'), t('status'), t('leadApplicant'), t('deadline'), { num: t('requested') }, { num: t('granted') }],
        o.applications.map((a) => [a.title, t(a.status), name(a.leadApplicant), formatInstant(a.deadline, lang()), { num: money(a.requested) }, { num: a.granted ? money(a.granted) : '–' }]),
        { id: 'applications' },
      ),
    ),
    section('standings', 'h-standings', standingsTable(o.standings, name)),
    section(
      'resultingProjects',
      'h-projects',
      table(
        [t('title'), t('status'), t('period'), { num: t('granted') }],
        o.projects.map((p) => [p.title, t(p.status), period(p.period), { num: money(p.financing.grant) }]),
        { id: 'projects' },
      ),
    ),
  );
}

/** Requested and granted side by side, one pair of bars per currency. */
function requestedGrantedChart(currencies, requested, granted) {
  if (!currencies.length) return null;
  const W = 640, left = 60, row = 46, top = 8;
  const H = top + currencies.length * row;
  const get = (list, cur) => minorToBigInt((list.find((m) => m.currency === cur) || { amountMinor: 0 }).amountMinor);
  const parts = currencies.map((cur, i) => {
    const r = get(requested, cur);
    const g = get(granted, cur);
    const max = r > g ? r : g > 0n ? g : 1n;
    const len = (v) => (Number((v * 10000n) / max) / 10000) * (W - left - 160);
    const y = top + i * row;
    return s(
      'g',
      null,
      s('text', { x: 4, y: y + 20 }, cur),
      s('rect', { x: left, y, width: Math.max(len(r), 1), height: 16, fill: '#0b5394' }, s('title', null, `${t('requested')}: ${money({ amountMinor: r.toString(), currency: cur })}`)),
      s('text', { x: left + len(r) + 6, y: y + 12 }, `${t('requested')} ${money({ amountMinor: r.toString(), currency: cur })}`),
      s('rect', { x: left, y: y + 19, width: Math.max(len(g), 1), height: 16, fill: '#38761d' }, s('title', null, `${t('granted')}: ${money({ amountMinor: g.toString(), currency: cur })}`)),
      s('text', { x: left + len(g) + 6, y: y + 31 }, `${t('granted')} ${money({ amountMinor: g.toString(), currency: cur })}`),
    );
  });
  return s('svg', { class: 'chart', id: 'requested-granted-chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': t('requestedVsGranted') }, s('title', null, t('requestedVsGranted')), parts);
}

function membersTimeline(memberships, name) {
  if (!memberships.length) return empty();
  const todayIso = new Date().toISOString().slice(0, 10);
  const dates = memberships.flatMap((m) => [m.joinedOn, m.leftOn || todayIso]);
  const min = Math.min(...dates.map(days));
  const max = Math.max(...dates.map(days)) + 1;
  const W = 760, left = 160, row = 20, top = 20;
  const H = top + memberships.length * row + 6;
  const x = (d) => left + ((days(d) - min) / (max - min)) * (W - left - 10);
  const y0 = new Date(min * 86400000).getUTCFullYear();
  const y1 = new Date(max * 86400000).getUTCFullYear();
  const step = Math.max(1, Math.ceil((y1 - y0) / 10));
  const ticks = [];
  for (let y = y0 + 1; y <= y1; y += step) {
    ticks.push(s('line', { x1: x(`${y}-01-01`), y1: top - 4, x2: x(`${y}-01-01`), y2: H, stroke: '#c9d1d9' }), s('text', { x: x(`${y}-01-01`) + 2, y: top - 8 }, String(y)));
  }
  return s(
    'svg',
    { class: 'chart', id: 'members-timeline', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': t('members') },
    s('title', null, t('members')),
    ticks,
    memberships.map((m, i) => {
      const y = top + i * row;
      return s(
        'g',
        null,
        s('text', { x: 4, y: y + 12 }, name(m.municipality)),
        s('rect', { x: x(m.joinedOn), y: y + 3, width: Math.max(x(m.leftOn || todayIso) - x(m.joinedOn), 1), height: 12, fill: m.leftOn ? '#999999' : '#0b5394' }, s('title', null, `${name(m.municipality)}: ${date(m.joinedOn)} – ${m.leftOn ? date(m.leftOn) : ''}`)),
      );
    }),
  );
}

// ---------------------------------------------------------------- report

export const REPORT_QUERY = `query Report($m: MunicipalityCode!, $year: Int!, $asOf: DateTime, $validAt: Date) {
  followUpReport(municipality: $m, year: $year, asOf: $asOf, validAt: $validAt) {
    municipality { code name }
    year
    projectsActive { role startedInYear endedInYear project { id title programme { name } period { start end } financing { grant { amountMinor currency } } } }
    applications { id title status consortium deadline requested { amountMinor currency } granted { amountMinor currency } }
    fundingObtained { year programme currency granted { amountMinor currency } coFinancing { amountMinor currency } }
    milestonesAchieved { ...rm }
    milestonesMissed { ...rm }
    milestonesRescheduled { ...rm }
    strategiesAdopted { ...st }
    strategiesRevised { ...st }
    strategiesExpiring { ...st }
    strategiesDueForFollowUp { strategy { id title } nextFollowUpDue followUpOverdue validUntil }
    projectsPerFocusArea { key count }
    projectsPerEuPriority { key count }
  }
}
fragment rm on ReportMilestone { projectTitle milestone { id title due status achievedOn originalDue } }
fragment st on Strategy { id title status adopted { date body paragraph caseNumber } validity { start end } }`;

/** The report as rows: the screen's tables and the CSV come from these.
 * Columns: section, item, date, status, amount (exact decimal), currency, count. */
export function reportRows(r) {
  const rows = [];
  const add = (sec, item, dateValue, status, money, count) =>
    rows.push([t(sec), item, dateValue || '', status || '', money ? minorToDecimal(money.amountMinor) : '', money ? money.currency : '', count ?? '']);
  for (const p of r.projectsActive) add('projectsActive', p.project.title, p.project.period.start, t(p.role), p.project.financing.grant);
  for (const a of r.applications) add('applications', a.title, a.deadline.slice(0, 10), t(a.status), a.granted || a.requested);
  for (const f of r.fundingObtained) add('fundingObtained', `${f.year} ${programmeLabel(f.programme)}`, String(f.year), '', f.granted);
  for (const m of r.milestonesAchieved) add('milestonesAchieved', `${m.projectTitle}: ${m.milestone.title}`, m.milestone.achievedOn || m.milestone.due, t(m.milestone.status));
  for (const m of r.milestonesMissed) add('milestonesMissed', `${m.projectTitle}: ${m.milestone.title}`, m.milestone.due, t(m.milestone.status));
  for (const m of r.milestonesRescheduled) add('milestonesRescheduled', `${m.projectTitle}: ${m.milestone.title}`, m.milestone.due, t(m.milestone.status));
  for (const x of r.strategiesAdopted) add('strategiesAdopted', x.title, x.adopted?.date, t(x.status));
  for (const x of r.strategiesRevised) add('strategiesRevised', x.title, x.validity?.start, t(x.status));
  for (const x of r.strategiesExpiring) add('strategiesExpiring', x.title, x.validity?.end, t(x.status));
  for (const x of r.strategiesDueForFollowUp) add('strategiesDue', x.strategy.title, x.nextFollowUpDue, x.followUpOverdue ? t('overdue') : '');
  for (const k of r.projectsPerFocusArea) add('perFocusArea', k.key, '', '', null, k.count);
  for (const k of r.projectsPerEuPriority) add('perEuPriority', euPriorityLabel(k.key), '', '', null, k.count);
  return rows;
}

export function reportHeader() {
  return [t('section'), t('item'), t('detail'), t('status'), t('amount'), t('currency'), t('count')];
}

export function reportCsv(r) {
  return toCsv([reportHeader(), ...reportRows(r)]);
}

export function reportView(r, ctx) {
  const m = (x) => (x ? money(x) : '');
  const sec = (key, id, headers, rows) => section(key, id, table(headers, rows));
  const ms = (list) => list.map((x) => [x.projectTitle, x.milestone.title, date(x.milestone.due), x.milestone.achievedOn ? date(x.milestone.achievedOn) : '–']);
  const msHead = [t('projects'), t('milestone'), t('due'), t('achievedOn')];
  const st = (list) => list.map((x) => [x.title, x.adopted ? `${t(x.adopted.body)} ${date(x.adopted.date)} ${x.adopted.paragraph || ''} ${x.adopted.caseNumber || ''}`.trim() : '–', period(x.validity)]);
  const stHead = [t('title'), t('decisionBody'), t('period')];
  return h(
    'div',
    { id: 'view-report' },
    h('h1', { tabindex: '-1' }, `${t('report')}: ${r.municipality.name} ${r.year}`),
    ctx.asOf ? h('p.muted', null, `${t('asOf')}: ${formatInstant(ctx.asOf, lang())}`) : null,
    ctx.validAt ? h("p.muted", null, `${t("validAt")}: ${formatDate(ctx.validAt, lang())}`) : null,
    h(
      'div.report-actions',
      null,
      h('button#print', { type: 'button', onclick: () => window.print() }, t('print')),
      h('button.secondary#download-csv', { type: 'button', onclick: () => ctx.download(reportCsv(r), `uppfoljning-${r.municipality.code}-${r.year}.csv`) }, t('downloadCsv')),
    ),
    sec('projectsActive', 'h-r-projects', [t('title'), t('role'), t('programme'), t('period'), { num: t('granted') }], r.projectsActive.map((p) => [p.project.title, t(p.role), p.project.programme.name, period(p.project.period), { num: m(p.project.financing.grant) }])),
    sec('applications', 'h-r-apps', [t('title'), t('consortium'), t('status'), { num: t('requested') }, { num: t('granted') }], r.applications.map((a) => [a.title, a.consortium, t(a.status), { num: m(a.requested) }, { num: m(a.granted) || '–' }])),
    sec('fundingObtained', 'h-r-funding', [t('year'), t('programme'), { num: t('granted') }, { num: t('coFinancing') }], r.fundingObtained.map((f) => [String(f.year), programmeLabel(f.programme), { num: m(f.granted) }, { num: m(f.coFinancing) }])),
    sec('milestonesAchieved', 'h-r-ach', msHead, ms(r.milestonesAchieved)),
    sec('milestonesMissed', 'h-r-missed', msHead, ms(r.milestonesMissed)),
    sec('milestonesRescheduled', 'h-r-resch', msHead, ms(r.milestonesRescheduled)),
    sec('strategiesAdopted', 'h-r-adopted', stHead, st(r.strategiesAdopted)),
    sec('strategiesRevised', 'h-r-revised', stHead, st(r.strategiesRevised)),
    sec('strategiesExpiring', 'h-r-expiring', stHead, st(r.strategiesExpiring)),
    sec('strategiesDue', 'h-r-due', [t('title'), t('nextFollowUp'), t('validUntil')], r.strategiesDueForFollowUp.map((x) => ({ className: x.followUpOverdue ? 'overdue' : '', cells: [x.strategy.title, h('span', null, x.nextFollowUpDue ? date(x.nextFollowUpDue) : '–', ' ', x.followUpOverdue ? overdueBadge() : null), x.validUntil ? date(x.validUntil) : t('untilFurtherNotice')] }))),
    h('div.grid', null,
      sec('perFocusArea', 'h-r-focus', [t('item'), { num: t('count') }], r.projectsPerFocusArea.map((k) => [k.key, { num: String(k.count) }])),
      sec('perEuPriority', 'h-r-eu', [t('item'), { num: t('count') }], r.projectsPerEuPriority.map((k) => [euPriorityLabel(k.key), { num: String(k.count) }])),
    ),
  );
}

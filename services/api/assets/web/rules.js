// The funding programmes' rules on the views: the co-financing decisions a
// municipality owes (application, amount, deadline, the next meeting that
// can take it or the warning that none falls in time, the application's
// rule warnings) and, for the coordinator, each member's status per
// application against the rule set. The fields they read are asked in
// views.js's DASHBOARD_QUERY and OVERVIEW_QUERY (plain text there: the load
// generator reads those queries from the file).
import { t, lang } from './i18n.js';
import { formatMoney, formatDate, formatInstant } from './format.js';
import { h, table } from './views.js';

const money = (m) => formatMoney(m, lang());
const date = (d) => formatDate(d, lang());

/** A rule's name in the current language (the rule set's own label when the app has none). */
export function ruleName(check) {
  const key = `rule_${check.rule}`;
  const label = t(key);
  return label === key ? check.label || check.rule : label;
}

function ruleList(checks, cls) {
  if (!checks.length) return '–';
  return h(
    'ul.rules',
    null,
    checks.map((c) => h(`li.${cls}`, { 'data-rule': c.rule, title: c.detail }, `⚠ ${ruleName(c)}`)),
  );
}

function meeting(m) {
  return `${date(m.date)} (${t(m.body)})`;
}

/** The dashboard's decisions owed. */
export function decisionsOwedTable(owed) {
  return table(
    [t('application'), t('role'), { num: t('amount') }, t('deadline'), t('nextMeeting'), t('ruleWarnings')],
    owed.map((o) => ({
      className: o.warning ? 'overdue' : '',
      cells: [
        `${o.application.title} (${o.application.consortium})`,
        t(o.role),
        { num: o.amount ? money(o.amount) : '–' },
        formatInstant(o.due, lang()),
        o.nextMeeting
          ? h('span.next-meeting', null, meeting(o.nextMeeting))
          : h('span.badge.overdue.no-meeting', { 'data-warning': o.warning }, `⚠ ${t('noMeetingInTime')}`),
        ruleList(o.application.warnings, 'warning'),
      ],
    })),
    { id: 'decisions-owed' },
  );
}

function partyLine(p, name) {
  const who = `${name(p.municipality)}${p.lead ? ` (${t('lead')})` : ''}`;
  let what;
  if (p.status === 'committed') {
    what = `${t('COMMITTED')}${p.amount ? ` ${money(p.amount)}` : ''} – ${p.satisfiesRules ? t('satisfiesRules') : `${t('breaksRules')}: ${p.problems.map((r) => ruleName({ rule: r })).join(', ')}`}`;
  } else if (p.status === 'pending') {
    what = `${t('PENDING')} – ${p.nextMeeting ? `${t('nextMeeting')} ${meeting(p.nextMeeting)}` : `⚠ ${t('noMeetingInTime')}`}`;
  } else {
    what = t('DECLINED');
  }
  return h('li', { 'data-municipality': p.municipality, 'data-status': p.status, class: p.satisfiesRules === false ? 'overdue' : '' }, `${who}: ${what}`);
}

/** The consortium overview's standings: per application, each member's status and the rule warnings. */
export function standingsTable(standings, name) {
  return table(
    [t('application'), t('status'), t('memberStatus'), t('ruleWarnings')],
    standings.map((s) => ({
      cells: [
        s.application.title,
        t(s.application.status),
        h('ul.parties', null, s.partyStatuses.map((p) => partyLine(p, name))),
        s.failures.length || s.warnings.length ? h('div', null, s.failures.length ? ruleList(s.failures, 'failure') : null, s.warnings.length ? ruleList(s.warnings, 'warning') : null) : '–',
      ],
    })),
    { id: 'standings' },
  );
}

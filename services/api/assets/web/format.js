// Formatting per locale with Intl: money (exact, BigInt-safe), dates, CSV.

/** The Intl locale of a UI language. */
export function localeOf(lang) {
  return { sv: 'sv-SE', en: 'en-GB', nb: 'nb-NO' }[lang] || 'sv-SE';
}

/** amountMinor (a number or a string of digits, perhaps with a leading
 * minus) as a BigInt, without going through a float. */
export function minorToBigInt(amountMinor) {
  const text = String(amountMinor).trim();
  if (!/^-?\d+$/.test(text)) throw new Error(`not an integer amount: ${text}`);
  return BigInt(text);
}

/** The exact decimal string of minor units: 165000000 → "1650000.00". */
export function minorToDecimal(amountMinor) {
  const v = minorToBigInt(amountMinor);
  const sign = v < 0n ? '-' : '';
  const abs = v < 0n ? -v : v;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

const OWN_CURRENCY = { sv: 'SEK', nb: 'NOK' };

/** Money for display: `1 650 000 kr` (sv), decimals only when there are öre.
 * The locale's own currency as its symbol (kr in sv for SEK, in nb for NOK),
 * others by code (`NOK` and `DKK` in sv), so the three crowns stay apart. */
export function formatMoney(money, lang) {
  if (!money) return '';
  const v = minorToBigInt(money.amountMinor);
  const whole = v % 100n === 0n;
  const nf = new Intl.NumberFormat(localeOf(lang), {
    style: 'currency',
    currency: money.currency,
    currencyDisplay: money.currency === 'EUR' || money.currency === OWN_CURRENCY[lang] ? 'symbol' : 'code',
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: whole ? 0 : 2,
  });
  // Intl.NumberFormat formats a decimal string exactly (no float rounding).
  return nf.format(minorToDecimal(v));
}

/** Sum of minor units (as BigInt). */
export function sumMinor(values) {
  return values.reduce((a, m) => a + minorToBigInt(m), 0n);
}

/** A calendar date (YYYY-MM-DD) per locale. */
export function formatDate(date, lang) {
  if (!date) return '';
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/** An instant per locale (local time zone). */
export function formatInstant(instant, lang) {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant;
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A number per locale (counts, percentages). */
export function formatPercent(rate, lang) {
  if (rate === null || rate === undefined) return '–';
  return new Intl.NumberFormat(localeOf(lang), { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

/** One CSV cell: quoted, and neutralised against formula injection (a cell
 * starting with = + - @ tab or CR gets a leading apostrophe). */
export function csvCell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

/** Rows (arrays) as CSV text with CRLF line ends. */
export function toCsv(rows) {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

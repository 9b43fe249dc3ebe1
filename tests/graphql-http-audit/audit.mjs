// The GraphQL over HTTP conformance audits of `graphql-http`, run against a
// running Samverkan server: `node audit.mjs <url> <token>` (or the env vars
// AUDIT_URL and AUDIT_TOKEN). Every request carries `Authorization: Bearer
// <token>`, as the server requires. Prints each audit and exits non-zero on
// any error or warning (or notice: a failed MAY).
import { serverAudits } from 'graphql-http';

const url = process.argv[2] ?? process.env.AUDIT_URL;
const token = process.argv[3] ?? process.env.AUDIT_TOKEN;
if (!url || !token) {
  console.error('usage: node audit.mjs <graphql-url> <bearer-token>');
  process.exit(2);
}

/** `fetch` with the bearer token added to whatever headers the audit sets. */
function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const { id, name, fn } of serverAudits({ url, fetchFn })) {
  const result = await fn();
  counts[result.status] += 1;
  const line = `${result.status.toUpperCase().padEnd(5)} ${id} ${name}`;
  if (result.status === 'ok') {
    console.log(line);
    continue;
  }
  console.log(`${line}\n      ${result.reason}`);
  if (result.response) {
    const body = await result.response.text().catch(() => '<body already read>');
    console.log(
      `      ${result.response.status} ${result.response.headers.get('content-type') ?? ''} ${body.slice(0, 300)}`,
    );
  }
}
console.log(`\n${counts.ok} ok, ${counts.notice} notices, ${counts.warn} warnings, ${counts.error} errors`);
// A notice is a failed MAY: this server implements every MAY the audits check, so it fails too.
process.exit(counts.notice + counts.warn + counts.error === 0 ? 0 : 1);

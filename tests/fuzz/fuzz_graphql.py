#!/usr/bin/env python3
"""Schema-driven GraphQL fuzzer for a running Samverkan server.

Documents come from hypothesis-graphql, one root field per document, queries
and mutations of three kinds: plausible (every scalar parses; ids and codes
mostly real ones read from the server first), malformed (some scalar values do
not parse or have the wrong JSON type) and invalid (one schema violation,
hypothesis-graphql's negative mode). They are sent over HTTP with an
administrator's and an officer's token. Every response is checked:

* no HTTP 5xx, and the body is JSON;
* every error carries `extensions.code`, and none is `INTERNAL`;
* a mutation that failed (an error at the document or at its root field)
  appended nothing: with `--store-file` the SQLite log is read (read-only)
  before and after, and any event after the old head that the process
  manager did not write is a finding; without it the head from `/readyz`
  must not move.

At the end `/healthz` and `/readyz` must answer 200. Bounded by
`--max-examples` and `--deadline-seconds`; `--seed` makes the documents
repeatable. Prints a summary and every finding (document and response);
exits 1 when there was any finding. tests/fuzz/run.sh starts a server and
runs this against it.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.client
import json
import os
import sqlite3
import sys
import time
import urllib.parse
from typing import Any

import graphql
import hypothesis
import hypothesis_graphql as hg
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis_graphql import nodes

# The process manager's own events (it registers the project of an approved
# application) may land at any time after the mutation that caused them.
SYSTEM_ACTORS = {"process-manager"}
MAX_SHOWN = 4000


class TimeUp(Exception):
    """`--deadline-seconds` has passed."""


class Client:
    """One keep-alive HTTP connection to the server (reopened after errors)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        url = urllib.parse.urlsplit(base_url)
        if url.scheme != "http" or not url.hostname:
            raise SystemExit(f"--url must be http://host:port, got {base_url!r}")
        self.host = url.hostname
        self.port = url.port or 80
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return resp.status, data
            except (http.client.HTTPException, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def graphql(self, token: str, query: str) -> tuple[int, bytes]:
        body = json.dumps({"query": query}).encode()
        return self.request(
            "POST",
            "/graphql",
            body,
            {"content-type": "application/json", "authorization": f"Bearer {token}"},
        )


class Head:
    """Reads the log's head, and what was appended after a position."""

    def __init__(self, client: Client, store_file: str | None) -> None:
        self.client = client
        self.db = None
        if store_file:
            uri = "file:" + urllib.parse.quote(os.path.abspath(store_file)) + "?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None)

    def position(self) -> int:
        if self.db is not None:
            return self.db.execute("SELECT coalesce(max(position), 0) FROM events").fetchone()[0]
        status, body = self.client.request("GET", "/readyz")
        return int(json.loads(body).get("log", {}).get("head") or 0)

    def appended_after(self, position: int) -> list[str]:
        """Events after `position` not written by the system (or, without the
        store file, just "the head moved")."""
        if self.db is None:
            now = self.position()
            return [f"head moved {position} -> {now}"] if now != position else []
        rows = self.db.execute(
            "SELECT position, event_type, coalesce(actor, ''), coalesce(actor_role, '') "
            "FROM events WHERE position > ? ORDER BY position",
            (position,),
        ).fetchall()
        return [f"#{p} {t} by {a} ({r})" for p, t, a, r in rows if a not in SYSTEM_ACTORS]


# -- custom scalars: mostly plausible values (many of them real ids taken from
# the server), some malformed, a few of the wrong JSON type.


def junk() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(["", " ", "null", "-1", "1e309", "０", "\u0000", "SE-", "--", "9" * 40, "ä" * 70]),
    )


def value_nodes(plausible: st.SearchStrategy, malformed: st.SearchStrategy | None, dirty: bool) -> st.SearchStrategy:
    """Plausible values; when `dirty`, also malformed text and wrong JSON types."""
    if not dirty:
        return plausible
    choices = [(8, plausible), (2, junk().map(nodes.String))]
    if malformed is not None:
        choices.append((2, malformed))
    choices.append((1, st.one_of(st.integers(-(2**40), 2**40).map(nodes.Int), st.just(nodes.Boolean(True)))))
    return st.one_of(*[s for w, s in choices for _ in range(w)])


def pooled(pool: list[str], generated: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    if pool:
        return st.one_of(st.sampled_from(pool), st.sampled_from(pool), generated)
    return generated


def custom_scalars(pools: dict[str, list[str]], head: int, dirty: bool) -> dict[str, st.SearchStrategy]:
    """Strategies for the schema's own scalars. Clean ones give values that
    parse (so commands reach the domain and some succeed); dirty ones mix in
    malformed values."""
    utc = st.just(dt.timezone.utc)
    dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)).map(dt.date.isoformat)
    datetimes = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2040, 12, 31), timezones=utc)
    municipality = st.from_regex(r"\A(SE|NO)-[0-9]{4}\Z")
    ident = st.from_regex(r"\A[A-Za-z0-9._-]{1,64}\Z")
    position = st.integers(0, max(head + 5, 10))
    minor = st.integers(0, 2**63 - 1)

    def scalar(plausible: st.SearchStrategy, malformed: st.SearchStrategy | None = None) -> st.SearchStrategy:
        return value_nodes(plausible, malformed, dirty)

    def text(values: st.SearchStrategy[str]) -> st.SearchStrategy:
        return values.map(nodes.String)

    return {
        "MunicipalityCode": scalar(
            text(pooled(pools["municipalities"], municipality)),
            text(st.from_regex(r"\A(SE|NO|DK|XX|se)-[0-9]{1,6}\Z")),
        ),
        "ConsortiumCode": scalar(
            text(pooled(pools["consortia"], st.from_regex(r"\A[A-Z0-9-]{1,32}\Z"))),
            text(st.from_regex(r"\A[A-Za-z0-9 -]{0,40}\Z")),
        ),
        "CountryCode": scalar(text(st.sampled_from(["SE", "NO", "DK", "FI", "BW", "DE"])), text(st.sampled_from(["ZZ", "se", "S"]))),
        "GoalId": scalar(text(pooled(pools["goals"], ident)), text(st.from_regex(r"\A[A-Za-z0-9._ /-]{0,70}\Z"))),
        "MilestoneId": scalar(text(pooled(pools["milestones"], ident)), text(st.from_regex(r"\A[A-Za-z0-9._ /-]{0,70}\Z"))),
        "UUID": scalar(text(pooled(pools["ids"], st.uuids().map(str))), text(st.sampled_from(["0", "{}", "urn:uuid:x"]))),
        "Date": scalar(text(dates), text(st.sampled_from(["2024-02-30", "2024-13-01", "24-01-01", "2024-1-1"]))),
        "DateTime": scalar(
            text(datetimes.map(lambda d: d.isoformat())),
            text(st.sampled_from(["2025-09-15", "2025-09-15T25:00:00Z", "2025-09-15T21:59:00", "0000-01-01T00:00:00Z"])),
        ),
        "MinorUnits": scalar(
            st.one_of(minor.map(nodes.Int), minor.map(str).map(nodes.String)),
            st.one_of(
                st.sampled_from([-1, 2**63, 2**64 + 1, -(2**63)]).map(nodes.Int),
                text(st.sampled_from(["1.5", "1e3", "-5", "+7", " 12", "99999999999999999999"])),
                st.just(nodes.Float(1.5)),
            ),
        ),
        # Mostly positions the read models have reached: a higher one waits
        # for `read_wait` (2 s) before NOT_READY, so those stay rare.
        "Position": scalar(
            st.one_of(position.map(nodes.Int), position.map(str).map(nodes.String)),
            st.one_of(
                st.sampled_from([-1, 2**64, 2**63]).map(nodes.Int),
                st.integers(head + 1_000_000, 2**63 - 1).map(nodes.Int),
            ),
        ),
    }


def fetch_pools(client: Client, token: str) -> dict[str, list[str]]:
    """Real codes and ids from the server, so that documents reach entities."""
    pools: dict[str, list[str]] = {k: [] for k in ("municipalities", "consortia", "goals", "milestones", "ids")}
    queries = {
        "municipalities": "{ municipalities(first: 500) { edges { node { code } } } }",
        "consortia": "{ consortia(first: 500) { edges { node { code } } } }",
        "strategies": "{ strategies(first: 500) { edges { node { id goals { id } } } } }",
        "projects": "{ projects(first: 500) { edges { node { id milestones { id } partners { participant { key } } } } } }",
        "applications": "{ applications(first: 500) { edges { node { id } } } }",
    }
    for name, query in queries.items():
        try:
            _, body = client.graphql(token, query)
            edges = json.loads(body)["data"][name]["edges"]
        except (Exception,) as e:  # noqa: BLE001 - the pools are a help, not a check
            print(f"warning: could not read {name}: {e}", file=sys.stderr)
            continue
        for edge in edges:
            node = edge["node"]
            if "code" in node:
                pools[name].append(node["code"])
            if "id" in node:
                pools["ids"].append(node["id"])
            pools["goals"].extend(g["id"] for g in node.get("goals", []))
            pools["milestones"].extend(m["id"] for m in node.get("milestones", []))
    return {k: sorted(set(v)) for k, v in pools.items()}


def shorten(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + f"… ({len(text)} chars)"


class Fuzzer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.client = Client(args.url, timeout=args.request_timeout)
        self.tokens = {"admin": args.admin_token, "officer": args.officer_token}
        self.schema = graphql.build_schema(open(args.schema, encoding="utf-8").read())
        self.query_fields = sorted(self.schema.query_type.fields)
        self.mutation_fields = sorted(self.schema.mutation_type.fields)
        self.head = Head(self.client, args.store_file)
        self.pools = fetch_pools(self.client, args.admin_token)
        head = self.head.position()
        self.scalars = {dirty: custom_scalars(self.pools, head, dirty) for dirty in (False, True)}
        self.strategies: dict[tuple[str, str, hg.Mode, bool], st.SearchStrategy[str]] = {}
        self.findings: list[dict[str, Any]] = []
        self.sent: collections.Counter = collections.Counter()
        self.statuses: collections.Counter = collections.Counter()
        self.codes: collections.Counter = collections.Counter()
        self.fields: collections.Counter = collections.Counter()
        self.mutation_outcomes: collections.Counter = collections.Counter()
        self.started = time.monotonic()
        self.stopped_by = "--max-examples"
        self.request_seconds = 0.0
        self.slowest: tuple[float, str] = (0.0, "")
        self.trace = open(args.trace, "w", encoding="utf-8") if args.trace else None

    def strategy(self, operation: str, field: str, mode: hg.Mode, dirty: bool) -> st.SearchStrategy[str]:
        key = (operation, field, mode, dirty)
        if key not in self.strategies:
            make = hg.queries if operation == "query" else hg.mutations
            self.strategies[key] = make(self.schema, fields=[field], custom_scalars=self.scalars[dirty], mode=mode)
        return self.strategies[key]

    def out_of_time(self) -> bool:
        return time.monotonic() - self.started > self.args.deadline_seconds

    def finding(self, what: str, kind: str, who: str, document: str, status: int, body: bytes, **extra) -> None:
        self.findings.append(
            {
                "what": what,
                "kind": kind,
                "token": who,
                "document": document,
                "status": status,
                "response": body.decode("utf-8", "replace"),
                **extra,
            }
        )

    def exercise(self, kind: str, who: str, field: str, document: str) -> None:
        is_mutation = kind.startswith("mutation")
        before = self.head.position() if is_mutation else None
        sent_at = time.monotonic()
        try:
            status, body = self.client.graphql(self.tokens[who], document)
            took = time.monotonic() - sent_at
            self.request_seconds += took
            self.slowest = max(self.slowest, (took, field))
        except (http.client.HTTPException, OSError) as e:
            self.sent[kind] += 1
            self.finding(f"no HTTP response: {e}", kind, who, document, 0, b"")
            return
        self.sent[kind] += 1
        self.fields[field] += 1
        if self.trace:
            line = {"kind": kind, "token": who, "ms": round(took * 1000), "document": document, "status": status}
            line["response"] = body.decode("utf-8", "replace")[:2000]
            self.trace.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.statuses[status] += 1
        if status >= 500:
            self.finding(f"HTTP {status}", kind, who, document, status, body)
        try:
            response = json.loads(body)
        except ValueError:
            self.finding("the body is not JSON", kind, who, document, status, body)
            return
        if not isinstance(response, dict):
            self.finding("the body is not a JSON object", kind, who, document, status, body)
            return
        errors = response.get("errors") or []
        if status == 200 and not errors and response.get("data") is None:
            self.finding("neither data nor errors", kind, who, document, status, body)
        for error in errors:
            extensions = error.get("extensions") if isinstance(error, dict) else None
            code = extensions.get("code") if isinstance(extensions, dict) else None
            if not isinstance(code, str) or not code:
                self.codes["<none>"] += 1
                self.finding("an error without extensions.code", kind, who, document, status, body)
                continue
            rule = extensions.get("rule")
            self.codes[f"{code}/{rule}" if rule else code] += 1
            if code == "INTERNAL":
                self.finding("an INTERNAL error", kind, who, document, status, body)
        if not is_mutation:
            return
        # Failed before or at its root field (the only one): must not have
        # appended. An error deeper down (reading the changed entity back)
        # came after the command ran.
        deeper = [e for e in errors if isinstance(e, dict) and len(e.get("path") or []) > 1]
        if not errors:
            self.mutation_outcomes["succeeded"] += 1
        elif deeper:
            self.mutation_outcomes["ran, error reading the result"] += 1
        else:
            self.mutation_outcomes["failed"] += 1
            appended = self.head.appended_after(before)
            if appended:
                self.finding(
                    "a failed mutation appended events", kind, who, document, status, body, appended=appended
                )

    def run(self) -> None:
        # "plausible": every scalar parses; "malformed": some scalar values do
        # not; "invalid": one schema violation (hypothesis-graphql's negative mode).
        kinds = [f"{op} ({how})" for op in ("query", "mutation") for how in ("plausible", "malformed", "invalid")]
        weights = (
            ["query (plausible)"] * 2
            + ["query (malformed)"] * 2
            + ["query (invalid)"]
            + ["mutation (plausible)"] * 4
            + ["mutation (malformed)"] * 2
            + ["mutation (invalid)"] * 2
        )
        fuzzer = self

        @settings(
            max_examples=self.args.max_examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
            verbosity=Verbosity.quiet,
        )
        @given(st.data())
        def documents(data: st.DataObject) -> None:
            kind = data.draw(st.sampled_from(weights), label="kind")
            who = data.draw(st.sampled_from(sorted(fuzzer.tokens)), label="token")
            operation = "mutation" if kind.startswith("mutation") else "query"
            root = fuzzer.schema.mutation_type if operation == "mutation" else fuzzer.schema.query_type
            mode = hg.Mode.NEGATIVE if kind.endswith("(invalid)") else hg.Mode.POSITIVE
            # A field without arguments has nothing to violate.
            fields = [n for n, f in sorted(root.fields.items()) if mode == hg.Mode.POSITIVE or f.args]
            field = data.draw(st.sampled_from(fields), label="field")
            dirty = not kind.endswith("(plausible)")
            try:
                document = data.draw(fuzzer.strategy(operation, field, mode, dirty), label="document")
            except InvalidArgument:
                fuzzer.sent["skipped: nothing to violate"] += 1
                return
            # Stop by an exception, after drawing: Hypothesis requires an
            # example to draw what it drew before (no early return).
            if fuzzer.out_of_time():
                raise TimeUp
            fuzzer.exercise(kind, who, f"{operation} {field}", document)

        assert set(weights) == set(kinds)
        documents = hypothesis.seed(self.args.seed)(documents)
        try:
            documents()
        except TimeUp:
            self.stopped_by = "the deadline"

    def final_checks(self) -> None:
        for path in ("/healthz", "/readyz"):
            deadline = time.monotonic() + 10
            while True:
                try:
                    status, body = self.client.request("GET", path)
                except (http.client.HTTPException, OSError) as e:
                    status, body = 0, str(e).encode()
                if status == 200 or time.monotonic() > deadline or path == "/healthz":
                    break
                time.sleep(0.5)
            if status != 200:
                self.finding(f"{path} answered {status} after the run", "final", "-", "", status, body)

    def report(self) -> None:
        elapsed = time.monotonic() - self.started
        total = sum(n for kind, n in self.sent.items() if not kind.startswith("skipped"))
        print(
            f"== GraphQL fuzzer: {total} documents in {elapsed:.0f} s"
            f" (seed {self.args.seed}, stopped by {self.stopped_by})"
        )
        for kind, n in sorted(self.sent.items()):
            print(f"  {kind:20} {n}")
        print("  HTTP statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items())))
        print("  mutations: " + ", ".join(f"{k}: {n}" for k, n in sorted(self.mutation_outcomes.items())))
        print(
            f"  time waiting for the server: {self.request_seconds:.0f} s"
            f" (slowest: {self.slowest[0]:.1f} s, {self.slowest[1] or '-'})"
        )
        print(f"  root fields exercised: {len(self.fields)} of {len(self.query_fields) + len(self.mutation_fields)}")
        print("  error codes seen:")
        for code, n in self.codes.most_common():
            print(f"    {n:6}  {code}")
        if self.args.report:
            with open(self.args.report, "w", encoding="utf-8") as f:
                json.dump(
                    {
                        "documents": dict(self.sent),
                        "statuses": {str(k): v for k, v in self.statuses.items()},
                        "codes": dict(self.codes),
                        "fields": dict(self.fields),
                        "mutations": dict(self.mutation_outcomes),
                        "findings": self.findings,
                    },
                    f,
                    indent=2,
                    ensure_ascii=False,
                )
        print(f"== findings: {len(self.findings)}")
        for i, f in enumerate(self.findings, 1):
            print(f"-- finding {i}: {f['what']} ({f['kind']}, {f['token']} token, HTTP {f['status']})")
            if f.get("appended"):
                print("   appended: " + "; ".join(f["appended"]))
            print("   document: " + shorten(f["document"]))
            print("   response: " + shorten(f["response"]))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default=os.environ.get("SAMVERKAN_URL", "http://127.0.0.1:8080"))
    p.add_argument("--admin-token", default=os.environ.get("FUZZ_ADMIN_TOKEN"))
    p.add_argument("--officer-token", default=os.environ.get("FUZZ_OFFICER_TOKEN"))
    p.add_argument(
        "--schema",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema", "schema.graphql"),
    )
    p.add_argument("--store-file", help="the server's events.sqlite, read-only, to see what a mutation appended")
    p.add_argument("--max-examples", type=int, default=3000)
    p.add_argument("--deadline-seconds", type=float, default=150)
    p.add_argument("--seed", type=int, default=20240212)
    p.add_argument("--request-timeout", type=float, default=30)
    p.add_argument("--report", help="also write the summary and findings as JSON here")
    p.add_argument("--trace", help="write every document and response here (JSON lines)")
    args = p.parse_args()
    if not args.admin_token or not args.officer_token:
        p.error("--admin-token and --officer-token (or FUZZ_ADMIN_TOKEN, FUZZ_OFFICER_TOKEN) are required")

    fuzzer = Fuzzer(args)
    try:
        fuzzer.run()
    finally:
        fuzzer.final_checks()
        fuzzer.report()
    return 1 if fuzzer.findings else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Print a municipality's yearly follow-up (uppföljning) as CSV.

Every seed strategy asks for a yearly report to the executive board
("uppföljning ... återrapporteras årligen till kommunstyrelsen"). This script
asks the Samverkan GraphQL API for it and prints one table:

    export SAMVERKAN_TOKEN=$(samverkan token --role reader --municipality SE-1494)
    python3 infra/scripts/follow_up_csv.py --url http://127.0.0.1:8080/graphql \
        --municipality SE-1494 --year 2025 > uppfoljning-2025.csv

Every request needs a bearer token (`--token` or the environment variable
SAMVERKAN_TOKEN): any role may read the report; a development token comes from
`samverkan token`, a production one from the municipality's identity provider.
The token is sent only in the Authorization header and never printed.

Rows (column `section`):
  project             projects (lead or partner) active some time in the year,
                      paged through `projects(filter: …)`
  milestone_achieved  milestones achieved in the year
  milestone_missed    milestones due in the year and not achieved on time
  milestone_rescheduled  milestones moved in the year
  application         joint applications drafted, submitted or decided in the year
  funding             external funding granted and own co-financing committed
  strategy_adopted / strategy_revised / strategy_expiring / strategy_due
                      strategy documents adopted, revised or expiring in the
                      year, and those due for follow-up

Amounts are exact decimals made from integer minor units (never floats).

Cells are safe to open in a spreadsheet program: a text cell (every column but
the amounts) that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
(or a full-width `＝ ＋ － ＠`) would be read as a formula, so it is written with
a leading single quote (`'=HYPERLINK(...)`), as OWASP's advice on CSV
injection says. The amount columns (`budget`, `grant`, `co_financing`) are made
by this script from integers and stay numbers. A program reading the CSV as
data should strip one leading `'` from such text cells.
Two time axes, both optional and combinable:
`--valid-at 2025-12-31` computes the report on that calendar date by the
decisions' own dates (memberships, adoptions, periods, decisions, milestones);
`--as-of 2026-03-31T00:00:00Z` reproduces the report as the API knew it at that
instant (only what had been recorded by then). On a fresh demo, whose history
was recorded at first start, use `--valid-at` for past dates.
Only the Python 3 standard library is used.
"""

import argparse
import csv
import json
import os
import sys
import urllib.error
import urllib.request

COLUMNS = [
    "section", "id", "title", "role", "status", "programme", "period_start",
    "period_end", "date", "currency", "budget", "grant", "co_financing", "note",
]

MONEY = "amountMinor currency"

# Made by this script (`decimal`) from integer minor units: numbers, never text
# from the API, so they are written as they are (an amount stays numeric).
NUMERIC_COLUMNS = frozenset(["budget", "grant", "co_financing"])
# What makes a spreadsheet program read a cell as a formula (OWASP: CSV
# injection), with the full-width forms some versions also accept.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

PROJECTS = """
query Projects($filter: ProjectFilter, $first: Int, $after: String, $validAt: Date, $asOf: DateTime, $m: MunicipalityCode!) {
  projects(filter: $filter, first: $first, after: $after, validAt: $validAt, asOf: $asOf) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id title status roleOf(municipality: $m)
      programme { kind name }
      period { start end }
      financing { budget { %(m)s } grant { %(m)s } coFinancing { %(m)s } }
    } }
  }
}
""" % {"m": MONEY}

REPORT = """
query Report($m: MunicipalityCode!, $year: Int!, $validAt: Date, $asOf: DateTime) {
  followUpReport(municipality: $m, year: $year, validAt: $validAt, asOf: $asOf) {
    validAt asOf
    municipality { code name }
    milestonesAchieved { projectId projectTitle milestone { id title due achievedOn } }
    milestonesMissed { projectId projectTitle milestone { id title due status achievedOn } }
    milestonesRescheduled { projectId projectTitle milestone { id title due originalDue } }
    applications {
      id title status leadApplicant submittedAt decidedOn
      programme { kind name }
      totalBudget { %(m)s } granted { %(m)s }
      leadCommitment { amount { %(m)s } }
      coApplicants { municipality answer commitment { amount { %(m)s } } }
    }
    fundingObtained { year programme currency granted { amountMinor } coFinancing { amountMinor } }
    strategiesAdopted { id title status adopted { date } validity { start end } }
    strategiesRevised { id title status revisions { date } validity { start end } }
    strategiesExpiring { id title status validity { start end } }
    strategiesDueForFollowUp { nextFollowUpDue followUpOverdue strategy { id title status validity { start end } } }
  }
}
""" % {"m": MONEY}


class ApiError(Exception):
    pass


def call(url, token, query, variables):
    body = json.dumps({"query": query, "variables": variables}).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as e:
        try:
            answer = json.load(e)
        except ValueError:
            raise ApiError("HTTP %s from %s" % (e.code, url))
    except urllib.error.URLError as e:
        raise ApiError("cannot reach %s: %s" % (url, e.reason))
    errors = answer.get("errors")
    if errors:
        described = []
        for err in errors:
            ext = err.get("extensions") or {}
            code = ext.get("code", "?")
            if ext.get("rule"):
                code += "/" + ext["rule"]
            described.append("%s: %s" % (code, err.get("message")))
        raise ApiError("; ".join(described))
    return answer["data"]


def decimal(minor):
    """Integer minor units as an exact decimal text, e.g. 150050 -> 1500.50."""
    if minor is None:
        return ""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(int(minor)), 100)
    return "%s%d.%02d" % (sign, whole, cents)


def cell(column, value):
    """A CSV cell: text from the API that would start a formula gets a leading `'`."""
    text = "" if value is None else str(value)
    if column not in NUMERIC_COLUMNS and text.startswith(FORMULA_START):
        return "'" + text
    return text


def amount(money):
    return decimal(money["amountMinor"]) if money else ""


def projects(args):
    """Page through the projects active in the year (cursor pagination)."""
    variables = {
        "filter": {
            "municipality": args.municipality,
            "activeDuring": {"from": "%d-01-01" % args.year, "to": "%d-12-31" % args.year},
        },
        "first": args.page_size,
        "after": None,
        "validAt": args.valid_at,
        "asOf": args.as_of,
        "m": args.municipality,
    }
    while True:
        page = call(args.url, args.token, PROJECTS, variables)["projects"]
        for edge in page["edges"]:
            yield edge["node"]
        if not page["pageInfo"]["hasNextPage"]:
            return
        variables["after"] = page["pageInfo"]["endCursor"]


def rows(args):
    report = call(args.url, args.token, REPORT, {"m": args.municipality, "year": args.year, "validAt": args.valid_at, "asOf": args.as_of})["followUpReport"]
    achieved, missed = {}, {}
    for m in report["milestonesAchieved"]:
        achieved[m["projectId"]] = achieved.get(m["projectId"], 0) + 1
    for m in report["milestonesMissed"]:
        missed[m["projectId"]] = missed.get(m["projectId"], 0) + 1

    for p in projects(args):
        f = p["financing"]
        yield {
            "section": "project", "id": p["id"], "title": p["title"],
            "role": (p["roleOf"] or "").lower(), "status": p["status"].lower(),
            "programme": "%s: %s" % (p["programme"]["kind"], p["programme"]["name"]),
            "period_start": p["period"]["start"], "period_end": p["period"]["end"] or "",
            "currency": f["budget"]["currency"], "budget": amount(f["budget"]),
            "grant": amount(f["grant"]), "co_financing": amount(f["coFinancing"]),
            "note": "milestones achieved %d, missed %d" % (achieved.get(p["id"], 0), missed.get(p["id"], 0)),
        }

    for section, key, date in (("milestone_achieved", "milestonesAchieved", "achievedOn"),
                               ("milestone_missed", "milestonesMissed", "due"),
                               ("milestone_rescheduled", "milestonesRescheduled", "due")):
        for m in report[key]:
            ms = m["milestone"]
            note = "due %s" % ms["due"]
            if section == "milestone_rescheduled":
                note = "moved from %s to %s" % (ms["originalDue"], ms["due"])
            elif section == "milestone_missed":
                note = "status %s" % ms["status"].lower() + (", achieved %s" % ms["achievedOn"] if ms.get("achievedOn") else "")
            yield {"section": section, "id": ms["id"], "title": "%s: %s" % (m["projectTitle"], ms["title"]),
                   "status": ms.get("status", "").lower() if section != "milestone_achieved" else "achieved",
                   "date": ms[date] or "", "note": note}

    for a in report["applications"]:
        own = None
        if a["leadApplicant"] == args.municipality:
            role = "lead"
            own = (a.get("leadCommitment") or {}).get("amount")
        else:
            role = "co-applicant"
            for c in a["coApplicants"]:
                if c["municipality"] == args.municipality:
                    own = (c.get("commitment") or {}).get("amount")
                    role = "co-applicant (%s)" % c["answer"].lower()
        yield {
            "section": "application", "id": a["id"], "title": a["title"], "role": role,
            "status": a["status"].lower(), "programme": "%s: %s" % (a["programme"]["kind"], a["programme"]["name"]),
            "date": a["decidedOn"] or (a["submittedAt"] or "")[:10], "currency": a["totalBudget"]["currency"],
            "budget": amount(a["totalBudget"]), "grant": amount(a["granted"]), "co_financing": amount(own),
        }

    for f in report["fundingObtained"]:
        yield {"section": "funding", "programme": f["programme"], "date": str(f["year"]), "currency": f["currency"],
               "grant": decimal(f["granted"]["amountMinor"]), "co_financing": decimal(f["coFinancing"]["amountMinor"])}

    def validity(s):
        v = s.get("validity") or {}
        return v.get("start") or "", v.get("end") or ""

    for s in report["strategiesAdopted"]:
        start, end = validity(s)
        yield {"section": "strategy_adopted", "id": s["id"], "title": s["title"], "status": s["status"].lower(),
               "period_start": start, "period_end": end, "date": (s.get("adopted") or {}).get("date", "")}
    for s in report["strategiesRevised"]:
        start, end = validity(s)
        dates = [r["date"] for r in s["revisions"] if r["date"].startswith(str(args.year))]
        yield {"section": "strategy_revised", "id": s["id"], "title": s["title"], "status": s["status"].lower(),
               "period_start": start, "period_end": end, "date": ";".join(dates)}
    for s in report["strategiesExpiring"]:
        start, end = validity(s)
        yield {"section": "strategy_expiring", "id": s["id"], "title": s["title"], "status": s["status"].lower(),
               "period_start": start, "period_end": end, "date": end}
    for line in report["strategiesDueForFollowUp"]:
        s = line["strategy"]
        start, end = validity(s)
        yield {"section": "strategy_due", "id": s["id"], "title": s["title"], "status": s["status"].lower(),
               "period_start": start, "period_end": end, "date": line["nextFollowUpDue"] or "",
               "note": "overdue" if line["followUpOverdue"] else ""}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print a municipality's yearly follow-up as CSV.")
    parser.add_argument("--url", default=os.environ.get("SAMVERKAN_URL", "http://127.0.0.1:8080/graphql"),
                        help="GraphQL endpoint (env SAMVERKAN_URL)")
    parser.add_argument("--token", default=os.environ.get("SAMVERKAN_TOKEN"),
                        help="bearer token (env SAMVERKAN_TOKEN; prefer the environment: "
                             "command lines are visible to other users)")
    parser.add_argument("--municipality", required=True, help="municipality code, e.g. SE-1494")
    parser.add_argument("--year", required=True, type=int, help="the year followed up, e.g. 2025")
    parser.add_argument("--valid-at", dest="valid_at", default=None,
                        help="business time: the report on this calendar date by the decisions' own dates "
                             "(e.g. 2025-12-31)")
    parser.add_argument("--as-of", dest="as_of", default=None,
                        help="recording time: only what had been recorded by this instant "
                             "(RFC 3339, e.g. 2026-03-31T00:00:00Z)")
    parser.add_argument("--page-size", dest="page_size", type=int, default=50, help="projects per request")
    args = parser.parse_args(argv)

    if not args.token:
        print("follow_up_csv: no token: pass --token or set SAMVERKAN_TOKEN "
              "(e.g. `samverkan token --role reader`)", file=sys.stderr)
    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    try:
        collected = list(rows(args))
    except ApiError as e:
        print("follow_up_csv: %s" % e, file=sys.stderr)
        return 1
    writer.writeheader()
    for row in collected:
        writer.writerow({k: cell(k, row.get(k, "")) for k in COLUMNS})
    return 0


if __name__ == "__main__":
    sys.exit(main())

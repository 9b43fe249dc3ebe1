//! Open data through the real binary (`serve --demo --publish-open-data`):
//! the DCAT-AP-SE catalogue at `/open-data/catalog.jsonld` is read without a
//! token, parses as JSON-LD and conforms to the DCAT-AP 2.1.1 SHACL shapes
//! (pyshacl, shapes vendored in `fixtures/dcat-ap/`), while the same catalogue
//! without a dataset's title does not; DCAT-AP-SE's mandatory properties are
//! asserted here too (its own specification publishes no SHACL shapes). Its
//! CSV and JSON distributions agree with the GraphQL dashboard's funding and
//! project lists; a draft's figures never appear; without the flag every
//! path is 404.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::helpers::{
    co_financing, commit_co_financing, data, draft_application, mutate_as, python_with, spawn, spawn_with_env, Server,
    BIN,
};

const PUBLIC: &str = "https://data.samverkan.example.se";
const PUBLISHER: &str = "Vänersborgs kommun";
const PUBLISHER_URI: &str = "https://www.vanersborg.se/";
const CONTACT_NAME: &str = "Vänersborgs kommun, kommunledningsförvaltningen";
const CONTACT_EMAIL: &str = "oppna.data@vanersborg.example.se";
const FILES: [&str; 5] = [
    "catalog.jsonld",
    "projects.csv",
    "projects.json",
    "grants.csv",
    "grants.json",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/fixtures/dcat-ap")
}

/// A Python with `pyshacl` (the pinned `fixtures/dcat-ap/requirements.txt`).
fn python() -> Option<PathBuf> {
    python_with(
        "pyshacl, rdflib",
        "dcat-ap-venv",
        "tests/e2e/fixtures/dcat-ap/requirements.txt",
    )
}

/// Validates `catalogue` against the DCAT-AP 2.1.1 shapes: (conforms, report).
fn shacl(py: &Path, dir: &Path, name: &str, catalogue: &Value) -> (bool, String) {
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_vec(catalogue).unwrap()).unwrap();
    let out = Command::new(py)
        .arg(fixtures().join("validate.py"))
        .arg(&file)
        .arg(fixtures().join("dcat-ap_2.1.1_shacl_shapes.ttl"))
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) => (true, report),
        Some(1) => (false, report),
        _ => panic!("the validator failed: {report}"),
    }
}

async fn get(server: &Server, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap()
}

fn languages(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or(&vec![])
        .iter()
        .filter(|l| l["@value"].as_str().is_some_and(|s| !s.is_empty()))
        .map(|l| l["@language"].as_str().unwrap().to_string())
        .collect()
}

fn id(v: &Value) -> &str {
    v["@id"].as_str().unwrap_or("")
}

/// The catalogue and each dataset name the configured publisher and contact point.
fn assert_publisher(catalogue: &Value, name: &str, uri: &str, contact: &str, email: &str) {
    let datasets = catalogue["dcat:dataset"].as_array().unwrap();
    for publisher in std::iter::once(&catalogue["dct:publisher"]).chain(datasets.iter().map(|d| &d["dct:publisher"])) {
        assert_eq!(publisher["foaf:name"], name, "{publisher}");
        assert_eq!(id(publisher), uri, "{publisher}");
    }
    for d in datasets {
        assert_eq!(d["dcat:contactPoint"]["vcard:fn"], contact, "{d}");
        assert_eq!(
            id(&d["dcat:contactPoint"]["vcard:hasEmail"]),
            format!("mailto:{email}"),
            "{d}"
        );
    }
}

/// DCAT-AP-SE's mandatory (and the task's required) properties.
fn assert_dcat_ap_se(catalogue: &Value) {
    let both: BTreeSet<String> = ["en", "sv"].map(String::from).into();
    assert_eq!(catalogue["@type"], "dcat:Catalog");
    assert_eq!(languages(&catalogue["dct:title"]), both);
    assert_eq!(languages(&catalogue["dct:description"]), both);
    assert_eq!(catalogue["dct:publisher"]["@type"], "foaf:Agent");
    assert!(catalogue["dct:publisher"]["foaf:name"]
        .as_str()
        .is_some_and(|n| !n.is_empty()));
    assert!(id(&catalogue["dct:license"]).starts_with("http://creativecommons.org/"));
    let datasets = catalogue["dcat:dataset"].as_array().unwrap();
    assert_eq!(datasets.len(), 2);
    for d in datasets {
        assert_eq!(d["@type"], "dcat:Dataset");
        assert_eq!(languages(&d["dct:title"]), both, "{d}");
        assert_eq!(languages(&d["dct:description"]), both, "{d}");
        assert!(d["dct:publisher"]["foaf:name"].as_str().is_some());
        assert!(d["dcat:contactPoint"]["vcard:fn"].as_str().is_some());
        assert!(id(&d["dcat:contactPoint"]["vcard:hasEmail"]).starts_with("mailto:"));
        assert_eq!(
            id(&d["dcat:theme"]),
            "http://publications.europa.eu/resource/authority/data-theme/GOVE"
        );
        assert!(!d["dcat:keyword"].as_array().unwrap().is_empty());
        for t in ["dct:issued", "dct:modified"] {
            assert_eq!(d[t]["@type"], "xsd:dateTime", "{t}");
        }
        assert_eq!(
            id(&d["dct:accessRights"]),
            "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
        );
        let spatial = d["dct:spatial"].as_array().unwrap();
        // The demo has Swedish and Norwegian (ARKO) municipalities.
        for c in ["SWE", "NOR"] {
            let uri = format!("http://publications.europa.eu/resource/authority/country/{c}");
            assert!(spatial.iter().any(|s| id(s) == uri), "{c}");
        }
        assert!(spatial
            .iter()
            .any(|s| s["dct:identifier"] == "SE-1784" && s["skos:prefLabel"]["@value"] == "Arvika"));
        let distributions = d["dcat:distribution"].as_array().unwrap();
        let formats: BTreeSet<&str> = distributions.iter().map(|x| id(&x["dct:format"])).collect();
        assert_eq!(
            formats,
            BTreeSet::from([
                "http://publications.europa.eu/resource/authority/file-type/CSV",
                "http://publications.europa.eu/resource/authority/file-type/JSON"
            ])
        );
        for x in distributions {
            assert!(
                id(&x["dcat:accessURL"]).starts_with(&format!("{PUBLIC}/open-data/")),
                "{x}"
            );
            assert_eq!(id(&x["dcat:accessURL"]), id(&x["dcat:downloadURL"]));
            assert!(id(&x["dcat:mediaType"]).starts_with("http://www.iana.org/assignments/media-types/"));
            assert!(!id(&x["dct:license"]).is_empty());
        }
    }
}

fn minor(v: &Value) -> i128 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        Value::Number(n) => n.as_i64().unwrap().into(),
        other => panic!("not an amount: {other}"),
    }
}

/// (year, programme, currency, granted, co-financing) of the dashboard's
/// funding, as `token` sees it.
async fn dashboard_funding(server: &Server, token: &str, m: &str) -> BTreeSet<(i64, String, String, i128, i128)> {
    let body = server
        .gql_as(
            token,
            "query($m: MunicipalityCode!) { dashboard(municipality: $m) { funding {
               year programme currency granted { amountMinor } coFinancing { amountMinor } } } }",
            json!({ "m": m }),
        )
        .await;
    data(&body)["dashboard"]["funding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["year"].as_i64().unwrap(),
                l["programme"].as_str().unwrap().to_lowercase(),
                l["currency"].as_str().unwrap().to_string(),
                minor(&l["granted"]["amountMinor"]),
                minor(&l["coFinancing"]["amountMinor"]),
            )
        })
        .collect()
}

/// The same lines from `grants.json` for `m`.
fn open_funding(grants: &[Value], m: &str) -> BTreeSet<(i64, String, String, i128, i128)> {
    grants
        .iter()
        .filter(|g| g["municipality"] == m)
        .map(|g| {
            (
                g["year"].as_i64().unwrap(),
                g["programme_kind"].as_str().unwrap().replace('_', ""),
                g["currency"].as_str().unwrap().to_string(),
                minor(&g["granted_minor"]),
                minor(&g["co_financing_minor"]),
            )
        })
        .collect()
}

fn without_underscores(
    set: BTreeSet<(i64, String, String, i128, i128)>,
) -> BTreeSet<(i64, String, String, i128, i128)> {
    set.into_iter()
        .map(|(y, p, c, g, f)| (y, p.replace('_', ""), c, g, f))
        .collect()
}

async fn json_file(server: &Server, file: &str) -> Vec<Value> {
    let r = get(server, &format!("/open-data/{file}")).await;
    assert_eq!(r.status(), 200, "{file}");
    r.json::<Vec<Value>>().await.unwrap()
}

#[tokio::test]
async fn the_open_data_catalogue_is_valid_dcat_ap_and_its_distributions_agree_with_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    // The publisher and contact point as a real deployment configures them:
    // flags for some, the environment for the others.
    let server = spawn_with_env(
        dir.path(),
        &[
            "--demo",
            "--publish-open-data",
            "--public-url",
            PUBLIC,
            "--open-data-publisher",
            PUBLISHER,
            "--open-data-contact-email",
            CONTACT_EMAIL,
        ],
        &[
            ("SAMVERKAN_OPEN_DATA_PUBLISHER_URI", PUBLISHER_URI),
            ("SAMVERKAN_OPEN_DATA_CONTACT_NAME", CONTACT_NAME),
        ],
    );
    let admin = server.admin_token.clone().unwrap();
    // A reader of no drafts: open data is compared with what it sees.
    let reader = server.token("reader", None);

    // No token: open data is harvested anonymously.
    let response = get(&server, "/open-data/catalog.jsonld").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/ld+json");
    let catalogue: Value = response.json().await.unwrap();
    assert_dcat_ap_se(&catalogue);
    assert_publisher(&catalogue, PUBLISHER, PUBLISHER_URI, CONTACT_NAME, CONTACT_EMAIL);
    let text = catalogue.to_string();
    assert!(
        !text.contains("samverkan.invalid") && !text.contains("/open-data/publisher"),
        "{text}"
    );

    if let Some(py) = python() {
        let (conforms, report) = shacl(&py, dir.path(), "catalog.jsonld", &catalogue);
        assert!(conforms, "{report}");
        assert!(report.contains("Conforms: True"), "{report}");
        // The same validation fails a catalogue whose dataset has no title.
        let mut broken = catalogue.clone();
        broken["dcat:dataset"][0].as_object_mut().unwrap().remove("dct:title");
        let (conforms, report) = shacl(&py, dir.path(), "broken.jsonld", &broken);
        assert!(!conforms, "{report}");
        assert!(report.contains("dct:title"), "{report}");
    }

    // Every distribution's download URL answers under the server's own base.
    for d in catalogue["dcat:dataset"].as_array().unwrap() {
        for x in d["dcat:distribution"].as_array().unwrap() {
            let path = id(&x["dcat:downloadURL"]).strip_prefix(PUBLIC).unwrap().to_string();
            let r = get(&server, &path).await;
            assert_eq!(r.status(), 200, "{path}");
            let media = r.headers()["content-type"].to_str().unwrap().to_string();
            let file = path.rsplit('/').next().unwrap();
            assert!(
                r.headers()["content-disposition"]
                    .to_str()
                    .unwrap()
                    .contains(&format!("filename=\"{file}\"")),
                "{path}"
            );
            if path.ends_with(".csv") {
                assert!(media.starts_with("text/csv"), "{media}");
                let text = r.text().await.unwrap();
                let mut reader = csv::Reader::from_reader(text.as_bytes());
                assert!(reader.headers().unwrap().iter().any(|h| h == "municipality"));
                assert!(reader.records().count() > 0, "{path}");
            } else {
                assert_eq!(media, "application/json");
            }
        }
    }

    // Grants agree with the dashboard's funding for municipalities with
    // grants in SEK and NOK (Arvika leads ecoINSIDE 2 across the border).
    let grants = json_file(&server, "grants.json").await;
    for m in ["SE-1784", "SE-1494", "SE-1487", "NO-3401"] {
        let dashboard = without_underscores(dashboard_funding(&server, &reader, m).await);
        assert!(!dashboard.is_empty(), "{m}");
        assert_eq!(open_funding(&grants, m), dashboard, "{m}");
    }
    // The CSV holds the same grant lines as the JSON.
    let text = get(&server, "/open-data/grants.csv").await.text().await.unwrap();
    assert_eq!(
        csv::Reader::from_reader(text.as_bytes()).records().count(),
        grants.len()
    );

    // Projects: the same projects per municipality as the GraphQL list; a
    // cross-border project has one row per side, in the side's own currency.
    let projects = json_file(&server, "projects.json").await;
    let mut sided = 0;
    for m in ["SE-1784", "SE-1494"] {
        let body = server
            .gql_as(
                &admin,
                "query($m: MunicipalityCode!) { projects(filter: {municipality: $m}, first: 500) { edges { node {
                   id sides { budget { country total { amountMinor currency } } decision { granted { amountMinor } } } } } } }",
                json!({ "m": m }),
            )
            .await;
        let nodes: Vec<Value> = data(&body)["projects"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .collect();
        let listed: BTreeSet<String> = nodes.iter().map(|n| n["id"].as_str().unwrap().to_string()).collect();
        let rows = |pid: &str| -> Vec<&Value> {
            projects
                .iter()
                .filter(|p| p["municipality"] == m && p["project_id"] == pid)
                .collect()
        };
        let open: BTreeSet<String> = projects
            .iter()
            .filter(|p| p["municipality"] == m)
            .map(|p| p["project_id"].as_str().unwrap().to_string())
            .collect();
        assert!(!listed.is_empty(), "{m}");
        assert_eq!(open, listed, "{m}");
        for n in nodes.iter().filter(|n| !n["sides"].as_array().unwrap().is_empty()) {
            sided += 1;
            let want: BTreeSet<(String, i128, i128, String)> = n["sides"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    let granted = &s["decision"]["granted"];
                    (
                        s["budget"]["country"].as_str().unwrap().to_string(),
                        minor(&s["budget"]["total"]["amountMinor"]),
                        if granted.is_null() {
                            0
                        } else {
                            minor(&granted["amountMinor"])
                        },
                        s["budget"]["total"]["currency"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let got: BTreeSet<(String, i128, i128, String)> = rows(n["id"].as_str().unwrap())
                .iter()
                .map(|r| {
                    (
                        r["side"].as_str().unwrap().to_string(),
                        minor(&r["budget_minor"]),
                        minor(&r["grant_minor"]),
                        r["currency"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            assert_eq!(got, want, "{m} {}", n["id"]);
        }
    }
    assert!(sided > 0, "ecoINSIDE 2 has sides");
}

#[tokio::test]
async fn a_drafts_figures_never_appear_in_open_data_and_without_the_flag_it_is_not_there() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path(), &["--demo", "--publish-open-data"]);
    let v6 = server.token("coordinator", Some("V6"));
    let arko = server.token("coordinator", Some("ARKO"));
    let lidkoping = server.token("officer", Some("SE-1494"));
    let reader = server.token("reader", None);
    let draft = mutate_as(
        &server,
        &v6,
        "draftApplication",
        "DraftApplicationInput",
        draft_application("Öppna datas utkast"),
        "application { id }",
    )
    .await;
    let app = draft["application"]["id"].as_str().unwrap().to_string();
    commit_co_financing(
        &server,
        &lidkoping,
        co_financing(&app, "SE-1494", 300_000, "KS 2026/778"),
    )
    .await;

    // Lidköping sees its commitment to the draft; others and open data do not.
    let own = without_underscores(dashboard_funding(&server, &lidkoping, "SE-1494").await);
    let others = without_underscores(dashboard_funding(&server, &reader, "SE-1494").await);
    assert_eq!(
        without_underscores(dashboard_funding(&server, &arko, "SE-1494").await),
        others
    );
    assert_ne!(own, others);
    let grants = json_file(&server, "grants.json").await;
    assert_eq!(open_funding(&grants, "SE-1494"), others);
    for file in ["projects.json", "projects.csv", "grants.csv", "catalog.jsonld"] {
        let text = get(&server, &format!("/open-data/{file}")).await.text().await.unwrap();
        assert!(!text.contains("Öppna datas utkast") && !text.contains(&app), "{file}");
    }
    // Without --public-url the links start with the request's Host.
    let catalogue: Value = get(&server, "/open-data/catalog.jsonld").await.json().await.unwrap();
    // Without the --open-data-* flags the placeholders stand (docs/operations.md).
    let base = server.base.clone();
    assert_publisher(
        &catalogue,
        "Samverkan",
        &format!("{base}/open-data/publisher"),
        "Samverkan",
        "opendata@samverkan.invalid",
    );
    let url = id(&catalogue["dcat:dataset"][0]["dcat:distribution"][0]["dcat:accessURL"]).to_string();
    assert!(url.starts_with(&format!("{}/open-data/", server.base)), "{url}");
    // An unknown file is a typed 404.
    let r = get(&server, "/open-data/secrets.csv").await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    server.terminate();

    // The same data directory served without --publish-open-data: 404 everywhere.
    let server = spawn(dir.path(), &[]);
    for file in FILES {
        let r = get(&server, &format!("/open-data/{file}")).await;
        assert_eq!(r.status(), 404, "{file}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{file}");
    }
}

/// A bad publisher setting stops `serve` before it listens, with a plain
/// sentence naming the flag, and leaves the data directory untouched.
#[test]
fn a_bad_open_data_contact_e_mail_or_publisher_is_refused_at_startup() {
    let dir = tempfile::tempdir().unwrap();
    let serve = |args: &[&str], env: &[(&str, &str)]| {
        Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--publish-open-data", "--data-dir"])
            .arg(dir.path())
            .args(args)
            .env("RUST_LOG", "off")
            .env_remove("SAMVERKAN_STORE_URL")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    // (flags, environment, what stderr must say)
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 5] = [
        (
            &["--open-data-contact-email", "oppna.data.vanersborg.se"],
            &[],
            "`oppna.data.vanersborg.se` is not an e-mail address: it has no `@`",
        ),
        (
            &[],
            &[("SAMVERKAN_OPEN_DATA_CONTACT_EMAIL", "oppna data@vanersborg.se")],
            "`oppna data@vanersborg.se` is not an e-mail address: the part before `@`",
        ),
        (
            &["--open-data-contact-email", "data@vanersborg"],
            &[],
            "is not an e-mail address: the part after `@` must be a domain name with a dot",
        ),
        (&["--open-data-publisher", "  "], &[], "the name must not be blank"),
        (
            &["--open-data-publisher-uri", "www.vanersborg.se"],
            &[],
            "the publisher URI must start with https:// or http://",
        ),
    ];
    for (args, env, want) in cases {
        let out = serve(args, env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?} {env:?}: {stderr}");
        assert!(stderr.contains("--open-data-"), "the flag is named: {stderr}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing was written");
}

//! Open data: a DCAT-AP-SE catalogue (JSON-LD) of the public read models and
//! its CSV and JSON distributions, served without a token when the server
//! publishes them (`serve --publish-open-data`; 404 otherwise).
//!
//! | path                            | what                                  |
//! |---------------------------------|---------------------------------------|
//! | `/open-data/catalog.jsonld`     | the `dcat:Catalog` (`application/ld+json`) |
//! | `/open-data/projects.csv`, `.json` | projects per municipality and programme |
//! | `/open-data/grants.csv`, `.json`   | funding per municipality, programme, year and currency |
//!
//! The rows come from
//! [`ReadModels::open_projects`](samverkan_app::ReadModels::open_projects) and
//! [`open_grants`](samverkan_app::ReadModels::open_grants): no drafts.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use samverkan_app::ReadModels;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::ApiError;

/// Whether and where open data is published.
#[derive(Debug, Clone, Default)]
pub struct OpenData {
    /// The public base URL the catalogue's links start with, e.g.
    /// `https://samverkan.example.se` (`None`: from the request's `Host`).
    pub public_url: Option<String>,
    /// Who publishes the catalogue and whom to ask about it.
    pub publisher: Publisher,
}

/// The catalogue's publisher (`dct:publisher`) and contact point
/// (`dcat:contactPoint`): `serve --open-data-publisher …` and the other
/// `--open-data-*` flags. The defaults are placeholders for a test
/// deployment, not for one that is harvested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// The organisation's name (`foaf:name`), e.g. `Arvika kommun`.
    pub name: String,
    /// The organisation's URI (the agent's `@id`), e.g. its website or its
    /// entry in an authority register; `None`: `{base}/open-data/publisher`.
    pub uri: Option<String>,
    /// The contact point's name (`vcard:fn`); `None`: the publisher's name.
    pub contact_name: Option<String>,
    /// The contact point's e-mail address (`vcard:hasEmail`, as `mailto:`).
    pub contact_email: String,
}

/// The placeholder publisher name when none is configured.
pub const DEFAULT_PUBLISHER: &str = "Samverkan";
/// The placeholder contact e-mail when none is configured (`.invalid`: it
/// reaches nobody, RFC 2606).
pub const DEFAULT_CONTACT_EMAIL: &str = "opendata@samverkan.invalid";

impl Default for Publisher {
    fn default() -> Self {
        Publisher {
            name: DEFAULT_PUBLISHER.to_string(),
            uri: None,
            contact_name: None,
            contact_email: DEFAULT_CONTACT_EMAIL.to_string(),
        }
    }
}

/// A name for the catalogue (publisher or contact): trimmed, not blank, no
/// control characters. The error is a plain sentence.
pub fn parse_name(s: &str) -> Result<String, String> {
    let name = s.trim();
    if name.is_empty() {
        return Err("the name must not be blank".to_string());
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "the name `{}` contains a control character",
            name.escape_debug()
        ));
    }
    if name.chars().count() > 200 {
        return Err("the name is longer than 200 characters".to_string());
    }
    Ok(name.to_string())
}

/// An e-mail address for the contact point (`local@domain.tld`, as a
/// `mailto:` URI can carry it unescaped). The error is a plain sentence.
pub fn parse_email(s: &str) -> Result<String, String> {
    let email = s.trim();
    let refuse = |why: &str| Err(format!("`{}` is not an e-mail address: {why}", email.escape_debug()));
    if email.starts_with("mailto:") {
        return refuse("give the address without `mailto:`");
    }
    if email.len() > 254 {
        return refuse("it is longer than 254 characters");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return refuse("it has no `@`");
    };
    if domain.contains('@') {
        return refuse("it has more than one `@`");
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    if local.is_empty()
        || local.len() > 64
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
        || !local.chars().all(|c| c == '.' || atext(c))
    {
        return refuse(
            "the part before `@` is empty or longer than 64 characters, has a character an address cannot have \
             (a space, a comma, a quote, brackets, a non-ASCII letter), or has a leading, trailing or double dot",
        );
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return refuse("the part after `@` must be a domain name with a dot, e.g. `arvika.se`");
    }
    Ok(email.to_string())
}

/// An absolute `https://` or `http://` URI naming the publisher. The error
/// is a plain sentence.
pub fn parse_uri(s: &str) -> Result<String, String> {
    let uri = s.trim();
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .ok_or_else(|| {
            format!(
                "the publisher URI must start with https:// or http://, not `{}`",
                uri.escape_debug()
            )
        })?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || uri
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}".contains(c))
    {
        return Err(format!(
            "`{}` is not an absolute URI with a host (and without spaces, quotes or angle brackets)",
            uri.escape_debug()
        ));
    }
    Ok(uri.to_string())
}

const LICENSE: &str = "http://creativecommons.org/publicdomain/zero/1.0/";

/// A dataset: (file stem, Swedish title, English title, Swedish
/// description, English description, keywords).
type DatasetText = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// The two datasets.
const DATASETS: [DatasetText; 2] = [
    (
        "projects",
        "Samverkansprojekt per kommun och program",
        "Cooperation projects per municipality and programme",
        "Registrerade samverkansprojekt med projektägare (lead), kommunens roll, program, period, status, \
         budget och beviljat stöd i minsta valutaenhet (öre, cent) med valuta; ett gränsöverskridande \
         projekt har en rad per budgetsida i sidans egen valuta.",
        "Registered cooperation projects with their lead, the municipality's role, programme, period, \
         status, budget and grant in minor units with currency; a cross-border project has one row per \
         budget side in that side's own currency.",
        &["samverkan", "projekt", "kommun", "EU-finansiering", "Interreg"],
    ),
    (
        "grants",
        "Beviljat stöd per kommun, program och år",
        "Grants per municipality, programme and year",
        "Externt stöd som kommunen beviljats som projektägare och egen medfinansiering, per beslutsår, \
         program och valuta, i minsta valutaenhet; samma belopp som uppföljningsrapporten.",
        "External funding granted with the municipality as lead and its own co-financing committed, per \
         year of decision, programme and currency, in minor units; the same figures as the follow-up report.",
        &["bidrag", "medfinansiering", "kommun", "EU-finansiering", "uppföljning"],
    ),
];

/// `https://host` from the configuration, else `http://{Host}`.
fn base_url(config: &OpenData, headers: &HeaderMap) -> Result<String, ApiError> {
    if let Some(url) = &config.public_url {
        return Ok(url.trim_end_matches('/').to_string());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .ok_or_else(|| {
            ApiError::validation(
                "host_header",
                "the request has no usable Host header; configure --public-url (SAMVERKAN_PUBLIC_URL)",
            )
        })?;
    Ok(format!("http://{host}"))
}

fn lang(sv: &str, en: &str) -> Value {
    json!([{ "@value": sv, "@language": "sv" }, { "@value": en, "@language": "en" }])
}

fn date_time(t: chrono::DateTime<chrono::Utc>) -> Value {
    json!({ "@value": t.to_rfc3339_opts(SecondsFormat::Secs, true), "@type": "xsd:dateTime" })
}

/// The catalogue as JSON-LD (DCAT-AP-SE 2.x / DCAT-AP 2.1.1).
pub fn catalogue(base: &str, publisher: &Publisher, models: &ReadModels) -> Value {
    let projects = models.open_projects();
    let first = projects.iter().map(|r| r.registered_at).min();
    let last = projects.iter().map(|r| r.registered_at).max();
    // The countries of the municipalities (the EU country table's
    // alpha-3 codes), then each municipality.
    let mut countries = std::collections::BTreeSet::from(["SWE"]);
    for code in models.municipality_codes() {
        let alpha3 = match code.to_string().get(..2) {
            Some("NO") => "NOR",
            Some("DK") => "DNK",
            Some("FI") => "FIN",
            _ => "SWE",
        };
        countries.insert(alpha3);
    }
    let mut spatial: Vec<Value> = countries
        .iter()
        .map(|c| json!({ "@id": format!("http://publications.europa.eu/resource/authority/country/{c}") }))
        .collect();
    for code in models.municipality_codes() {
        let name = models.municipality(&code, None).map(|m| m.name).unwrap_or_default();
        spatial.push(json!({
            "@type": "dct:Location",
            "dct:identifier": code.to_string(),
            "skos:prefLabel": { "@value": name, "@language": "sv" },
        }));
    }
    let contact = json!({
        "@id": format!("{base}/open-data/contact"),
        "@type": "vcard:Organization",
        "vcard:fn": publisher.contact_name.as_deref().unwrap_or(&publisher.name),
        "vcard:hasEmail": { "@id": format!("mailto:{}", publisher.contact_email) },
    });
    let publisher = json!({
        "@id": publisher.uri.clone().unwrap_or_else(|| format!("{base}/open-data/publisher")),
        "@type": "foaf:Agent",
        "foaf:name": publisher.name,
    });
    let datasets: Vec<Value> = DATASETS
        .iter()
        .map(|(stem, title_sv, title_en, desc_sv, desc_en, keywords)| {
            let distribution = |ext: &str, file_type: &str, media: &str| {
                let url = format!("{base}/open-data/{stem}.{ext}");
                json!({
                    "@id": format!("{url}#distribution"),
                    "@type": "dcat:Distribution",
                    "dct:title": lang(&format!("{title_sv} ({})", ext.to_uppercase()), &format!("{title_en} ({})", ext.to_uppercase())),
                    "dcat:accessURL": { "@id": url },
                    "dcat:downloadURL": { "@id": url },
                    "dct:format": { "@id": format!("http://publications.europa.eu/resource/authority/file-type/{file_type}") },
                    "dcat:mediaType": { "@id": format!("http://www.iana.org/assignments/media-types/{media}") },
                    "dct:license": { "@id": LICENSE },
                })
            };
            let mut d = json!({
                "@id": format!("{base}/open-data/{stem}"),
                "@type": "dcat:Dataset",
                "dct:title": lang(title_sv, title_en),
                "dct:description": lang(desc_sv, desc_en),
                "dct:publisher": publisher.clone(),
                "dcat:contactPoint": contact.clone(),
                "dcat:theme": { "@id": "http://publications.europa.eu/resource/authority/data-theme/GOVE" },
                "dcat:keyword": keywords.iter().map(|k| json!({ "@value": k, "@language": "sv" })).collect::<Vec<_>>(),
                "dct:spatial": spatial.clone(),
                "dct:accessRights": { "@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC" },
                "dcat:distribution": [distribution("csv", "CSV", "text/csv"), distribution("json", "JSON", "application/json")],
            });
            if let (Some(first), Some(last)) = (first, last) {
                d["dct:issued"] = date_time(first);
                d["dct:modified"] = date_time(last);
            }
            d
        })
        .collect();
    json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": format!("{base}/open-data/catalog"),
        "@type": "dcat:Catalog",
        "dct:title": lang("Samverkans öppna data", "Samverkan open data"),
        "dct:description": lang(
            "Offentliga uppgifter ur Samverkan om kommunernas samverkansprojekt och beviljat stöd.",
            "Public figures from Samverkan on the municipalities' cooperation projects and grants.",
        ),
        "dct:publisher": publisher,
        "dct:license": { "@id": LICENSE },
        "dct:language": { "@id": "http://publications.europa.eu/resource/authority/language/SWE" },
        "foaf:homepage": { "@id": format!("{base}/") },
        "dcat:dataset": datasets,
    })
}

fn csv_body<T: Serialize>(rows: &[T], columns: &[&str]) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if rows.is_empty() {
        w.write_record(columns).map_err(|e| ApiError::internal(e.to_string()))?;
    }
    for r in rows {
        w.serialize(r).map_err(|e| ApiError::internal(e.to_string()))?;
    }
    w.into_inner().map_err(|e| ApiError::internal(e.to_string()))
}

fn file_response(body: Vec<u8>, media: &'static str, name: &str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

const PROJECT_COLUMNS: [&str; 16] = [
    "municipality",
    "role",
    "project_id",
    "title",
    "consortium",
    "lead",
    "programme_kind",
    "programme_name",
    "period_start",
    "period_end",
    "status",
    "side",
    "budget_minor",
    "grant_minor",
    "currency",
    "registered_at",
];
const GRANT_COLUMNS: [&str; 6] = [
    "municipality",
    "year",
    "programme_kind",
    "currency",
    "granted_minor",
    "co_financing_minor",
];

/// `GET /open-data/{file}`: the catalogue or one distribution.
pub fn serve(config: &OpenData, models: &ReadModels, file: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let json_err = |e: serde_json::Error| ApiError::internal(e.to_string());
    Ok(match file {
        "catalog.jsonld" => {
            let base = base_url(config, headers)?;
            let body = serde_json::to_vec(&catalogue(&base, &config.publisher, models)).map_err(json_err)?;
            let mut r = file_response(body, "application/ld+json", "catalog.jsonld");
            r.headers_mut().remove(header::CONTENT_DISPOSITION);
            r
        }
        "projects.json" => file_response(
            serde_json::to_vec(&models.open_projects()).map_err(json_err)?,
            "application/json",
            "projects.json",
        ),
        "projects.csv" => file_response(
            csv_body(&models.open_projects(), &PROJECT_COLUMNS)?,
            "text/csv; charset=utf-8; header=present",
            "projects.csv",
        ),
        "grants.json" => file_response(
            serde_json::to_vec(&models.open_grants(None)).map_err(json_err)?,
            "application/json",
            "grants.json",
        ),
        "grants.csv" => file_response(
            csv_body(&models.open_grants(None), &GRANT_COLUMNS)?,
            "text/csv; charset=utf-8; header=present",
            "grants.csv",
        ),
        other => {
            return Err(ApiError::not_found(format!(
                "no open-data file `{other}`: there are catalog.jsonld, projects.csv, projects.json, grants.csv and grants.json"
            )))
        }
    })
}

//! GraphiQL works offline: the page references only same-origin assets, the
//! binary serves them byte for byte as vendored, and the query the editor
//! opens with runs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use samverkan_app::{demo, Commands};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::helpers::{officer, spawn_app, TestApp};

/// A version string each vendored script must contain (GraphiQL's bundle
/// states no version; its SHA-256 pins it).
const EXPECTED_VERSIONS: &[(&str, &str)] = &[
    ("/graphql/assets/react-18.3.1/react.production.min.js", "18.3.1"),
    ("/graphql/assets/react-dom-18.3.1/react-dom.production.min.js", "18.3.1"),
];

fn assets_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/graphiql")
}

/// `SHA256SUMS`: path (relative to the assets directory) → hex digest.
fn recorded_sha256() -> BTreeMap<String, String> {
    std::fs::read_to_string(assets_dir().join("SHA256SUMS"))
        .expect("SHA256SUMS")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (sum, path) = l.split_once("  ").expect("`<sha256>  <path>`");
            (path.to_string(), sum.to_string())
        })
        .collect()
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = app
        .router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).expect("request"))
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, headers, body.to_vec())
}

async fn page(app: &TestApp) -> (HeaderMap, String) {
    let (status, headers, body) = get(app, "/graphql").await;
    assert_eq!(status, StatusCode::OK);
    (headers, String::from_utf8(body).expect("UTF-8"))
}

/// Every `src="…"` and `href="…"` of the page.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in [" src=\"", " href=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').expect("closing quote");
            found.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    found
}

/// The page's JSON data block, which the bootstrap script reads.
fn config(html: &str) -> Value {
    let marker = "<script type=\"application/json\" id=\"samverkan-graphiql-config\">";
    let start = html.find(marker).expect("the config block") + marker.len();
    let end = start + html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..end]).expect("JSON")
}

#[tokio::test]
async fn graphiql_page_references_only_same_origin_assets() {
    let app = spawn_app().await;
    let (headers, html) = page(&app).await;
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");

    assert!(!html.contains("://"), "the page names no other origin (no CDN): {html}");
    let refs = references(&html);
    assert!(refs.len() >= 5, "scripts, styles and licences: {refs:?}");
    for r in &refs {
        assert!(
            r.starts_with("/graphql/assets/") && !r.starts_with("//"),
            "a same-origin asset path: {r}"
        );
    }
    for needed in [
        "/graphql/assets/react-18.3.1/react.production.min.js",
        "/graphql/assets/react-dom-18.3.1/react-dom.production.min.js",
        "/graphql/assets/graphiql-3.8.3/graphiql.min.js",
        "/graphql/assets/graphiql-3.8.3/graphiql.min.css",
        "/graphql/assets/samverkan-graphiql.js",
    ] {
        assert!(refs.iter().any(|r| r == needed), "the page loads {needed}");
    }

    // No inline script: every <script> has a src, or is the JSON data block.
    let mut rest = html.as_str();
    while let Some(i) = rest.find("<script") {
        let tag_end = rest[i..].find('>').expect("tag end");
        let tag = &rest[i..i + tag_end];
        assert!(
            tag.contains(" src=\"") || tag.contains("type=\"application/json\""),
            "an inline script: {tag}"
        );
        rest = &rest[i + tag_end..];
    }

    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().expect("ASCII");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {csp}"))
            .to_string()
    };
    assert_eq!(directive("default-src"), "default-src 'none'");
    assert_eq!(directive("script-src"), "script-src 'self'");
    assert!(directive("connect-src").contains("'self'"));
    assert_eq!(directive("frame-ancestors"), "frame-ancestors 'none'");
    assert!(!csp.contains("http"), "no other origin allowed: {csp}");

    // The editor opens with the headers the token goes in.
    let config = config(&html);
    let headers_text = config["defaultHeaders"].as_str().expect("headers");
    let headers_json: Value = serde_json::from_str(headers_text).expect("the headers are JSON");
    assert_eq!(headers_json["Authorization"], "Bearer <paste your token here>");
    let query = config["defaultQuery"].as_str().expect("query");
    assert!(query.contains("samverkan serve --demo") && query.contains("samverkan token"));
}

#[tokio::test]
async fn graphiql_assets_are_served_from_the_binary() {
    let app = spawn_app().await;
    let (_, html) = page(&app).await;
    let sums = recorded_sha256();
    let mut checked = 0;
    for path in references(&html) {
        // No token: the page and its assets are open.
        let (status, headers, body) = get(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let file = path.strip_prefix("/graphql/assets/").expect("an asset path");
        let on_disk = std::fs::read(assets_dir().join(file)).expect("the vendored file");
        assert!(body == on_disk, "{path} is served byte for byte as vendored");

        let content_type = headers[header::CONTENT_TYPE].to_str().expect("ASCII");
        let expected = if file.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else if file.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/plain; charset=utf-8"
        };
        assert_eq!(content_type, expected, "{path}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

        let cache = headers[header::CACHE_CONTROL].to_str().expect("ASCII");
        if let Some(sum) = sums.get(file) {
            // Vendored: the path names the version, so it never changes.
            assert_eq!(cache, "public, max-age=31536000, immutable", "{path}");
            let actual = format!("{:x}", Sha256::digest(&body));
            assert_eq!(&actual, sum, "{path} has the SHA-256 SHA256SUMS records");
            checked += 1;
        } else {
            assert!(
                file.starts_with("samverkan-"),
                "only Samverkan's own files are not in SHA256SUMS: {file}"
            );
            assert_eq!(cache, "no-cache", "{path}");
        }
    }
    assert_eq!(checked, sums.len(), "the page links every vendored file");

    for (path, version) in EXPECTED_VERSIONS {
        let (status, _, body) = get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            String::from_utf8_lossy(&body).contains(version),
            "{path} is version {version}"
        );
    }

    let (status, _, _) = get(&app, "/graphql/assets/nothing.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(&app, "/graphql/assets/../Cargo.toml").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn graphiql_example_query_runs_on_the_demo_data() {
    let app = spawn_app().await;
    let loaded = demo::load(&Commands::new(app.store.clone())).await.expect("demo data");
    let (_, html) = page(&app).await;
    let config = config(&html);
    let query = config["defaultQuery"].as_str().expect("query");

    // Wait for the read models, then run the example exactly as the page has it,
    // with a Lidköping officer's token where the placeholder is.
    let caught_up = app
        .gql(
            "query($p: Position!) { municipality(code: \"SE-1494\", atLeastPosition: $p) { name } }",
            json!({ "p": loaded.last_position }),
        )
        .await;
    assert_eq!(caught_up.data()["municipality"]["name"], "Lidköping");

    let headers_text = config["defaultHeaders"]
        .as_str()
        .expect("headers")
        .replace("<paste your token here>", &officer("SE-1494"));
    let headers: Value = serde_json::from_str(&headers_text).expect("headers");
    let authorization = headers["Authorization"].as_str().expect("Authorization");
    let r = app
        .post_raw(json!({ "query": query }), &[("authorization", authorization)])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let dashboard = &r.data()["dashboard"];
    assert_eq!(dashboard["municipality"]["code"], "SE-1494");
    assert_eq!(dashboard["municipality"]["name"], "Lidköping");
    assert!(
        !dashboard["memberships"].as_array().expect("memberships").is_empty(),
        "Lidköping is in V6: {dashboard:#}"
    );
    assert!(
        !dashboard["projects"].as_array().expect("projects").is_empty(),
        "the demo's V6 project led by Lidköping: {dashboard:#}"
    );

    // Without a token (the placeholder as it stands) it is refused.
    let r = app
        .post_raw(
            json!({ "query": query }),
            &[("authorization", "Bearer <paste your token here>")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

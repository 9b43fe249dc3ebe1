//! The web app (dashboards for municipalities and coordinators), served from
//! the binary: the page at `GET /` and its files at `GET /web/…`, plain HTML,
//! CSS and ES modules embedded with `include_bytes!` (no build step, no CDN;
//! see `docs/architecture.md`). The page talks only to the public GraphQL
//! endpoint (`POST /graphql`, `graphql-transport-ws` at `/graphql/ws`) with
//! the user's bearer token.
//!
//! With `serve --demo` the server also answers `GET /demo/tokens` with the
//! demo's sign-in tokens (the ones it printed, and a reader's), so that the
//! sign-in page can offer the demo roles; without `--demo` that route is 404.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

/// The page's Content-Security-Policy: only the server itself, no inline
/// script or style, websockets for the live updates.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($file:literal, $content_type:expr) => {
        Asset {
            path: concat!("/web/", $file),
            content_type: $content_type,
            bytes: include_bytes!(concat!("../assets/web/", $file)),
        }
    };
}

/// Everything served under `/web/`.
const ASSETS: &[Asset] = &[
    asset!("app.js", JS),
    asset!("views.js", JS),
    asset!("rules.js", JS),
    asset!("actions.js", JS),
    asset!("gql.js", JS),
    asset!("i18n.js", JS),
    asset!("format.js", JS),
    asset!("style.css", CSS),
    asset!("icon.svg", SVG),
];

const PAGE: &str = include_str!("../assets/web/index.html");

/// The web app's routes (merged into the API's router).
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(demo_tokens: Option<crate::DemoTokens>) -> Router<S> {
    let router = ASSETS.iter().fold(Router::new(), |router, asset| {
        router.route(asset.path, get(move || async move { serve(asset) }))
    });
    router.route("/", get(page)).route(
        "/demo/tokens",
        get(move || {
            let minted = demo_tokens.as_ref().map(|mint| mint());
            async move { tokens(minted.as_ref()) }
        }),
    )
}

fn serve(asset: &'static Asset) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        asset.bytes,
    )
        .into_response()
}

async fn page() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        ],
        PAGE,
    )
        .into_response()
}

/// `GET /demo/tokens`: `{"tokens": [{"label", "token"}]}` in demo mode, else 404.
fn tokens(demo_tokens: Option<&Vec<(String, String)>>) -> Response {
    let Some(tokens) = demo_tokens else {
        return (StatusCode::NOT_FOUND, Json(json!({ "error": "not in demo mode" }))).into_response();
    };
    let tokens: Vec<_> = tokens
        .iter()
        .map(|(label, token)| json!({ "label": label, "token": token }))
        .collect();
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(json!({ "tokens": tokens })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_under_the_web_path_once() {
        let mut paths: Vec<_> = ASSETS.iter().map(|a| a.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), ASSETS.len());
        assert!(paths.iter().all(|p| p.starts_with("/web/")));
    }

    #[test]
    fn the_demo_tokens_are_there_only_in_demo_mode() {
        assert_eq!(tokens(None).status(), StatusCode::NOT_FOUND);
        let demo = vec![("Reader token".to_string(), "t".to_string())];
        let response = tokens(Some(&demo));
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn the_page_loads_only_its_own_files() {
        assert!(!PAGE.contains("http://") && !PAGE.contains("https://"));
        assert!(!PAGE.contains("<script>"), "no inline script");
    }
}

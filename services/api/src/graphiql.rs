//! GraphiQL, served from the binary: the page at `GET /graphql` and its
//! assets at `GET /graphql/assets/…`, no CDN.
//!
//! The assets are GraphiQL 3.8.3 and React 18.3.1 (production builds),
//! vendored byte for byte from the npm registry with their licences under
//! `services/api/assets/graphiql/` (`VENDORED.md` there says where from, their
//! SHA-256 and how to update them), plus Samverkan's own bootstrap script and
//! style. Vendored files carry the version in their path and are cached as
//! immutable; Samverkan's own files and the page are revalidated.
//!
//! The page and the assets are open (nothing in them is secret); the queries
//! GraphiQL sends need a bearer token, which the user puts in the *Headers*
//! tab (pre-filled with a placeholder; the example query says where tokens
//! come from). The page's Content-Security-Policy allows only same-origin
//! scripts, styles and connections (and websockets for subscriptions).

use std::sync::LazyLock;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

/// The Content-Security-Policy of the page: same-origin scripts (no inline
/// script: the bootstrap is a file), styles and fonts (GraphiQL's fonts are
/// `data:` URLs in its stylesheet), connections to `/graphql` and websockets
/// for subscriptions.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; font-src 'self' data:; img-src 'self' data:; connect-src 'self' ws: wss:; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// One embedded file and the path it is served at.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    cache_control: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($file:literal, $content_type:expr, $cache:expr) => {
        Asset {
            path: concat!("/graphql/assets/", $file),
            content_type: $content_type,
            cache_control: $cache,
            bytes: include_bytes!(concat!("../assets/graphiql/", $file)),
        }
    };
}

/// Everything served under `/graphql/assets/`.
const ASSETS: &[Asset] = &[
    asset!("graphiql-3.8.3/graphiql.min.js", JS, IMMUTABLE),
    asset!("graphiql-3.8.3/graphiql.min.css", CSS, IMMUTABLE),
    asset!("graphiql-3.8.3/LICENSE", TEXT, IMMUTABLE),
    asset!("react-18.3.1/react.production.min.js", JS, IMMUTABLE),
    asset!("react-18.3.1/LICENSE", TEXT, IMMUTABLE),
    asset!("react-dom-18.3.1/react-dom.production.min.js", JS, IMMUTABLE),
    asset!("react-dom-18.3.1/LICENSE", TEXT, IMMUTABLE),
    asset!("samverkan-graphiql.js", JS, REVALIDATE),
    asset!("samverkan-graphiql.css", CSS, REVALIDATE),
];

/// The query the editor opens with.
const EXAMPLE_QUERY: &str = include_str!("../assets/graphiql/example.graphql");

/// What the *Headers* tab opens with.
const EXAMPLE_HEADERS: &str = "{\n  \"Authorization\": \"Bearer <paste your token here>\"\n}\n";

/// The page: the template with the bootstrap's settings in its JSON data block.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    let config = json!({
        "endpoint": "/graphql",
        "subscriptionPath": "/graphql/ws",
        "defaultQuery": EXAMPLE_QUERY,
        "defaultHeaders": EXAMPLE_HEADERS,
    })
    .to_string()
    // Nothing in the data block may close the <script> element.
    .replace('<', "\\u003c");
    include_str!("../assets/graphiql/index.html").replace("{{CONFIG}}", &config)
});

/// The routes of the assets (merged into the API's router).
pub(crate) fn asset_routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    ASSETS.iter().fold(Router::new(), |router, asset| {
        router.route(asset.path, get(move || async move { serve(asset) }))
    })
}

fn serve(asset: &'static Asset) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(asset.cache_control)),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        asset.bytes,
    )
        .into_response()
}

/// The GraphiQL page (`GET /graphql` without a websocket upgrade).
pub(crate) fn page() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        ],
        PAGE.as_str(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_under_the_assets_path_once() {
        let mut paths: Vec<_> = ASSETS.iter().map(|a| a.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), ASSETS.len());
        assert!(paths.iter().all(|p| p.starts_with("/graphql/assets/")));
    }

    #[test]
    fn the_data_block_cannot_close_its_script_element() {
        let start = PAGE.find("id=\"samverkan-graphiql-config\">").expect("the data block");
        let block = &PAGE[start..];
        let end = block.find("</script>").expect("its end");
        let json = &block["id=\"samverkan-graphiql-config\">".len()..end];
        assert!(!json.contains('<'));
        let config: serde_json::Value = serde_json::from_str(json).expect("JSON");
        assert_eq!(config["defaultQuery"], EXAMPLE_QUERY);
        assert!(!PAGE.contains("{{CONFIG}}"));
    }
}

//! What `POST`/`GET /graphql` keeps between requests:
//!
//! - **parsed documents**, by the SHA-256 of the query text: a document
//!   sent again (every poll of a reporting script, every view of the web app)
//!   is not parsed again, and once it passed async-graphql's whole
//!   validation, the rules that read only the document are not run again
//!   (see `over_http::execute`);
//! - **query responses**, by the SHA-256 of (the request as sent — the
//!   `POST` body's bytes or the `GET` query string, so the same query text,
//!   operation name, variables and extensions —, the caller — subject and
//!   roles, so a viewer never gets what another viewer may see — the
//!   response's media type and the server clock's minute), each kept with
//!   the read models' position it was built at and served only while the
//!   read models are still at exactly that position. A response is stored
//!   only when the read models did not move while it was built, had no
//!   errors, and came from a query (never a mutation). A request answered
//!   from it is looked up before its body is parsed: a poll repeating the
//!   same bytes costs the token check, one hash and one map look-up.
//!
//! Every cached or fresh query answer carries an `ETag` (a hash of its
//! body); a request with `If-None-Match` naming it gets `304 Not Modified`.
//! Both caches are bounded: past their capacity the least recently used
//! entries are dropped.

use std::sync::Mutex;

use async_graphql::parser::types::ExecutableDocument;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::lru::Lru;

/// How many distinct documents are kept parsed.
pub(crate) const DOCUMENTS: usize = 512;
/// How many query responses are kept.
pub(crate) const RESPONSES: usize = 2048;

/// A cached query response.
#[derive(Clone)]
pub(crate) struct Cached {
    /// The read models' position it was built at.
    pub position: Option<u64>,
    pub body: Bytes,
    pub etag: HeaderValue,
    pub cache_control: Option<HeaderValue>,
}

pub(crate) type Key = [u8; 32];

/// A parsed document, as kept.
#[derive(Clone)]
pub(crate) struct Parsed {
    pub document: ExecutableDocument,
    /// The SHA-256 of its text.
    pub key: Key,
    /// It passed the whole validation once (with some variables).
    pub validated: bool,
}

pub(crate) struct Caches {
    documents: Mutex<Lru<Key, Parsed>>,
    responses: Mutex<Lru<Key, Cached>>,
}

impl Default for Caches {
    fn default() -> Self {
        Self::new(DOCUMENTS, RESPONSES)
    }
}

impl Caches {
    pub(crate) fn new(documents: usize, responses: usize) -> Self {
        Self {
            documents: Mutex::new(Lru::new(documents)),
            responses: Mutex::new(Lru::new(responses)),
        }
    }

    /// The parsed document of `query`, parsing (and keeping) it the first time.
    pub(crate) fn document(
        &self,
        query: &str,
        parse: impl FnOnce(&str) -> Option<ExecutableDocument>,
    ) -> Option<Parsed> {
        let key: Key = Sha256::digest(query.as_bytes()).into();
        if let Some(parsed) = self.documents.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Some(parsed);
        }
        let parsed = Parsed {
            document: parse(query)?,
            key,
            validated: false,
        };
        self.documents
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(key, parsed.clone());
        Some(parsed)
    }

    /// Note that the document under `key` passed the whole validation.
    pub(crate) fn validated(&self, key: &Key) {
        if let Some(parsed) = self.documents.lock().unwrap_or_else(|p| p.into_inner()).get_mut(key) {
            parsed.validated = true;
        }
    }

    /// The response kept under `key` if it was built at `position`.
    pub(crate) fn response(&self, key: &Key, position: Option<u64>) -> Option<Cached> {
        self.responses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .filter(|c| c.position == position)
    }

    pub(crate) fn keep_response(&self, key: Key, cached: Cached) {
        self.responses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(key, cached);
    }
}

/// What a query response depends on besides the read models.
pub(crate) struct ResponseKey<'a> {
    /// `POST` or `GET`.
    pub method: &'a str,
    /// The request as sent: the `POST` body or the `GET` query string (equal
    /// bytes are equal parameters: query, operation name, variables and
    /// extensions).
    pub request: &'a [u8],
    pub principal: &'a Principal,
    pub media: &'a str,
    /// The server clock's minute (Unix seconds / 60): "today", "overdue"
    /// and the default `validAt` come from the clock.
    pub minute: i64,
}

impl ResponseKey<'_> {
    pub(crate) fn hash(&self) -> Key {
        let mut h = Sha256::new();
        let mut part = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        part(self.method.as_bytes());
        part(self.request);
        part(self.principal.subject.as_bytes());
        let mut roles: Vec<String> = self.principal.roles.iter().map(ToString::to_string).collect();
        roles.sort_unstable();
        for role in &roles {
            part(role.as_bytes());
        }
        part(b"/roles");
        part(self.media.as_bytes());
        part(&self.minute.to_le_bytes());
        h.finalize().into()
    }
}

/// The `ETag` of a response body: a strong validator (hash of the bytes).
pub(crate) fn etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// Whether the request's `If-None-Match` names `etag` (or is `*`).
pub(crate) fn not_modified(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else { return false };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// A query answer with its `ETag`, or `304` when `If-None-Match` names it.
pub(crate) fn answer(content_type: HeaderValue, headers: &HeaderMap, cached: &Cached) -> Response {
    let mut http = if not_modified(headers, &cached.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut http = (StatusCode::OK, cached.body.clone()).into_response();
        http.headers_mut().insert(header::CONTENT_TYPE, content_type);
        http
    };
    let h = http.headers_mut();
    h.insert(header::ETAG, cached.etag.clone());
    h.insert(header::VARY, HeaderValue::from_static("accept, authorization"));
    if let Some(cc) = &cached.cache_control {
        h.insert(header::CACHE_CONTROL, cc.clone());
    }
    http
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // tests: failures should panic

    use super::*;

    #[test]
    fn if_none_match_lists_and_weak_forms_match() {
        let tag = etag(b"{}");
        let mut headers = HeaderMap::new();
        assert!(!not_modified(&headers, &tag));
        let listed = format!("\"other\", W/{}", tag.to_str().unwrap());
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&listed).unwrap());
        assert!(not_modified(&headers, &tag));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        assert!(!not_modified(&headers, &tag));
        assert_ne!(etag(b"{}"), etag(b"{ }"));
    }
}

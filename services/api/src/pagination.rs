//! Relay-style cursor connections over the read models' sorted lists.
//!
//! Every list has a total order given by a *sort key* string that is unique
//! per item (it always ends with the item's id or code). The cursor is that
//! key, hex-encoded: it stays valid while items are added or removed, so a
//! paging script never skips or repeats an item that existed throughout.

use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use async_graphql::{OutputType, SimpleObject};

use crate::error::ApiError;

/// Default page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: usize = 50;

/// An opaque cursor: the hex-encoded sort key of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub String);

impl CursorType for Cursor {
    type Error = ApiErrorDisplay;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        decode(s).map(Cursor).ok_or(ApiErrorDisplay)
    }

    fn encode_cursor(&self) -> String {
        self.0.bytes().map(|b| format!("{b:02x}")).collect()
    }
}

/// Error type for [`CursorType`] (cursors are decoded by [`page`] itself).
#[derive(Debug)]
pub struct ApiErrorDisplay;

impl std::fmt::Display for ApiErrorDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid cursor")
    }
}

fn decode(s: &str) -> Option<String> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    String::from_utf8(bytes?).ok()
}

fn cursor_arg(name: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    value
        .map(|s| {
            decode(&s).ok_or_else(|| {
                ApiError::validation(
                    "invalid_cursor",
                    format!("`{name}` is not a cursor returned by this list"),
                )
            })
        })
        .transpose()
}

/// Extra fields on every connection.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct PageTotals {
    /// Number of items matching the filters (on all pages).
    pub total_count: usize,
    /// The business date the list is about (`validAt`, or today).
    pub valid_at: crate::scalars::Date,
    /// The recording instant the list is about (`asOf`); null: everything recorded.
    pub as_of: Option<crate::scalars::DateTime>,
}

/// Say on a connection which recording instant it used.
pub fn stamped<T: OutputType>(mut page: Page<T>, as_of: Option<chrono::DateTime<chrono::Utc>>) -> Page<T> {
    page.additional_fields.as_of = as_of.map(crate::scalars::DateTime);
    page
}

pub type Page<T> = Connection<Cursor, T, PageTotals, EmptyFields>;

/// The paging arguments of a list field.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

fn size(name: &str, n: Option<i32>, max: usize) -> Result<Option<usize>, ApiError> {
    match n {
        None => Ok(None),
        Some(n) if n < 0 => Err(ApiError::validation(
            "invalid_page_size",
            format!("`{name}` must not be negative"),
        )),
        Some(n) if n as usize > max => Err(ApiError::validation(
            "page_too_large",
            format!("`{name}` may be at most {max}"),
        )),
        Some(n) => Ok(Some(n as usize)),
    }
}

/// Cut one page out of `items` (any order: they are sorted by key here).
/// `valid_at`: the business date the list is about (the day asked about, or
/// today by the server's clock).
pub fn page<T: OutputType>(
    mut items: Vec<(String, T)>,
    args: PageArgs,
    max: usize,
    valid_at: chrono::NaiveDate,
) -> Result<Page<T>, ApiError> {
    let first = size("first", args.first, max)?;
    let last = size("last", args.last, max)?;
    let after = cursor_arg("after", args.after)?;
    let before = cursor_arg("before", args.before)?;
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let total_count = items.len();

    let start = after.as_ref().map_or(0, |a| items.partition_point(|(k, _)| k <= a));
    let end = before
        .as_ref()
        .map_or(items.len(), |b| items.partition_point(|(k, _)| k < b))
        .max(start);
    let (mut lo, mut hi) = (start, end);
    let first = match (first, last) {
        (None, None) => Some(DEFAULT_PAGE_SIZE),
        (f, _) => f,
    };
    if let Some(n) = first {
        hi = hi.min(lo + n);
    }
    if let Some(n) = last {
        lo = lo.max(hi.saturating_sub(n));
    }
    let has_previous_page = lo > 0;
    let has_next_page = hi < items.len();

    let mut connection = Connection::with_additional_fields(
        has_previous_page,
        has_next_page,
        PageTotals {
            total_count,
            valid_at: crate::scalars::Date(valid_at),
            as_of: None,
        },
    );
    connection
        .edges
        .extend(items.drain(lo..hi).map(|(key, node)| Edge::new(Cursor(key), node)));
    Ok(connection)
}

/// The page size of a forward-only list (`first`, default [`DEFAULT_PAGE_SIZE`]).
pub fn page_size(first: Option<i32>, max: usize) -> Result<usize, ApiError> {
    Ok(size("first", first, max)?.unwrap_or(DEFAULT_PAGE_SIZE))
}

/// Decode an `after` cursor that holds a log position.
pub fn position_cursor(after: Option<&str>) -> Result<Option<u64>, ApiError> {
    cursor_arg("after", after.map(str::to_string))?
        .map(|s| {
            s.parse::<u64>()
                .map_err(|_| ApiError::validation("invalid_cursor", "`after` is not a cursor returned by this list"))
        })
        .transpose()
}

/// A forward-only page (no total count).
pub type ForwardPage<T> = Connection<Cursor, T, EmptyFields, EmptyFields>;

/// A page whose items are already cut and ordered by the caller.
pub fn ordered_page<T: OutputType>(
    items: Vec<(String, T)>,
    has_previous_page: bool,
    has_next_page: bool,
) -> ForwardPage<T> {
    let mut connection = Connection::new(has_previous_page, has_next_page);
    connection
        .edges
        .extend(items.into_iter().map(|(key, node)| Edge::new(Cursor(key), node)));
    connection
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<(String, i32)> {
        (0..n).map(|i| (format!("k{i:03}"), i as i32)).collect()
    }

    /// A page of `n` items, at most 100 a page.
    fn cut(n: usize, args: PageArgs) -> Result<Page<i32>, ApiError> {
        page(items(n), args, 100, chrono::NaiveDate::MIN)
    }

    fn first(n: i32) -> PageArgs {
        PageArgs {
            first: Some(n),
            ..Default::default()
        }
    }

    fn last(n: i32) -> PageArgs {
        PageArgs {
            last: Some(n),
            ..Default::default()
        }
    }

    fn nodes(c: &Page<i32>) -> Vec<i32> {
        c.edges.iter().map(|e| e.node).collect()
    }

    #[test]
    fn forward_paging_visits_every_item_once() {
        let mut seen = vec![];
        let mut after = None;
        loop {
            let c = cut(
                7,
                PageArgs {
                    after: after.clone(),
                    ..first(3)
                },
            )
            .unwrap();
            seen.extend(nodes(&c));
            if !c.has_next_page {
                break;
            }
            after = c.edges.last().map(|e| e.cursor.encode_cursor());
        }
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
    }

    #[test]
    fn backward_paging_and_limits() {
        let c = cut(7, last(2)).unwrap();
        assert_eq!(nodes(&c), vec![5, 6]);
        assert!(c.has_previous_page && !c.has_next_page);
        let before = Cursor("k005".into()).encode_cursor();
        let c = cut(
            7,
            PageArgs {
                before: Some(before),
                ..last(2)
            },
        )
        .unwrap();
        assert_eq!(nodes(&c), vec![3, 4]);
        assert!(cut(7, first(101)).is_err());
        assert!(cut(7, first(-1)).is_err());
        assert!(cut(
            7,
            PageArgs {
                after: Some("zz".into()),
                ..Default::default()
            }
        )
        .is_err());
    }

    #[test]
    fn cursors_survive_insertions() {
        let c = cut(4, first(2)).unwrap();
        let after = c.edges.last().map(|e| e.cursor.encode_cursor());
        let mut more = items(4);
        more.push(("k000a".into(), 99)); // inserted before the cursor
        let c = page(more, PageArgs { after, ..first(10) }, 100, chrono::NaiveDate::MIN).unwrap();
        assert_eq!(nodes(&c), vec![2, 3]);
    }
}

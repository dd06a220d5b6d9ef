//! Keyset pagination: `?limit=&cursor=` in, `{data, next_cursor}` out. A cursor is the opaque
//! encoding of the last row's sort key and id; no `COUNT(*)` is ever needed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

/// One page of a list.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            data: self.data.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// The position after a row: its sort value (as a string) and its id.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
pub struct Cursor {
    /// The sort key the cursor was made for; a cursor is only valid with the same sort.
    pub s: String,
    pub v: Option<String>,
    pub id: uuid::Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }
    pub fn decode(raw: &str, sort: &str) -> ApiResult<Self> {
        let bad = || {
            ApiError::field(
                "cursor",
                "invalid",
                "the cursor is not one this list returned",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| bad())?;
        let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if c.s != sort {
            return Err(ApiError::field(
                "cursor",
                "sort_mismatch",
                "the cursor was made for another sort order",
            ));
        }
        Ok(c)
    }
}

/// The page size: default 50, between 1 and 500.
pub fn limit(raw: Option<u64>) -> ApiResult<u64> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::field(
            "limit",
            "out_of_range",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// Splits `rows` (fetched with `limit + 1`) into a page, making the cursor from the last row.
pub fn page_of<T>(mut rows: Vec<T>, limit: u64, cursor_of: impl Fn(&T) -> Cursor) -> Page<T> {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| cursor_of(r).encode())
    } else {
        None
    };
    Page {
        data: rows,
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_check_their_sort() {
        let c = Cursor {
            s: "tag".into(),
            v: Some("AST-1".into()),
            id: uuid::Uuid::now_v7(),
        };
        let raw = c.encode();
        assert_eq!(Cursor::decode(&raw, "tag").ok(), Some(c));
        assert!(Cursor::decode(&raw, "-tag").is_err());
        assert!(Cursor::decode("not-a-cursor", "tag").is_err());
    }

    #[test]
    fn page_of_sets_next_cursor_only_when_more_rows_exist() {
        let ids: Vec<uuid::Uuid> = (0..3).map(|_| uuid::Uuid::now_v7()).collect();
        let mk = |id: &uuid::Uuid| Cursor {
            s: "id".into(),
            v: None,
            id: *id,
        };
        let p = page_of(ids.clone(), 2, mk);
        assert_eq!(p.data.len(), 2);
        assert!(p.next_cursor.is_some());
        let p = page_of(ids, 3, mk);
        assert!(p.next_cursor.is_none());
    }

    #[test]
    fn limit_is_bounded() {
        assert_eq!(limit(None).ok(), Some(50));
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(501)).is_err());
        assert_eq!(limit(Some(500)).ok(), Some(500));
    }
}

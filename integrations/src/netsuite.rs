//! NetSuite client, through SuiteTalk REST web services and SuiteQL.
//!
//! - Host: every account has its own, `https://{account}.suitetalk.api.netsuite.com`, the
//!   account id in lower case with `_` as `-` (`1234567_SB1` → `1234567-sb1`); `base_url`
//!   replaces it (the simulator).
//! - Auth: token-based authentication, i.e. OAuth 1.0a with HMAC-SHA256 ([`crate::oauth1`]):
//!   an integration record's consumer key and secret and an access token's id and secret (a
//!   user in a role with "REST Web Services", "Log in using Access Tokens" and view access to
//!   transactions, vendors, items and currencies). Every request is signed anew, with the realm
//!   the account id in upper case, a fresh nonce and the current time. A wrong key, token or
//!   secret, a revoked token, a reused nonce or a clock far off are all a 401
//!   `INVALID_LOGIN`, which needs attention. (From 2027.1 NetSuite creates no new TBA
//!   integrations; existing ones keep working.)
//! - Queries: `POST /services/rest/query/v1/suiteql?limit=1000&offset=n` with `Prefer:
//!   transient` and `{"q": "SELECT ..."}` → `{"links", "count", "hasMore", "items": [...],
//!   "offset", "totalResults"}`; the next page is at `offset + limit`, until `hasMore` is false.
//!   At most 1000 rows a page and 100,000 a query. Columns come back in lower case, null ones
//!   left out, numbers possibly as text; dates in the user's preferred format unless the query
//!   formats them, so the query writes `trandate` with `TO_CHAR(..., 'YYYY-MM-DD')`.
//! - Purchases ([`purchase_lines_query`]): the item and expense lines (not the main line, not
//!   tax lines) of vendor bills (`VendBill`) and purchase orders (`PurchOrd`), with the
//!   document's number (`tranid`), date, vendor (`BUILTIN.DF(entity)`), currency (the ISO code,
//!   `currency.symbol`), and each line's memo, item, quantity, rate and amount in the
//!   transaction's currency (`foreignamount`). A bill made from an order repeats the order's
//!   lines: both come through, told apart by `document_type`. Serial numbers are read from the
//!   line's memo ([`crate::finance::serial_in`]); inventory detail records are not read.
//! - Errors: `{"type", "title", "status", "o:errorDetails": [{"detail", "o:errorCode"}]}`: 400
//!   for a query NetSuite cannot run, 401 `INVALID_LOGIN`, 403 for a role without a
//!   permission, 429 when the account's concurrency limit is reached (with `Retry-After`), 5xx;
//!   classified by [`crate::http`].

use std::collections::HashSet;

use chrono::NaiveDate;
use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde_json::{Value, json};

use crate::finance::{
    Fields, FinanceError, MalformedRecord, PurchaseLine, PurchasePull, document_type, serial_in,
    settle,
};
use crate::hris::text_value;
use crate::http::{ErrorConventions, HttpPolicy, VendorError, VendorHttp, join, vendor_url};
use crate::oauth1::{self, Oauth1Credentials};

/// The most rows SuiteQL returns a page, and this client's default.
pub const MAX_PAGE_SIZE: u32 = 1000;
/// The transaction types a purchase pull reads: vendor bills and purchase orders.
pub const PURCHASE_TYPES: [&str; 2] = ["VendBill", "PurchOrd"];
/// Where SuiteQL lives under the account's host.
pub const SUITEQL_PATH: &str = "services/rest/query/v1/suiteql";
/// The longest pull, in pages, before the client gives up (NetSuite stops at 100,000 rows).
const MAX_PAGES: u64 = 100_000;

/// A token-based-authentication secret (the consumer's or the token's); its `Debug` never
/// shows the value.
#[derive(Clone)]
pub struct TbaSecret(String);

impl TbaSecret {
    /// Wraps the secret as NetSuite showed it, once, at creation.
    pub fn new(secret: impl Into<String>) -> Self {
        TbaSecret(secret.into())
    }
}

impl std::fmt::Debug for TbaSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TbaSecret(..)")
    }
}

/// What one NetSuite integration needs to connect.
#[derive(Debug, Clone)]
pub struct NetSuiteConfig {
    /// The account id as NetSuite writes it, e.g. `1234567` or `1234567_SB1` for a sandbox.
    pub account_id: String,
    /// Replaces the account's own host ([`account_host`]), e.g.
    /// `http://127.0.0.1:7070/netsuite` for the simulator.
    pub base_url: Option<String>,
    /// The integration record's consumer key and secret.
    pub consumer_key: String,
    pub consumer_secret: TbaSecret,
    /// The access token's id and secret.
    pub token_id: String,
    pub token_secret: TbaSecret,
    pub policy: HttpPolicy,
}

/// `https://{account}.suitetalk.api.netsuite.com`: the account id in lower case, `_` as `-`.
pub fn account_host(account_id: &str) -> String {
    format!(
        "https://{}.suitetalk.api.netsuite.com",
        account_id.trim().to_ascii_lowercase().replace('_', "-")
    )
}

/// The OAuth realm of an account: its id in upper case (`1234567_SB1`).
pub fn realm(account_id: &str) -> String {
    account_id.trim().to_ascii_uppercase()
}

/// A client for one NetSuite account, as one access token.
#[derive(Debug, Clone)]
pub struct NetSuiteClient {
    http: VendorHttp,
    /// `{host}/services/rest/query/v1/suiteql`.
    suiteql: Url,
    credentials: Oauth1Credentials,
    page_size: u32,
}

impl NetSuiteClient {
    /// Builds the client without calling NetSuite: fails ([`VendorError::Other`]) only on an
    /// account id that cannot be one, an empty key or token id, or an unusable URL. The
    /// credentials are first checked by [`NetSuiteClient::test_connection`].
    pub fn new(config: NetSuiteConfig) -> Result<Self, FinanceError> {
        let account = config.account_id.trim();
        if account.is_empty()
            || !account
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(VendorError::Other {
                message: format!("invalid NetSuite account id {account:?}"),
            }
            .into());
        }
        if config.consumer_key.trim().is_empty() || config.token_id.trim().is_empty() {
            return Err(VendorError::Other {
                message: "a NetSuite consumer key and token id are required".into(),
            }
            .into());
        }
        let host = config
            .base_url
            .clone()
            .unwrap_or_else(|| account_host(account));
        let root = vendor_url(&host, "", "NetSuite URL")?;
        let suiteql = join(&root, SUITEQL_PATH)?;
        let http = VendorHttp::with_conventions(
            config.policy,
            ErrorConventions {
                message_header: None,
                message_body_field: Some("/o:errorDetails/0/detail"),
                rate_limit_reset_header: None,
            },
        )?;
        Ok(NetSuiteClient {
            http,
            suiteql,
            credentials: Oauth1Credentials {
                realm: realm(account),
                consumer_key: config.consumer_key.trim().to_owned(),
                consumer_secret: config.consumer_secret.0,
                token: config.token_id.trim().to_owned(),
                token_secret: config.token_secret.0,
            },
            page_size: MAX_PAGE_SIZE,
        })
    }

    /// The same client asking for `page_size` rows a page (1 to [`MAX_PAGE_SIZE`]) instead of
    /// [`MAX_PAGE_SIZE`].
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// The SuiteQL endpoint this client posts to.
    pub fn suiteql_url(&self) -> &Url {
        &self.suiteql
    }

    /// Whether the circuit breaker currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.http.circuit_closed()
    }

    /// One page of `query`: `limit` rows from `offset`. Each attempt is signed anew.
    async fn suiteql(&self, query: &str, limit: u32, offset: u64) -> Result<Value, FinanceError> {
        let mut url = self.suiteql.clone();
        url.set_query(Some(&format!("limit={limit}&offset={offset}")));
        let body = json!({ "q": query });
        let answer = self
            .http
            .send_json(|client| {
                let authorization = oauth1::authorization_header(
                    "POST",
                    &url,
                    &self.credentials,
                    &oauth1::nonce(),
                    oauth1::timestamp_now(),
                );
                client
                    .post(url.clone())
                    .header(AUTHORIZATION, authorization)
                    .header(ACCEPT, "application/json")
                    .header("Prefer", "transient")
                    .json(&body)
            })
            .await?;
        Ok(answer)
    }

    /// Checks the credentials and the role's access: the purchase query, one row.
    #[tracing::instrument(skip(self), fields(url = %self.suiteql))]
    pub async fn test_connection(&self) -> Result<(), FinanceError> {
        let answer = self.suiteql(&purchase_lines_query(None), 1, 0).await?;
        if answer.get("items").is_none_or(|items| !items.is_array()) {
            return Err(VendorError::InvalidResponse {
                message: "SuiteQL answer without items".into(),
            }
            .into());
        }
        Ok(())
    }

    /// Pulls every vendor bill and purchase order line dated `since` or later (all when
    /// `None`), page by page. Unreadable rows are listed in [`PurchasePull::malformed`]; the
    /// rest still come through.
    #[tracing::instrument(skip(self), fields(url = %self.suiteql))]
    pub async fn fetch_purchases(
        &self,
        since: Option<NaiveDate>,
    ) -> Result<PurchasePull, FinanceError> {
        let query = purchase_lines_query(since);
        let mut pull = PurchasePull::default();
        let mut seen = HashSet::new();
        let mut offset: u64 = 0;
        for page in 1.. {
            if page > MAX_PAGES {
                return Err(VendorError::InvalidResponse {
                    message: format!("more than {MAX_PAGES} pages of purchase lines"),
                }
                .into());
            }
            let answer = self.suiteql(&query, self.page_size, offset).await?;
            let items = answer
                .get("items")
                .and_then(Value::as_array)
                .ok_or_else(|| VendorError::InvalidResponse {
                    message: "SuiteQL answer without items".into(),
                })?;
            let has_more = answer
                .get("hasMore")
                .and_then(Value::as_bool)
                .ok_or_else(|| VendorError::InvalidResponse {
                    message: "SuiteQL answer without hasMore".into(),
                })?;
            let mut any_new = false;
            for row in items {
                any_new |= pull.absorb(&mut seen, parse_row(row));
            }
            if !has_more {
                break;
            }
            if items.is_empty() || !any_new {
                tracing::warn!(offset, "a page of rows already read; stopping");
                break;
            }
            offset += u64::from(self.page_size);
        }
        Ok(pull)
    }
}

/// The SuiteQL query for purchase lines: one row per item or expense line of a vendor bill or
/// purchase order dated `since` or later (all when `None`), in transaction and line order, the
/// columns named as [`parse_row`] reads them.
pub fn purchase_lines_query(since: Option<NaiveDate>) -> String {
    let types = PURCHASE_TYPES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let filter = since
        .map(|date| {
            format!(
                " AND t.trandate >= TO_DATE('{}', 'YYYY-MM-DD')",
                date.format("%Y-%m-%d")
            )
        })
        .unwrap_or_default();
    format!(
        "SELECT t.id AS transaction_id, tl.id AS line_id, t.type AS type, t.tranid AS tranid, \
         TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate, BUILTIN.DF(t.entity) AS supplier, \
         cur.symbol AS currency, tl.memo AS memo, BUILTIN.DF(tl.item) AS item, \
         tl.quantity AS quantity, tl.rate AS rate, tl.foreignamount AS amount \
         FROM transaction t \
         INNER JOIN transactionline tl ON tl.transaction = t.id \
         LEFT JOIN currency cur ON cur.id = t.currency \
         WHERE t.type IN ({types}) AND tl.mainline = 'F' AND tl.taxline = 'F'{filter} \
         ORDER BY t.id, tl.id"
    )
}

/// Turns one row of [`purchase_lines_query`] into a [`PurchaseLine`] named
/// `"{type}:{transaction id}:{line id}"`, or says why it cannot.
pub fn parse_row(row: &Value) -> Result<PurchaseLine, MalformedRecord> {
    let text = |key: &str| text_value(key, row.get(key)).ok().flatten();
    let (transaction, line, kind) = (text("transaction_id"), text("line_id"), text("type"));
    let (Some(transaction), Some(line), Some(kind)) = (transaction, line, kind) else {
        return Err(MalformedRecord {
            external_id: text("transaction_id"),
            reason: "row without transaction_id, line_id or type".into(),
        });
    };
    let fields = Fields::new(row, format!("{kind}:{transaction}:{line}"))?;
    let document_type = match kind.as_str() {
        "VendBill" => document_type::VENDOR_BILL,
        "PurchOrd" => document_type::PURCHASE_ORDER,
        other => return Err(fields.malformed(format!("unexpected transaction type {other:?}"))),
    };
    let currency = fields.required("/currency")?.to_ascii_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(fields.malformed(format!("currency {currency:?} is no ISO 4217 code")));
    }
    let date = fields.date("/trandate")?;
    let item = fields.text("/item")?;
    let (quantity, unit_cost_cents, amount_cents) = settle(
        fields.cents("/amount")?,
        fields.cents("/rate")?,
        fields.quantity("/quantity")?,
    )
    .map_err(|reason| fields.malformed(reason))?;
    let description = fields
        .text("/memo")?
        .or_else(|| item.clone())
        .unwrap_or_default();
    Ok(PurchaseLine {
        external_id: format!("{kind}:{transaction}:{line}"),
        document_type: document_type.to_owned(),
        document_number: fields.text("/tranid")?,
        date,
        supplier: fields.text("/supplier")?,
        serial_number: serial_in(&description),
        description,
        quantity,
        unit_cost_cents,
        amount_cents,
        currency,
        item,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(account: &str, base_url: Option<&str>) -> NetSuiteConfig {
        NetSuiteConfig {
            account_id: account.into(),
            base_url: base_url.map(str::to_owned),
            consumer_key: "ck".into(),
            consumer_secret: TbaSecret::new("consumer-s3cret"),
            token_id: "tk".into(),
            token_secret: TbaSecret::new("token-s3cret"),
            policy: HttpPolicy::default(),
        }
    }

    #[test]
    fn every_account_has_its_own_host() {
        let client = NetSuiteClient::new(config("1234567_SB1", None)).unwrap();
        assert_eq!(
            client.suiteql_url().as_str(),
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql"
        );
        assert_eq!(client.credentials.realm, "1234567_SB1");
        let shown = format!("{client:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        let local =
            NetSuiteClient::new(config("1234567", Some("http://127.0.0.1:9/netsuite"))).unwrap();
        assert_eq!(
            local.suiteql_url().as_str(),
            "http://127.0.0.1:9/netsuite/services/rest/query/v1/suiteql"
        );
        assert!(NetSuiteClient::new(config("12 34", None)).is_err());
        assert!(NetSuiteClient::new(config("", None)).is_err());
    }

    #[test]
    fn the_query_reads_bill_and_order_lines_since_a_date() {
        let all = purchase_lines_query(None);
        assert!(all.contains("t.type IN ('VendBill', 'PurchOrd')"), "{all}");
        assert!(
            all.contains("tl.mainline = 'F' AND tl.taxline = 'F' ORDER BY"),
            "{all}"
        );
        let since = purchase_lines_query(NaiveDate::from_ymd_opt(2026, 2, 1));
        assert!(
            since.contains("AND t.trandate >= TO_DATE('2026-02-01', 'YYYY-MM-DD') ORDER BY"),
            "{since}"
        );
    }

    #[test]
    fn maps_rows() {
        let row = json!({"links": [], "transaction_id": "1001", "line_id": "2", "type": "VendBill",
            "tranid": "BILL-0042", "trandate": "2026-02-03", "supplier": "Apple Inc.",
            "currency": "USD", "memo": "MacBook Pro 14 M3 SN: JMF000000017",
            "item": "MacBook Pro 14 M3", "quantity": 1, "rate": "2499", "amount": "2499"});
        let line = parse_row(&row).unwrap();
        assert_eq!(line.external_id, "VendBill:1001:2");
        assert_eq!(line.document_type, "vendor_bill");
        assert_eq!(line.document_number.as_deref(), Some("BILL-0042"));
        assert_eq!(
            (line.quantity, line.unit_cost_cents, line.amount_cents),
            (1, 249_900, 249_900)
        );
        assert_eq!(line.serial_number.as_deref(), Some("JMF000000017"));
        assert_eq!(line.item.as_deref(), Some("MacBook Pro 14 M3"));

        let expense = json!({"transaction_id": 7, "line_id": 1, "type": "PurchOrd",
            "trandate": "2026-02-03", "currency": "eur", "amount": 99.5});
        let line = parse_row(&expense).unwrap();
        assert_eq!(line.external_id, "PurchOrd:7:1");
        assert_eq!(line.document_type, "purchase_order");
        assert_eq!(
            (line.quantity, line.unit_cost_cents, line.amount_cents),
            (1, 9950, 9950)
        );
        assert_eq!(
            (line.description.as_str(), line.currency.as_str()),
            ("", "EUR")
        );

        let user_format = json!({"transaction_id": "8", "line_id": "1", "type": "VendBill",
            "trandate": "2/3/2026", "currency": "USD", "amount": "1"});
        let err = parse_row(&user_format).unwrap_err();
        assert_eq!(err.external_id.as_deref(), Some("VendBill:8:1"));
        assert!(err.reason.contains("trandate"), "{err}");
        assert!(parse_row(&json!({"line_id": "1"})).is_err());
        let sales = json!({"transaction_id": "9", "line_id": "1", "type": "CustInvc",
            "trandate": "2026-02-03", "currency": "USD", "amount": "1"});
        assert!(parse_row(&sales).is_err());
    }
}

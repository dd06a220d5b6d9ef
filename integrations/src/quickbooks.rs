//! QuickBooks Online client, following Intuit's Accounting API (v3).
//!
//! - Hosts: the API at `https://quickbooks.api.intuit.com` (Intuit's development sandboxes:
//!   `https://sandbox-quickbooks.api.intuit.com`), each company (realm) under
//!   `/v3/company/{realmId}`; tokens at `https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer`.
//! - Auth: a person connects the company once (OAuth 2.0 authorization code); what the
//!   integration keeps is the refresh token. It buys an hour-long access token at the token
//!   endpoint: form-encoded `grant_type=refresh_token`, `refresh_token`, the app's client id and
//!   secret as HTTP Basic → `{"access_token", "token_type": "bearer", "expires_in": 3600,
//!   "refresh_token", "x_refresh_token_expires_in"}`; see [`crate::oauth`] for caching and
//!   renewal on a 401. Intuit rotates refresh tokens: the answer's `refresh_token` replaces the
//!   one sent, which stops working. The client keeps the latest
//!   ([`QuickBooksClient::current_refresh_token`]); the caller must store it after every use of
//!   the client, failed syncs included, or the next sync is refused and a person has to connect
//!   the company again. A refresh token unused for 100 days expires. A wrong client id or
//!   secret is a 401 `{"error": "invalid_client"}`; a used, revoked or expired refresh token a
//!   400 `{"error": "invalid_grant"}`: both need attention.
//! - Reads: `GET /query?query=<select statement>&minorversion=75` with `Accept:
//!   application/json` → `{"QueryResponse": {"<Entity>": [...], "startPosition",
//!   "maxResults"}, "time"}`, the entity list left out when nothing matches. Pages by
//!   `STARTPOSITION` (from 1) and `MAXRESULTS` (at most 1000); the last page is the first that
//!   comes back short. The pull orders by `MetaData.CreateTime`, so that a record created during
//!   the pull lands on a later page instead of shifting the ones not yet read. Minor versions
//!   below 75 have been ignored since August 2025; 75 is asked for explicitly.
//! - Purchases: `Purchase` (expenses: card, cash and check payments; `Credit: true` is a card
//!   refund, read as negative amounts) and `Bill` (vendor bills), filtered by `TxnDate` when a
//!   `since` is given. Their lines of `DetailType` `ItemBasedExpenseLineDetail` (`ItemRef`,
//!   `Qty`, `UnitPrice`) and `AccountBasedExpenseLineDetail` (`AccountRef`) become
//!   [`PurchaseLine`]s, other kinds of lines are skipped. Supplier: `EntityRef.name` (Purchase)
//!   or `VendorRef.name` (Bill); number `DocNumber`; date `TxnDate`; currency
//!   `CurrencyRef.value` (a document without one is malformed rather than guessed).
//! - Errors: `{"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type"},
//!   "time"}`: 400 `ValidationFault` for a query QuickBooks cannot read, 401
//!   `AuthenticationFailed` (code 3200) for an expired or revoked access token, 403 for a
//!   company the token does not reach, 429 `ThrottleExceeded` (500 requests a minute and 10 at
//!   once per company), 5xx; classified by [`crate::http`]. A 200 answer can carry a Fault too:
//!   it is an error here, not an empty page.
//! - Connection check: `GET /companyinfo/{realmId}`.

use std::collections::HashSet;

use chrono::NaiveDate;
use reqwest::Url;
use serde_json::Value;

use crate::finance::{
    Fields, FinanceError, MalformedRecord, PurchaseLine, PurchasePull, document_type, serial_in,
    settle,
};
use crate::http::{ErrorConventions, HttpPolicy, VendorError, VendorHttp, join, vendor_url};
use crate::oauth::{ClientCredentials, ClientSecret, RefreshToken, TokenSource};
use crate::oauth1::percent_encode;

/// Intuit's production Accounting API host.
pub const DEFAULT_API_HOST: &str = "https://quickbooks.api.intuit.com";
/// Intuit's OAuth 2.0 token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";
/// The API minor version asked for.
pub const MINOR_VERSION: u32 = 75;
/// The largest page QuickBooks serves, and this client's default.
pub const MAX_PAGE_SIZE: u32 = 1000;
/// The entities a purchase pull reads, in order.
pub const PURCHASE_ENTITIES: [&str; 2] = ["Purchase", "Bill"];
/// The longest pull, in pages per entity, before the client gives up: a QuickBooks that kept
/// answering full pages would otherwise hold a worker forever.
const MAX_PAGES: u64 = 100_000;

/// What one QuickBooks Online integration needs to connect.
#[derive(Debug, Clone)]
pub struct QuickBooksConfig {
    /// The company's id (`realmId`), as the authorization redirect gave it.
    pub realm_id: String,
    /// The Intuit app's client id and secret.
    pub client_id: String,
    pub client_secret: ClientSecret,
    /// The latest refresh token; after using the client, store
    /// [`QuickBooksClient::current_refresh_token`] in its place.
    pub refresh_token: RefreshToken,
    /// Replaces [`DEFAULT_API_HOST`], e.g. Intuit's development sandbox host, or
    /// `http://127.0.0.1:7070/quickbooks` for the simulator.
    pub base_url: Option<String>,
    /// Replaces [`DEFAULT_TOKEN_URL`], e.g.
    /// `http://127.0.0.1:7070/quickbooks/oauth2/v1/tokens/bearer` for the simulator.
    pub token_url: Option<String>,
    pub policy: HttpPolicy,
}

/// A client for one QuickBooks Online company, as one Intuit app.
#[derive(Debug, Clone)]
pub struct QuickBooksClient {
    /// `{host}/v3/company/{realmId}/`, always with the trailing slash.
    company: Url,
    realm_id: String,
    tokens: TokenSource,
    page_size: u32,
}

impl QuickBooksClient {
    /// Builds the client without calling Intuit: fails ([`VendorError::Other`]) only on a
    /// realm id that is not one (digits), an empty client id or an unusable URL. The
    /// credentials are first checked by [`QuickBooksClient::test_connection`].
    pub fn new(config: QuickBooksConfig) -> Result<Self, FinanceError> {
        let realm_id = config.realm_id.trim().to_owned();
        if realm_id.is_empty() || !realm_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VendorError::Other {
                message: format!("invalid QuickBooks company (realm) id {realm_id:?}"),
            }
            .into());
        }
        if config.client_id.trim().is_empty() {
            return Err(VendorError::Other {
                message: "an Intuit app client id is required".into(),
            }
            .into());
        }
        let company = vendor_url(
            config.base_url.as_deref().unwrap_or(DEFAULT_API_HOST),
            &format!("v3/company/{realm_id}/"),
            "QuickBooks API URL",
        )?;
        let token_url = config
            .token_url
            .as_deref()
            .unwrap_or(DEFAULT_TOKEN_URL)
            .trim();
        let token_url = Url::parse(token_url)
            .ok()
            .filter(|url| matches!(url.scheme(), "https" | "http"))
            .ok_or_else(|| VendorError::Other {
                message: format!("invalid Intuit token URL {token_url:?}"),
            })?;
        let http = VendorHttp::with_conventions(
            config.policy,
            ErrorConventions {
                message_header: None,
                message_body_field: Some("/Fault/Error/0/Detail"),
                rate_limit_reset_header: None,
            },
        )?;
        let tokens = TokenSource::with_refresh_token(
            http,
            token_url,
            ClientCredentials {
                client_id: config.client_id.trim().to_owned(),
                client_secret: config.client_secret,
            },
            config.refresh_token,
        );
        Ok(QuickBooksClient {
            company,
            realm_id,
            tokens,
            page_size: MAX_PAGE_SIZE,
        })
    }

    /// The same client asking for `page_size` records a page (1 to [`MAX_PAGE_SIZE`]) instead
    /// of [`MAX_PAGE_SIZE`].
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// The company's API root (`{host}/v3/company/{realmId}/`).
    pub fn base_url(&self) -> &Url {
        &self.company
    }

    /// Whether the circuit breaker currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.tokens.circuit_closed()
    }

    /// The refresh token to store for the next run: the one Intuit issued last, or the one the
    /// client was built with while it has not asked for a token yet. Read it after every use,
    /// whether the calls succeeded or not: once Intuit has rotated it, the old one is refused.
    pub fn current_refresh_token(&self) -> String {
        self.tokens
            .refresh_token()
            .map(|token| token.as_str().to_owned())
            .unwrap_or_default()
    }

    /// A GET of `path` (under the company) with the minor version and `query` (a select
    /// statement) when given; a Fault in a successful answer is an error.
    async fn get(&self, path: &str, query: Option<&str>) -> Result<Value, FinanceError> {
        let mut url = join(&self.company, path)?;
        // Spaces as %20, not `+`: the statement is not a form.
        let mut parameters = String::new();
        if let Some(statement) = query {
            parameters.push_str(&format!("query={}&", percent_encode(statement)));
        }
        parameters.push_str(&format!("minorversion={MINOR_VERSION}"));
        url.set_query(Some(&parameters));
        let answer = self.tokens.get_json(&url).await?;
        if let Some(fault) = answer.get("Fault") {
            return Err(VendorError::InvalidResponse {
                message: format!("QuickBooks answered a fault: {}", fault_text(fault)),
            }
            .into());
        }
        Ok(answer)
    }

    /// Checks the refresh token, the app's credentials and access to the company: a token, then
    /// the company's CompanyInfo.
    #[tracing::instrument(skip(self), fields(base = %self.company))]
    pub async fn test_connection(&self) -> Result<(), FinanceError> {
        let answer = self
            .get(&format!("companyinfo/{}", self.realm_id), None)
            .await?;
        if answer
            .get("CompanyInfo")
            .is_none_or(|info| !info.is_object())
        {
            return Err(VendorError::InvalidResponse {
                message: "companyinfo answer without CompanyInfo".into(),
            }
            .into());
        }
        Ok(())
    }

    /// Pulls every Purchase and Bill line dated `since` or later (all when `None`), page by
    /// page. Unreadable documents and lines are listed in [`PurchasePull::malformed`]; the rest
    /// still come through.
    #[tracing::instrument(skip(self), fields(base = %self.company))]
    pub async fn fetch_purchases(
        &self,
        since: Option<NaiveDate>,
    ) -> Result<PurchasePull, FinanceError> {
        let mut pull = PurchasePull::default();
        let mut seen_lines = HashSet::new();
        for entity in PURCHASE_ENTITIES {
            let mut seen_documents = HashSet::new();
            let mut start: u64 = 1;
            for page in 1.. {
                if page > MAX_PAGES {
                    return Err(VendorError::InvalidResponse {
                        message: format!("more than {MAX_PAGES} pages of {entity}"),
                    }
                    .into());
                }
                let statement = purchase_query(entity, since, start, self.page_size);
                let answer = self.get("query", Some(&statement)).await?;
                let response =
                    answer
                        .get("QueryResponse")
                        .ok_or_else(|| VendorError::InvalidResponse {
                            message: "query answer without QueryResponse".into(),
                        })?;
                let records: &[Value] = match response.get(entity) {
                    None | Some(Value::Null) => &[],
                    Some(Value::Array(records)) => records,
                    Some(_) => {
                        return Err(VendorError::InvalidResponse {
                            message: format!("QueryResponse.{entity} is not a list"),
                        }
                        .into());
                    }
                };
                let mut any_new = false;
                for record in records {
                    let id = record.get("Id").map(Value::to_string);
                    any_new |= id.is_none_or(|id| seen_documents.insert(id));
                    for parsed in parse_transaction(entity, record) {
                        pull.absorb(&mut seen_lines, parsed);
                    }
                }
                if records.len() < self.page_size as usize {
                    break;
                }
                if !any_new {
                    tracing::warn!(entity, start, "a page of documents already read; stopping");
                    break;
                }
                start += u64::from(self.page_size);
            }
        }
        Ok(pull)
    }
}

/// The select statement for one page of `entity` (`Purchase`, `Bill`): dated `since` or later
/// when given, oldest-created first, `max_results` from position `start` (from 1).
pub fn purchase_query(
    entity: &str,
    since: Option<NaiveDate>,
    start: u64,
    max_results: u32,
) -> String {
    let filter = since
        .map(|date| format!(" WHERE TxnDate >= '{}'", date.format("%Y-%m-%d")))
        .unwrap_or_default();
    format!(
        "SELECT * FROM {entity}{filter} ORDERBY MetaData.CreateTime STARTPOSITION {start} MAXRESULTS {max_results}"
    )
}

/// A Fault's first error as `Message: Detail (code)`.
fn fault_text(fault: &Value) -> String {
    let error = fault.pointer("/Error/0");
    let text = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
    };
    let mut out = match (text("Message"), text("Detail")) {
        (Some(message), Some(detail)) => format!("{message}: {detail}"),
        (Some(text), None) | (None, Some(text)) => text.to_owned(),
        (None, None) => "no message".to_owned(),
    };
    if let Some(code) = text("code") {
        out.push_str(&format!(" (code {code})"));
    }
    out.chars().take(300).collect()
}

/// Turns one `Purchase` or `Bill` record into its purchase lines, or says why it (or one of
/// its lines) cannot be read: a broken document is one [`MalformedRecord`] named
/// `"{entity}:{Id}"`; a broken line one named after the line, and the other lines still count.
pub fn parse_transaction(
    entity: &str,
    record: &Value,
) -> Vec<Result<PurchaseLine, MalformedRecord>> {
    let id = crate::hris::text_value("Id", record.get("Id"))
        .ok()
        .flatten();
    let Some(id) = id else {
        return vec![Err(MalformedRecord {
            external_id: None,
            reason: format!("{entity} without an Id"),
        })];
    };
    let external_id = format!("{entity}:{id}");
    let header = match Header::read(entity, record, external_id.clone()) {
        Ok(header) => header,
        Err(malformed) => return vec![Err(malformed)],
    };
    let Some(lines) = record.get("Line") else {
        return Vec::new();
    };
    let Some(lines) = lines.as_array() else {
        return vec![Err(MalformedRecord {
            external_id: Some(external_id),
            reason: "Line is not a list".into(),
        })];
    };
    lines
        .iter()
        .enumerate()
        .filter_map(|(index, line)| header.line(&external_id, index, line))
        .collect()
}

/// What every line of a document shares.
struct Header {
    document_type: &'static str,
    document_number: Option<String>,
    date: NaiveDate,
    supplier: Option<String>,
    currency: String,
    /// A card refund: amounts count negative.
    credit: bool,
}

impl Header {
    fn read(entity: &str, record: &Value, external_id: String) -> Result<Self, MalformedRecord> {
        let fields = Fields::new(record, external_id)?;
        let (document_type, supplier) = match entity {
            "Bill" => (document_type::BILL, "/VendorRef/name"),
            _ => (document_type::PURCHASE, "/EntityRef/name"),
        };
        let currency = fields.required("/CurrencyRef/value")?.to_ascii_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(fields.malformed(format!(
                "CurrencyRef.value {currency:?} is no ISO 4217 code"
            )));
        }
        Ok(Header {
            document_type,
            document_number: fields.text("/DocNumber")?,
            date: fields.date("/TxnDate")?,
            supplier: fields.text(supplier)?,
            currency,
            credit: fields.flag("/Credit")?,
        })
    }

    /// Line `index` of the document, if it is a kind of line that buys something.
    fn line(
        &self,
        document: &str,
        index: usize,
        line: &Value,
    ) -> Option<Result<PurchaseLine, MalformedRecord>> {
        let detail = line.get("DetailType").and_then(Value::as_str)?;
        let item_based = match detail {
            "ItemBasedExpenseLineDetail" => true,
            "AccountBasedExpenseLineDetail" => false,
            _ => return None,
        };
        let line_id = ["Id", "LineNum"]
            .iter()
            .find_map(|key| crate::hris::text_value(key, line.get(*key)).ok().flatten())
            .unwrap_or_else(|| (index + 1).to_string());
        Some(self.read_line(format!("{document}:{line_id}"), line, item_based))
    }

    fn read_line(
        &self,
        external_id: String,
        line: &Value,
        item_based: bool,
    ) -> Result<PurchaseLine, MalformedRecord> {
        let fields = Fields::new(line, external_id.clone())?;
        let (item, account, quantity, unit_cost) = if item_based {
            let detail = "/ItemBasedExpenseLineDetail";
            (
                fields.text(&format!("{detail}/ItemRef/name"))?,
                None,
                fields.quantity(&format!("{detail}/Qty"))?,
                fields.cents(&format!("{detail}/UnitPrice"))?,
            )
        } else {
            let account = fields.text("/AccountBasedExpenseLineDetail/AccountRef/name")?;
            (None, account, None, None)
        };
        let amount = fields.cents("/Amount")?;
        let (quantity, unit_cost_cents, amount_cents) =
            settle(amount, unit_cost, quantity).map_err(|reason| fields.malformed(reason))?;
        let sign = if self.credit { -1 } else { 1 };
        let description = fields
            .text("/Description")?
            .or_else(|| item.clone())
            .or(account)
            .unwrap_or_default();
        Ok(PurchaseLine {
            external_id,
            document_type: self.document_type.to_owned(),
            document_number: self.document_number.clone(),
            date: self.date,
            supplier: self.supplier.clone(),
            serial_number: serial_in(&description),
            description,
            quantity,
            unit_cost_cents: sign * unit_cost_cents,
            amount_cents: sign * amount_cents,
            currency: self.currency.clone(),
            item,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn config(base_url: Option<&str>, realm: &str) -> QuickBooksConfig {
        QuickBooksConfig {
            realm_id: realm.into(),
            client_id: "app".into(),
            client_secret: ClientSecret::new("s3cret"),
            refresh_token: RefreshToken::new("rt-secret"),
            base_url: base_url.map(str::to_owned),
            token_url: None,
            policy: HttpPolicy::default(),
        }
    }

    #[test]
    fn companies_live_under_the_api_host() {
        let client = QuickBooksClient::new(config(None, "9130357992224716")).unwrap();
        assert_eq!(
            client.base_url().as_str(),
            "https://quickbooks.api.intuit.com/v3/company/9130357992224716/"
        );
        assert_eq!(client.current_refresh_token(), "rt-secret");
        let shown = format!("{client:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("rt-secret"),
            "{shown}"
        );
        let local =
            QuickBooksClient::new(config(Some("http://127.0.0.1:9/quickbooks/"), "1")).unwrap();
        assert_eq!(
            local.base_url().as_str(),
            "http://127.0.0.1:9/quickbooks/v3/company/1/"
        );
        assert!(QuickBooksClient::new(config(None, "12a")).is_err());
        assert!(QuickBooksClient::new(config(None, "")).is_err());
        assert!(QuickBooksClient::new(config(Some("ftp://x"), "1")).is_err());
    }

    #[test]
    fn queries_filter_by_date_and_page_by_position() {
        assert_eq!(
            purchase_query("Bill", None, 1, 1000),
            "SELECT * FROM Bill ORDERBY MetaData.CreateTime STARTPOSITION 1 MAXRESULTS 1000"
        );
        assert_eq!(
            purchase_query("Purchase", NaiveDate::from_ymd_opt(2026, 3, 1), 11, 10),
            "SELECT * FROM Purchase WHERE TxnDate >= '2026-03-01' ORDERBY MetaData.CreateTime STARTPOSITION 11 MAXRESULTS 10"
        );
    }

    #[test]
    fn maps_bill_lines() {
        let bill = json!({
            "Id": "145", "DocNumber": "INV-2031", "TxnDate": "2026-03-04",
            "VendorRef": {"value": "56", "name": "Apple Inc."},
            "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
            "TotalAmt": 7749.97,
            "Line": [
                {"Id": "1", "LineNum": 1, "Amount": 7499.97, "DetailType": "ItemBasedExpenseLineDetail",
                 "Description": "MacBook Pro 14 M3, SN: C02XYZ123",
                 "ItemBasedExpenseLineDetail": {"ItemRef": {"value": "7", "name": "MacBook Pro 14 M3"},
                    "UnitPrice": 2499.99, "Qty": 3, "BillableStatus": "NotBillable"}},
                {"Id": "2", "LineNum": 2, "Amount": 250, "DetailType": "AccountBasedExpenseLineDetail",
                 "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "72", "name": "Software subscriptions"}}},
                {"Amount": 7749.97, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
            ]
        });
        let lines: Vec<PurchaseLine> = parse_transaction("Bill", &bill)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(lines.len(), 2);
        let laptop = &lines[0];
        assert_eq!(laptop.external_id, "Bill:145:1");
        assert_eq!(laptop.document_type, "bill");
        assert_eq!(laptop.document_number.as_deref(), Some("INV-2031"));
        assert_eq!(laptop.date, NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        assert_eq!(laptop.supplier.as_deref(), Some("Apple Inc."));
        assert_eq!(
            (laptop.quantity, laptop.unit_cost_cents, laptop.amount_cents),
            (3, 249_999, 749_997)
        );
        assert_eq!(laptop.currency, "USD");
        assert_eq!(laptop.item.as_deref(), Some("MacBook Pro 14 M3"));
        assert_eq!(laptop.serial_number.as_deref(), Some("C02XYZ123"));
        let software = &lines[1];
        assert_eq!(software.external_id, "Bill:145:2");
        assert_eq!(software.description, "Software subscriptions");
        assert_eq!(
            (
                software.quantity,
                software.unit_cost_cents,
                software.amount_cents
            ),
            (1, 25_000, 25_000)
        );
        assert_eq!((&software.item, &software.serial_number), (&None, &None));
    }

    #[test]
    fn a_card_refund_counts_negative_and_broken_parts_are_reported() {
        let refund = json!({
            "Id": "9", "TxnDate": "2026-01-05", "Credit": true, "PaymentType": "CreditCard",
            "EntityRef": {"value": "3", "name": "Dell Technologies", "type": "Vendor"},
            "CurrencyRef": {"value": "eur"},
            "Line": [
                {"Id": "1", "Amount": 289.99, "DetailType": "ItemBasedExpenseLineDetail",
                 "ItemBasedExpenseLineDetail": {"ItemRef": {"name": "WD22TB4 Dock"}, "Qty": 1}},
                {"Id": "2", "Amount": "twelve", "DetailType": "AccountBasedExpenseLineDetail",
                 "AccountBasedExpenseLineDetail": {"AccountRef": {"name": "Office"}}}
            ]
        });
        let parsed = parse_transaction("Purchase", &refund);
        let dock = parsed[0].as_ref().unwrap();
        assert_eq!(dock.document_type, "purchase");
        assert_eq!(
            (dock.unit_cost_cents, dock.amount_cents),
            (-28_999, -28_999)
        );
        assert_eq!(dock.currency, "EUR");
        assert_eq!(dock.supplier.as_deref(), Some("Dell Technologies"));
        assert_eq!(dock.description, "WD22TB4 Dock");
        let broken = parsed[1].as_ref().unwrap_err();
        assert_eq!(broken.external_id.as_deref(), Some("Purchase:9:2"));
        assert!(broken.reason.contains("Amount"), "{broken}");

        let undated = json!({"Id": "10", "TxnDate": "03/04/2026", "CurrencyRef": {"value": "USD"},
            "Line": [{"Id": "1", "Amount": 1, "DetailType": "AccountBasedExpenseLineDetail"}]});
        let parsed = parse_transaction("Bill", &undated);
        assert_eq!(parsed.len(), 1);
        let err = parsed[0].as_ref().unwrap_err();
        assert_eq!(err.external_id.as_deref(), Some("Bill:10"));
        assert!(err.reason.contains("TxnDate"), "{err}");

        let no_currency = json!({"Id": "11", "TxnDate": "2026-03-04", "Line": []});
        assert!(parse_transaction("Bill", &no_currency)[0].is_err());
        assert!(parse_transaction("Bill", &json!({"TxnDate": "2026-03-04"}))[0].is_err());
        assert!(
            parse_transaction(
                "Bill",
                &json!({"Id": "12", "TxnDate": "2026-03-04",
            "CurrencyRef": {"value": "USD"}})
            )
            .is_empty()
        );
    }

    #[test]
    fn faults_read_as_text() {
        let fault = json!({"Error": [{"Message": "Error parsing query", "Detail": "QueryParserError: Encountered \"x\"", "code": "4000"}], "type": "ValidationFault"});
        assert_eq!(
            fault_text(&fault),
            "Error parsing query: QueryParserError: Encountered \"x\" (code 4000)"
        );
    }
}

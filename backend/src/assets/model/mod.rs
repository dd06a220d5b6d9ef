//! Asset rules and types: the lifecycle, tags, money; the shapes the API shows; and (in
//! [`commands`]) the parsed commands that write requests become at the edge.

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::platform::error::FieldError;
use crate::platform::ids::{
    AssetId, AssetModelId, CategoryId, DiscrepancyId, EmployeeId, IntegrationId, LocationId,
};

mod commands;

pub use commands::*;

/// Where an asset is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, Enum)]
#[serde(rename_all = "snake_case")]
pub enum AssetStatus {
    InStock,
    Assigned,
    InTransit,
    InRepair,
    Retired,
    Lost,
    Disposed,
}

impl AssetStatus {
    pub const ALL: [AssetStatus; 7] = [
        AssetStatus::InStock,
        AssetStatus::Assigned,
        AssetStatus::InTransit,
        AssetStatus::InRepair,
        AssetStatus::Retired,
        AssetStatus::Lost,
        AssetStatus::Disposed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetStatus::InStock => "in_stock",
            AssetStatus::Assigned => "assigned",
            AssetStatus::InTransit => "in_transit",
            AssetStatus::InRepair => "in_repair",
            AssetStatus::Retired => "retired",
            AssetStatus::Lost => "lost",
            AssetStatus::Disposed => "disposed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn from_field(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::parse(s).ok_or_else(|| {
            FieldError::new(
                field,
                "invalid_choice",
                "must be one of in_stock, assigned, in_transit, in_repair, retired, lost, disposed",
            )
        })
    }

    /// Status changes allowed by an edit. `assigned` is entered only by check-out and left
    /// only by check-in (or by being lost), so the holder and history always agree.
    pub fn can_become(self, to: AssetStatus) -> bool {
        use AssetStatus::*;
        if self == to {
            return true;
        }
        match (self, to) {
            (_, Assigned) => false,
            (InStock, InTransit | InRepair | Retired | Lost) => true,
            (Assigned, Lost) => true,
            (InTransit, InStock | InRepair | Lost) => true,
            (InRepair, InStock | Retired | Disposed) => true,
            (Retired, InStock | Disposed) => true,
            (Lost, InStock | Retired | Disposed) => true,
            _ => false,
        }
    }
}

/// The condition reported at check-in; `needs_repair` sends the asset to repair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, Enum)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Good,
    Damaged,
    NeedsRepair,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Good => "good",
            Condition::Damaged => "damaged",
            Condition::NeedsRepair => "needs_repair",
        }
    }
    /// The status an asset returns to when checked in in this condition.
    pub fn status_after_checkin(self) -> AssetStatus {
        match self {
            Condition::NeedsRepair => AssetStatus::InRepair,
            Condition::Good | Condition::Damaged => AssetStatus::InStock,
        }
    }
}

/// An asset tag: 1 to 64 characters of letters, digits and `-_./#`, kept as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetTag(String);

impl AssetTag {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn generated(prefix: &str, n: i64) -> Self {
        Self(format!("{prefix}-{n:06}"))
    }
}

impl TryFrom<&str> for AssetTag {
    type Error = FieldError;
    fn try_from(v: &str) -> Result<Self, FieldError> {
        let t = v.trim();
        if t.is_empty() {
            return Err(FieldError::new("tag", "required", "must not be empty"));
        }
        if t.len() > 64 {
            return Err(FieldError::new(
                "tag",
                "too_long",
                "must be at most 64 characters",
            ));
        }
        if !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./#".contains(c))
        {
            return Err(FieldError::new(
                "tag",
                "invalid_format",
                "may contain letters, digits and - _ . / #",
            ));
        }
        Ok(Self(t.to_owned()))
    }
}

/// An amount of money in a currency: on the wire `{ "amount": "1299.00", "currency": "USD" }`,
/// stored as integer minor units so arithmetic is exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

/// Money as the API shows and accepts it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, SimpleObject)]
#[graphql(name = "Money")]
pub struct MoneyView {
    /// A decimal string with the currency's number of minor digits, e.g. `"1299.00"`.
    pub amount: String,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
}

/// Minor-unit digits of an ISO 4217 currency (2 unless listed).
pub fn currency_exponent(code: &str) -> u32 {
    match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

impl TryFrom<&MoneyView> for Money {
    type Error = FieldError;
    fn try_from(v: &MoneyView) -> Result<Self, FieldError> {
        let currency = v.currency.trim().to_uppercase();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(FieldError::new(
                "cost.currency",
                "invalid_format",
                "must be an ISO 4217 code like USD",
            ));
        }
        let exp = currency_exponent(&currency);
        let bad = || {
            FieldError::new(
                "cost.amount",
                "invalid_format",
                "must be a decimal string like \"1299.00\"",
            )
        };
        let s = v.amount.trim();
        let (neg, s) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s),
        };
        if neg {
            return Err(FieldError::new(
                "cost.amount",
                "negative",
                "must not be negative",
            ));
        }
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty()
            || !int.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        if frac.len() as u32 > exp {
            return Err(FieldError::new(
                "cost.amount",
                "too_precise",
                format!("{currency} has {exp} decimal places"),
            ));
        }
        let mut minor: i64 = int.parse().map_err(|_| bad())?;
        for _ in 0..exp {
            minor = minor.checked_mul(10).ok_or_else(bad)?;
        }
        let mut f: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        for _ in frac.len() as u32..exp {
            f *= 10;
        }
        let minor = minor.checked_add(f).ok_or_else(bad)?;
        Ok(Money { minor, currency })
    }
}

impl Money {
    pub fn view(&self) -> MoneyView {
        let exp = currency_exponent(&self.currency);
        let div = 10i64.pow(exp);
        let amount = if exp == 0 {
            self.minor.to_string()
        } else {
            format!(
                "{}.{:0width$}",
                self.minor / div,
                self.minor % div,
                width = exp as usize
            )
        };
        MoneyView {
            amount,
            currency: self.currency.clone(),
        }
    }
}

/// Months over which an asset is depreciated when its category names none.
pub const DEFAULT_DEPRECIATION_MONTHS: i32 = 36;

/// Full months from `from` to `to` (0 when `to` is earlier): a month counts once its
/// day-of-month is reached (31 Jan → 28 Feb counts one).
pub fn months_between(from: NaiveDate, to: NaiveDate) -> i32 {
    use chrono::Datelike;
    if to <= from {
        return 0;
    }
    let mut m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if add_months(from, m) > to {
        m -= 1;
    }
    m.max(0)
}

/// `date` plus `months`, clamped to the month's last day.
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    date.checked_add_months(chrono::Months::new(months.max(0) as u32))
        .unwrap_or(date)
}

/// Straight-line depreciation with no salvage value: the amount written off after `elapsed`
/// of `months`, rounded half up to the minor unit, so the months sum exactly to the cost.
pub fn accumulated_depreciation(cost_minor: i64, months: i32, elapsed: i32) -> i64 {
    if months <= 0 || cost_minor <= 0 {
        return 0;
    }
    let elapsed = i64::from(elapsed.clamp(0, months));
    let months = i64::from(months);
    (cost_minor * elapsed * 2 + months) / (months * 2)
}

/// What an asset is worth on the books on `on`.
pub fn book_value(cost_minor: i64, months: i32, purchased: NaiveDate, on: NaiveDate) -> i64 {
    cost_minor - accumulated_depreciation(cost_minor, months, months_between(purchased, on))
}

/// One month of an asset's depreciation schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepreciationPeriod {
    /// 1 for the first month after purchase.
    pub period: i32,
    /// The day the month ends (the purchase day-of-month, `period` months on).
    pub ends_on: NaiveDate,
    pub depreciation_minor: i64,
    pub accumulated_minor: i64,
    pub book_value_minor: i64,
}

/// The whole straight-line schedule of an asset, month by month.
pub fn depreciation_schedule(
    cost_minor: i64,
    months: i32,
    purchased: NaiveDate,
) -> Vec<DepreciationPeriod> {
    (1..=months.max(0))
        .map(|p| {
            let acc = accumulated_depreciation(cost_minor, months, p);
            DepreciationPeriod {
                period: p,
                ends_on: add_months(purchased, p),
                depreciation_minor: acc - accumulated_depreciation(cost_minor, months, p - 1),
                accumulated_minor: acc,
                book_value_minor: cost_minor - acc,
            }
        })
        .collect()
}

/// What the MDM last reported about the device behind an asset.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, SimpleObject)]
#[graphql(name = "DeviceFacts")]
pub struct DeviceView {
    /// The MDM integration that reported it.
    pub integration_id: IntegrationId,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    /// When the device last reached its MDM.
    pub last_check_in_at: Option<DateTime<Utc>>,
    /// The user the MDM has for the device (lowercased email).
    pub user_email: Option<String>,
    /// When a sync last read it.
    pub synced_at: Option<DateTime<Utc>>,
}

/// An asset whose MDM and our records disagree.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, SimpleObject)]
#[graphql(name = "AssetDiscrepancy")]
pub struct DiscrepancyView {
    pub id: DiscrepancyId,
    pub asset_id: AssetId,
    pub asset_tag: String,
    pub asset_name: String,
    /// `assignee_mismatch`: the MDM's user is not the person the asset is checked out to.
    pub kind: String,
    /// `open`, `resolved` (the sources agree again) or `dismissed`.
    pub status: String,
    pub detail: String,
    /// The facts compared: `mdm_user_email`, `assigned_email` (either may be null).
    #[schema(value_type = Object)]
    #[graphql(skip)]
    pub facts: serde_json::Value,
    pub integration_id: Option<IntegrationId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A reference to a named thing (`{id, name}`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, SimpleObject)]
pub struct NamedRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ModelRef {
    pub id: AssetModelId,
    pub name: String,
    pub manufacturer: String,
}

/// Who holds an asset: enough to show, without the right to read people.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, SimpleObject)]
#[graphql(name = "AssetHolder")]
pub struct HolderRef {
    pub id: EmployeeId,
    pub name: String,
    pub email: String,
}

/// An asset as every API (REST, realtime, GraphQL) shows it.
// In GraphQL the references `category`, `model` and `location` are replaced by the full
// records, and `holder` is added; `assets::graphql` resolves them through data loaders.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(name = "Asset", complex)]
pub struct AssetView {
    pub id: AssetId,
    pub tag: String,
    pub name: String,
    pub serial_number: Option<String>,
    pub status: AssetStatus,
    #[graphql(skip)]
    pub category: Option<NamedRef>,
    #[graphql(skip)]
    pub model: Option<ModelRef>,
    /// The model's manufacturer, for convenience.
    pub manufacturer: Option<String>,
    #[graphql(skip)]
    pub location: Option<NamedRef>,
    /// Who holds the asset (id, name, email).
    pub assigned_to: Option<HolderRef>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub purchase_date: Option<NaiveDate>,
    pub cost: Option<MoneyView>,
    pub supplier: Option<String>,
    pub order_number: Option<String>,
    pub warranty_end: Option<NaiveDate>,
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Value,
    pub notes: Option<String>,
    /// What the MDM last reported, for an asset an MDM manages.
    pub device: Option<DeviceView>,
    /// Straight-line depreciation period: the category's, else 36 months.
    pub depreciation_months: i32,
    /// Today's book value (cost less straight-line depreciation since the purchase date);
    /// null without a cost or a purchase date.
    pub book_value: Option<MoneyView>,
    /// Optimistic-concurrency version; send it back as `If-Match` or `version` when updating.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateAsset {
    /// Generated from the tenant's prefix and sequence when omitted.
    pub tag: Option<String>,
    pub name: String,
    pub serial_number: Option<String>,
    /// Default `in_stock`; `assigned` is reached only by check-out.
    pub status: Option<String>,
    pub category_id: Option<CategoryId>,
    pub model_id: Option<AssetModelId>,
    pub location_id: Option<LocationId>,
    pub purchase_date: Option<String>,
    pub cost: Option<MoneyView>,
    pub supplier: Option<String>,
    pub order_number: Option<String>,
    pub warranty_end: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<serde_json::Value>,
    pub notes: Option<String>,
}

/// A partial update: absent fields stay as they are, `null` clears a field.
#[derive(Deserialize, ToSchema, Default)]
pub struct UpdateAsset {
    pub tag: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub serial_number: Option<Option<String>>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub category_id: Option<Option<CategoryId>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub model_id: Option<Option<AssetModelId>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub location_id: Option<Option<LocationId>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub purchase_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<MoneyView>)]
    pub cost: Option<Option<MoneyView>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub supplier: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub order_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub warranty_end: Option<Option<String>>,
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// The version the client last saw (alternative to `If-Match`).
    pub version: Option<i32>,
}

#[derive(Deserialize, ToSchema)]
pub struct CheckoutRequest {
    pub employee_id: EmployeeId,
    pub due_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub version: Option<i32>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CheckinRequest {
    /// Default `good`.
    pub condition: Option<String>,
    pub note: Option<String>,
    pub version: Option<i32>,
}

#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "Category")]
pub struct CategoryView {
    pub id: CategoryId,
    pub name: String,
    pub depreciation_months: Option<i32>,
    pub created_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
pub struct CategoryInput {
    pub name: String,
    pub depreciation_months: Option<i32>,
}

/// A manufacturer's model (e.g. Apple "MacBook Pro 14").
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "AssetModel")]
pub struct ModelView {
    pub id: AssetModelId,
    pub name: String,
    pub manufacturer: String,
    pub model_number: Option<String>,
    pub category_id: Option<CategoryId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
pub struct ModelInput {
    pub name: String,
    pub manufacturer: String,
    pub model_number: Option<String>,
    pub category_id: Option<CategoryId>,
}

/// How many assets have one status.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
pub struct StatusCount {
    pub status: AssetStatus,
    pub count: i64,
}

/// How many assets belong to one category (`category` is null for assets without one).
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
pub struct CategoryCount {
    pub category: Option<NamedRef>,
    pub count: i64,
}

/// The dashboard's numbers, over the assets the caller may see (a member: what they hold).
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "DashboardStatistics")]
pub struct DashboardView {
    /// Live (not deleted) assets.
    pub total_assets: i64,
    /// One entry per status, zeros included, in lifecycle order.
    pub by_status: Vec<StatusCount>,
    /// Checked out to someone (status `assigned`).
    pub assigned: i64,
    /// Ready to hand out (status `in_stock`).
    pub in_stock: i64,
    /// In-service assets (in stock, assigned, in transit, in repair) whose warranty ends within
    /// the next 30 days, today included.
    pub warranty_expiring_30_days: i64,
    /// The same within the next 90 days (includes the 30-day ones).
    pub warranty_expiring_90_days: i64,
    /// In-service assets whose warranty has already ended.
    pub warranty_expired: i64,
    /// Assets per category, largest first; assets without a category are one entry with
    /// `category: null`.
    pub by_category: Vec<CategoryCount>,
    /// When the numbers were taken.
    pub generated_at: DateTime<Utc>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn months_count_once_the_day_is_reached() {
        assert_eq!(months_between(d("2026-01-15"), d("2026-02-14")), 0);
        assert_eq!(months_between(d("2026-01-15"), d("2026-02-15")), 1);
        assert_eq!(months_between(d("2026-01-31"), d("2026-02-28")), 1);
        assert_eq!(months_between(d("2025-11-01"), d("2026-11-25")), 12);
        assert_eq!(months_between(d("2026-03-01"), d("2026-01-01")), 0);
    }

    #[test]
    fn straight_line_depreciation_sums_to_the_cost() {
        // $2,499.00 over 36 months: 69.42 or 69.41 a month, never a cent lost.
        let schedule = depreciation_schedule(249_900, 36, d("2026-01-10"));
        assert_eq!(schedule.len(), 36);
        assert_eq!(
            schedule.iter().map(|p| p.depreciation_minor).sum::<i64>(),
            249_900
        );
        assert!(
            schedule
                .iter()
                .all(|p| (6941..=6942).contains(&p.depreciation_minor))
        );
        assert_eq!(schedule[35].book_value_minor, 0);
        assert_eq!(schedule[0].ends_on, d("2026-02-10"));
        // Half way: half the value.
        assert_eq!(
            book_value(249_900, 36, d("2026-01-10"), d("2027-07-10")),
            124_950
        );
        // Before the first month ends nothing is written off; past the end, nothing is left.
        assert_eq!(
            book_value(249_900, 36, d("2026-01-10"), d("2026-02-09")),
            249_900
        );
        assert_eq!(book_value(249_900, 36, d("2026-01-10"), d("2031-01-01")), 0);
    }

    fn money(amount: &str, currency: &str) -> Result<Money, FieldError> {
        Money::try_from(&MoneyView {
            amount: amount.into(),
            currency: currency.into(),
        })
    }

    #[test]
    fn money_parses_to_minor_units_and_back() {
        assert_eq!(
            money("1299.00", "USD").ok(),
            Some(Money {
                minor: 129900,
                currency: "USD".into()
            })
        );
        assert_eq!(
            money("1299.5", "usd").map(|m| m.view().amount).ok(),
            Some("1299.50".into())
        );
        assert_eq!(
            money("1299", "JPY").map(|m| m.view().amount).ok(),
            Some("1299".into())
        );
        assert_eq!(money("1.234", "KWD").map(|m| m.minor).ok(), Some(1234));
        assert_eq!(
            money("0.05", "EUR").map(|m| m.view().amount).ok(),
            Some("0.05".into())
        );
    }

    #[test]
    fn bad_money_names_the_field() {
        assert_eq!(
            money("12.345", "USD").err().map(|e| e.code),
            Some("too_precise".into())
        );
        assert_eq!(
            money("abc", "USD").err().map(|e| e.field),
            Some("cost.amount".into())
        );
        assert_eq!(
            money("-1", "USD").err().map(|e| e.code),
            Some("negative".into())
        );
        assert_eq!(
            money("1", "US").err().map(|e| e.field),
            Some("cost.currency".into())
        );
        assert!(money("99999999999999999999", "USD").is_err());
    }

    #[test]
    fn lifecycle_allows_only_valid_transitions() {
        use AssetStatus::*;
        assert!(InStock.can_become(InRepair));
        assert!(!InStock.can_become(Assigned), "assigned only via check-out");
        assert!(
            !Assigned.can_become(InStock),
            "leaving assigned only via check-in"
        );
        assert!(!Disposed.can_become(InStock), "disposed is final");
        assert!(!Retired.can_become(Lost));
        assert!(Retired.can_become(Disposed));
    }

    #[test]
    fn checkin_condition_decides_the_next_status() {
        assert_eq!(Condition::Good.status_after_checkin(), AssetStatus::InStock);
        assert_eq!(
            Condition::NeedsRepair.status_after_checkin(),
            AssetStatus::InRepair
        );
    }

    #[test]
    fn tags_are_checked() {
        assert!(AssetTag::try_from("LAP-0001").is_ok());
        assert!(AssetTag::try_from("bad tag").is_err());
        assert!(AssetTag::try_from("").is_err());
        assert_eq!(AssetTag::generated("AST", 42).as_str(), "AST-000042");
    }
}

//! The parsed commands write requests become at the edge: a new asset, a patch, a check-in, a
//! category's fields, a new model. Each checks every field and names every one that is wrong;
//! what needs the database (references, tags in use, the status change) is the service's.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;
use crate::platform::error::FieldError;
use crate::platform::ids::{AssetModelId, CategoryId, LocationId};
use crate::platform::validation::{self as v, Errors};

/// Every field's complaint about a request, collected at once.
pub type FieldErrors = Vec<FieldError>;

/// A date field: blank is no date.
fn date_field(errs: &mut Errors, field: &str, v: Option<&str>) -> Option<NaiveDate> {
    v.filter(|s| !s.trim().is_empty())
        .and_then(|s| errs.take(v::date(field, s)))
}

/// Custom fields: an object of at most 16 KiB; absent or null is `{}`.
fn custom_fields(errs: &mut Errors, v: Option<Value>) -> Value {
    match v {
        None | Some(Value::Null) => json!({}),
        Some(Value::Object(m))
            if serde_json::to_string(&m).map(|s| s.len()).unwrap_or(0) <= 16 * 1024 =>
        {
            Value::Object(m)
        }
        Some(Value::Object(_)) => {
            errs.add("custom_fields", "too_large", "must be at most 16 KiB");
            json!({})
        }
        Some(_) => {
            errs.add("custom_fields", "invalid_type", "must be an object");
            json!({})
        }
    }
}

fn text(errs: &mut Errors, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    errs.take(v::optional_text(field, v, max)).flatten()
}

/// The records an asset names (category, model, location). Whether they exist is the
/// service's to check; they are kept apart so it can check them even when fields are wrong,
/// and one answer names every bad field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssetRefs {
    pub category_id: Option<CategoryId>,
    pub model_id: Option<AssetModelId>,
    pub location_id: Option<LocationId>,
}

/// A new asset, every field checked. The tag is generated when `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAsset {
    pub tag: Option<AssetTag>,
    pub name: String,
    pub serial_number: Option<String>,
    /// Never `assigned`: that is reached only by check-out.
    pub status: AssetStatus,
    pub refs: AssetRefs,
    pub purchase_date: Option<NaiveDate>,
    pub cost: Option<Money>,
    pub supplier: Option<String>,
    pub order_number: Option<String>,
    pub warranty_end: Option<NaiveDate>,
    /// An object of at most 16 KiB.
    pub custom_fields: Value,
    pub notes: Option<String>,
}

impl CreateAsset {
    pub fn refs(&self) -> AssetRefs {
        AssetRefs {
            category_id: self.category_id,
            model_id: self.model_id,
            location_id: self.location_id,
        }
    }
}

impl NewAsset {
    /// Checks every field of a new asset, naming each that is wrong.
    pub fn parse(req: CreateAsset) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let refs = req.refs();
        let tag = req
            .tag
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .and_then(|t| errs.take(AssetTag::try_from(t)));
        let name = errs.take(v::required_text("name", &req.name, 200));
        let serial_number = text(
            &mut errs,
            "serial_number",
            req.serial_number.as_deref(),
            128,
        );
        let status = match req.status.as_deref() {
            None => Some(AssetStatus::InStock),
            Some(s) => errs.take(AssetStatus::from_field("status", s)),
        };
        if status == Some(AssetStatus::Assigned) {
            errs.add(
                "status",
                "invalid_transition",
                "assets become assigned only by check-out",
            );
        }
        let purchase_date = date_field(&mut errs, "purchase_date", req.purchase_date.as_deref());
        let warranty_end = date_field(&mut errs, "warranty_end", req.warranty_end.as_deref());
        let cost = req
            .cost
            .as_ref()
            .and_then(|c| errs.take(Money::try_from(c)));
        let supplier = text(&mut errs, "supplier", req.supplier.as_deref(), 200);
        let order_number = text(&mut errs, "order_number", req.order_number.as_deref(), 100);
        let notes = text(&mut errs, "notes", req.notes.as_deref(), 10_000);
        let custom_fields = custom_fields(&mut errs, req.custom_fields);
        match (name, status) {
            (Some(name), Some(status)) if errs.0.is_empty() => Ok(Self {
                tag,
                name,
                serial_number,
                status,
                refs,
                purchase_date,
                cost,
                supplier,
                order_number,
                warranty_end,
                custom_fields,
                notes,
            }),
            _ => Err(errs.0),
        }
    }
}

/// A partial update of an asset, every given field checked: `None` leaves a field as it is,
/// `Some(None)` clears it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AssetPatch {
    pub tag: Option<AssetTag>,
    pub name: Option<String>,
    pub serial_number: Option<Option<String>>,
    /// Whether the current status may become this one is the service's to check.
    pub status: Option<AssetStatus>,
    pub category_id: Option<Option<CategoryId>>,
    pub model_id: Option<Option<AssetModelId>>,
    pub location_id: Option<Option<LocationId>>,
    pub purchase_date: Option<Option<NaiveDate>>,
    pub cost: Option<Option<Money>>,
    pub supplier: Option<Option<String>>,
    pub order_number: Option<Option<String>>,
    pub warranty_end: Option<Option<NaiveDate>>,
    pub custom_fields: Option<Value>,
    pub notes: Option<Option<String>>,
    /// The version the client last saw.
    pub version: Option<i32>,
}

impl AssetPatch {
    /// Checks every given field of an update. On failure the patch is still returned, without
    /// the fields that were wrong, so the service can check the rest against the database
    /// (references, the status change) and answer every problem at once.
    pub fn parse(req: UpdateAsset) -> (Self, FieldErrors) {
        let mut errs = Errors::default();
        let tag = req
            .tag
            .as_deref()
            .and_then(|t| errs.take(AssetTag::try_from(t)));
        let name = req
            .name
            .as_deref()
            .and_then(|n| errs.take(v::required_text("name", n, 200)));
        let serial_number = req
            .serial_number
            .map(|s| text(&mut errs, "serial_number", s.as_deref(), 128));
        let status = req
            .status
            .as_deref()
            .and_then(|s| errs.take(AssetStatus::from_field("status", s)));
        let purchase_date = req
            .purchase_date
            .map(|d| date_field(&mut errs, "purchase_date", d.as_deref()));
        let warranty_end = req
            .warranty_end
            .map(|d| date_field(&mut errs, "warranty_end", d.as_deref()));
        let cost = req
            .cost
            .map(|c| c.as_ref().and_then(|c| errs.take(Money::try_from(c))));
        let supplier = req
            .supplier
            .map(|s| text(&mut errs, "supplier", s.as_deref(), 200));
        let order_number = req
            .order_number
            .map(|s| text(&mut errs, "order_number", s.as_deref(), 100));
        let notes = req
            .notes
            .map(|s| text(&mut errs, "notes", s.as_deref(), 10_000));
        let custom_fields = req.custom_fields.map(|c| custom_fields(&mut errs, Some(c)));
        let patch = Self {
            tag,
            name,
            serial_number,
            status,
            category_id: req.category_id,
            model_id: req.model_id,
            location_id: req.location_id,
            purchase_date,
            cost,
            supplier,
            order_number,
            warranty_end,
            custom_fields,
            notes,
            version: req.version,
        };
        (patch, errs.0)
    }
}

/// A check-in, every field checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkin {
    /// `good` unless given.
    pub condition: Condition,
    pub note: Option<String>,
    /// The version the client last saw.
    pub version: Option<i32>,
}

impl Checkin {
    /// Checks the condition and the note, naming each that is wrong.
    pub fn parse(req: CheckinRequest) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let condition = match req.condition.as_deref() {
            None | Some("good") => Some(Condition::Good),
            Some("damaged") => Some(Condition::Damaged),
            Some("needs_repair") => Some(Condition::NeedsRepair),
            Some(_) => {
                errs.add(
                    "condition",
                    "invalid_choice",
                    "must be one of good, damaged, needs_repair",
                );
                None
            }
        };
        let note = text(&mut errs, "note", req.note.as_deref(), 2000);
        match condition {
            Some(condition) if errs.0.is_empty() => Ok(Self {
                condition,
                note,
                version: req.version,
            }),
            _ => Err(errs.0),
        }
    }
}

/// A category's fields, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryFields {
    pub name: String,
    /// 1 to 600.
    pub depreciation_months: Option<i32>,
}

impl CategoryFields {
    /// Checks the name and the depreciation period, naming each that is wrong.
    pub fn parse(req: CategoryInput) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let name = errs.take(v::required_text("name", &req.name, 120));
        if req
            .depreciation_months
            .is_some_and(|m| !(1..=600).contains(&m))
        {
            errs.add(
                "depreciation_months",
                "out_of_range",
                "must be between 1 and 600",
            );
        }
        match name {
            Some(name) if errs.0.is_empty() => Ok(Self {
                name,
                depreciation_months: req.depreciation_months,
            }),
            _ => Err(errs.0),
        }
    }
}

/// A new manufacturer's model, every field checked; whether its category exists is the
/// service's to check (also when fields are wrong, so one answer names every bad field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewModel {
    pub name: String,
    pub manufacturer: String,
    pub model_number: Option<String>,
    pub category_id: Option<CategoryId>,
}

impl NewModel {
    /// Checks the name, manufacturer and model number, naming each that is wrong.
    pub fn parse(req: ModelInput) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let name = errs.take(v::required_text("name", &req.name, 120));
        let manufacturer = errs.take(v::required_text("manufacturer", &req.manufacturer, 120));
        let model_number = text(&mut errs, "model_number", req.model_number.as_deref(), 120);
        match (name, manufacturer) {
            (Some(name), Some(manufacturer)) if errs.0.is_empty() => Ok(Self {
                name,
                manufacturer,
                model_number,
                category_id: req.category_id,
            }),
            _ => Err(errs.0),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn create(name: &str) -> CreateAsset {
        CreateAsset {
            tag: None,
            name: name.into(),
            serial_number: None,
            status: None,
            category_id: None,
            model_id: None,
            location_id: None,
            purchase_date: None,
            cost: None,
            supplier: None,
            order_number: None,
            warranty_end: None,
            custom_fields: None,
            notes: None,
        }
    }

    fn fields(errs: &[FieldError]) -> Vec<(&str, &str)> {
        errs.iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect()
    }

    #[test]
    fn a_new_asset_is_trimmed_and_in_stock_by_default() {
        let a = NewAsset::parse(CreateAsset {
            tag: Some("  ".into()),
            serial_number: Some(" C02XYZ ".into()),
            purchase_date: Some("2026-01-15".into()),
            warranty_end: Some(" ".into()),
            cost: Some(MoneyView {
                amount: "2499.5".into(),
                currency: "eur".into(),
            }),
            supplier: Some("".into()),
            ..create(" Design laptop ")
        })
        .unwrap();
        assert_eq!(a.tag, None, "a blank tag is generated");
        assert_eq!(a.name, "Design laptop");
        assert_eq!(a.serial_number.as_deref(), Some("C02XYZ"));
        assert_eq!(a.status, AssetStatus::InStock);
        assert_eq!(a.purchase_date, Some(d("2026-01-15")));
        assert_eq!(a.warranty_end, None);
        assert_eq!(
            a.cost,
            Some(Money {
                minor: 249_950,
                currency: "EUR".into()
            })
        );
        assert_eq!(a.supplier, None);
        assert_eq!(a.custom_fields, json!({}));
    }

    #[test]
    fn a_new_asset_names_every_bad_field_at_once() {
        let errs = NewAsset::parse(CreateAsset {
            tag: Some("has spaces".into()),
            status: Some("assigned".into()),
            purchase_date: Some("15/01/2026".into()),
            cost: Some(MoneyView {
                amount: "12.345".into(),
                currency: "USD".into(),
            }),
            custom_fields: Some(json!([1, 2])),
            ..create("")
        })
        .unwrap_err();
        assert_eq!(
            fields(&errs),
            [
                ("tag", "invalid_format"),
                ("name", "required"),
                ("status", "invalid_transition"),
                ("purchase_date", "invalid_format"),
                ("cost.amount", "too_precise"),
                ("custom_fields", "invalid_type"),
            ]
        );
        let errs = NewAsset::parse(CreateAsset {
            status: Some("broken".into()),
            notes: Some("x".repeat(10_001)),
            custom_fields: Some(json!({"k": "x".repeat(17 * 1024)})),
            ..create("ok")
        })
        .unwrap_err();
        assert_eq!(
            fields(&errs),
            [
                ("status", "invalid_choice"),
                ("notes", "too_long"),
                ("custom_fields", "too_large"),
            ]
        );
    }

    #[test]
    fn a_patch_keeps_absent_apart_from_cleared() {
        let (p, errs) = AssetPatch::parse(UpdateAsset {
            name: Some(" New name ".into()),
            serial_number: Some(None),
            purchase_date: Some(Some(" ".into())),
            cost: Some(None),
            status: Some("in_repair".into()),
            version: Some(3),
            ..Default::default()
        });
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(p.name.as_deref(), Some("New name"));
        assert_eq!(p.serial_number, Some(None));
        assert_eq!(p.purchase_date, Some(None));
        assert_eq!(p.cost, Some(None));
        assert_eq!(p.status, Some(AssetStatus::InRepair));
        assert_eq!(p.tag, None);
        assert_eq!(p.notes, None);
        assert_eq!(p.custom_fields, None);
        assert_eq!(p.version, Some(3));
    }

    #[test]
    fn a_patch_names_every_bad_field_and_keeps_the_rest() {
        let (p, errs) = AssetPatch::parse(UpdateAsset {
            tag: Some("".into()),
            name: Some(" ".into()),
            status: Some("gone".into()),
            warranty_end: Some(Some("soon".into())),
            supplier: Some(Some("ACME".into())),
            ..Default::default()
        });
        assert_eq!(
            fields(&errs),
            [
                ("tag", "required"),
                ("name", "required"),
                ("status", "invalid_choice"),
                ("warranty_end", "invalid_format"),
            ]
        );
        assert_eq!(p.supplier, Some(Some("ACME".into())));
        assert_eq!(p.status, None);
    }

    #[test]
    fn a_checkin_is_good_unless_told() {
        let c = Checkin::parse(CheckinRequest::default()).unwrap();
        assert_eq!(c.condition, Condition::Good);
        let errs = Checkin::parse(CheckinRequest {
            condition: Some("wet".into()),
            note: Some("x".repeat(2001)),
            version: None,
        })
        .unwrap_err();
        assert_eq!(
            fields(&errs),
            [("condition", "invalid_choice"), ("note", "too_long")]
        );
    }

    #[test]
    fn catalog_fields_are_checked() {
        let errs = CategoryFields::parse(CategoryInput {
            name: " ".into(),
            depreciation_months: Some(0),
        })
        .unwrap_err();
        assert_eq!(
            fields(&errs),
            [
                ("name", "required"),
                ("depreciation_months", "out_of_range")
            ]
        );
        let m = NewModel::parse(ModelInput {
            name: " MacBook Pro 14 ".into(),
            manufacturer: "Apple".into(),
            model_number: Some(" ".into()),
            category_id: None,
        })
        .unwrap();
        assert_eq!(m.name, "MacBook Pro 14");
        assert_eq!(m.model_number, None);
    }
}

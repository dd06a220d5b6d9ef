//! The OpenAPI document, generated from the handlers' annotations. `assetronics openapi`
//! prints it; `openapi/openapi.json` is the checked-in copy the SPA's types come from.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{accounts, assets, audit, people, platform};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Assetronics API",
        version = "1.0.0",
        description = "Hardware-asset management: assets, people, check-out/in, audit. \
                       Errors are RFC 9457 problem+json; lists use cursor pagination; \
                       POSTs accept Idempotency-Key; updates take If-Match."
    ),
    paths(
        platform::http::healthz, platform::http::readyz,
        accounts::http::signup, accounts::http::login, accounts::http::refresh, accounts::http::logout,
        accounts::http::me, accounts::http::get_tenant, accounts::http::update_tenant,
        accounts::http::list_users, accounts::http::create_user, accounts::http::update_user,
        accounts::http::list_tokens, accounts::http::create_token, accounts::http::revoke_token,
        assets::http::list, assets::http::create, assets::http::lookup, assets::http::get, assets::http::update,
        assets::http::delete, assets::http::checkout, assets::http::checkin, assets::http::history,
        assets::http::list_categories, assets::http::create_category, assets::http::update_category,
        assets::http::list_models, assets::http::create_model, assets::http::dashboard,
        assets::http::list_discrepancies, assets::http::dismiss_discrepancy, assets::http::depreciation_csv,
        people::http::list, people::http::create, people::http::get, people::http::update, people::http::delete,
        people::http::list_departments, people::http::create_department, people::http::update_department,
        people::http::list_locations, people::http::create_location, people::http::update_location,
        people::http::delete_department, people::http::delete_location,
        audit::http::list, audit::http::verify,
        crate::realtime::sse::stream,
        crate::integrations::http::create, crate::integrations::http::list, crate::integrations::http::get,
        crate::integrations::http::delete, crate::integrations::http::test, crate::integrations::http::update,
        crate::integrations::http::sync, crate::integrations::http::list_runs, crate::integrations::http::get_run,
        crate::integrations::http::list_deliveries, crate::integrations::webhooks::receive,
        crate::integrations::slack::requests::events, crate::integrations::slack::requests::commands,
        crate::integrations::slack::requests::interactivity,
        crate::workflows::http::list, crate::workflows::http::start, crate::workflows::http::get,
        crate::workflows::http::cancel, crate::workflows::http::approve, crate::workflows::http::reject,
        crate::workflows::http::complete, crate::workflows::http::approvals,
        crate::workflows::http::list_templates, crate::workflows::http::save_template,
    ),
    components(schemas(platform::error::Problem, platform::error::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign up, sign in, sessions"),
        (name = "assets", description = "The inventory and its lifecycle"),
        (name = "employees", description = "People and departments"),
        (name = "audit", description = "The hash-chained audit log"),
        (name = "dashboard", description = "Inventory statistics"),
        (name = "integrations", description = "HRIS and other connections, sync runs, webhook deliveries"),
        (name = "webhooks", description = "Signed inbound vendor webhooks (no user auth)"),
        (name = "workflows", description = "Onboarding and offboarding workflows, approvals, templates"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or API token")
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON with a trailing newline (the checked-in form).
pub fn document() -> String {
    let mut s = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handler whose path extractor is a typed id is not described by utoipa on its own: every
    /// `{name}` of a path must be declared as a path parameter of each of its operations.
    #[test]
    fn every_path_template_parameter_is_declared() {
        let doc = ApiDoc::openapi();
        let mut missing = vec![];
        for (path, item) in &doc.paths.paths {
            let names: Vec<&str> = path
                .split('{')
                .skip(1)
                .filter_map(|s| s.split('}').next())
                .collect();
            let ops = [
                ("get", &item.get),
                ("post", &item.post),
                ("put", &item.put),
                ("patch", &item.patch),
                ("delete", &item.delete),
            ];
            for (method, op) in ops {
                let Some(op) = op else { continue };
                let declared: Vec<&str> = op
                    .parameters
                    .iter()
                    .flatten()
                    .filter_map(|p| match p {
                        utoipa::openapi::RefOr::T(p) => Some(p),
                        utoipa::openapi::RefOr::Ref(_) => None,
                    })
                    .filter(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Path))
                    .map(|p| p.name.as_str())
                    .collect();
                for n in &names {
                    if !declared.contains(n) {
                        missing.push(format!("{method} {path}: {{{n}}}"));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "undeclared path parameters: {missing:?}"
        );
    }
}

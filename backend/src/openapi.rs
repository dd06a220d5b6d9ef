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
    modifiers(&BearerAuth, &ProblemResponses),
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

/// Every error the server sends is `application/problem+json`: this one place gives each
/// operation the error responses its shape can produce — 400 (an unparseable query, path,
/// header or body), 401/403/429 (a secured operation), 404 (an id in the path), 413/415/422
/// (a body), 422 (a query or header), 409/422 (a write: conflicts, idempotency) — and declares
/// every 4xx/5xx with the problem media type, so a new endpoint cannot forget them. Responses
/// an operation declares itself keep their description.
struct ProblemResponses;

const PROBLEM_TYPE: &str = "application/problem+json";

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{RefOr, ResponseBuilder};
        for (route, item) in openapi.paths.paths.iter_mut() {
            let api = route.starts_with("/api/v1/");
            let ops = [
                (false, &mut item.get),
                (true, &mut item.post),
                (true, &mut item.put),
                (true, &mut item.patch),
                (true, &mut item.delete),
            ];
            for (writes, op) in ops {
                let Some(op) = op else { continue };
                let has = |inside: ParameterIn| {
                    op.parameters.iter().flatten().any(|p| match p {
                        RefOr::T(p) => {
                            std::mem::discriminant(&p.parameter_in)
                                == std::mem::discriminant(&inside)
                        }
                        RefOr::Ref(_) => false,
                    })
                };
                let (path, query, header) = (
                    has(ParameterIn::Path),
                    has(ParameterIn::Query),
                    has(ParameterIn::Header),
                );
                let body = op.request_body.is_some();
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let mut common: Vec<(&str, &str)> = vec![];
                if path || query || header || body {
                    common.push(("400", "Malformed request: a value that does not parse"));
                }
                // Writes of the API can conflict: a duplicate name, a stale version, a request
                // with the same Idempotency-Key still in progress.
                if api && writes && secured {
                    common.push(("409", "Conflict (duplicate, stale version, or in progress)"));
                }
                if secured {
                    common.push(("401", "Not authenticated"));
                    common.push(("403", "Not allowed for this role"));
                    common.push(("429", "Rate limited (see `Retry-After`)"));
                }
                if path {
                    common.push(("404", "Not found (also for another tenant's ids)"));
                }
                if body {
                    common.push(("413", "The body is too large"));
                    common.push(("415", "The body is not JSON"));
                }
                // Also an Idempotency-Key reused with another request, or an If-Match that is not
                // a version.
                if body || query || header || (api && writes && secured) {
                    common.push(("422", "Validation failed (`errors` names each field)"));
                }
                for (status, description) in common {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| {
                            RefOr::T(ResponseBuilder::new().description(description).build())
                        });
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    if !(status.starts_with('4') || status.starts_with('5')) {
                        continue;
                    }
                    let content = response
                        .content
                        .shift_remove("application/json")
                        .unwrap_or_else(|| {
                            RefOr::T(utoipa::openapi::Content::new(Some(RefOr::Ref(
                                utoipa::openapi::schema::Ref::from_schema_name("Problem"),
                            ))))
                        });
                    response.content.clear();
                    response.content.insert(PROBLEM_TYPE.to_owned(), content);
                }
            }
        }
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

    /// Every error response of every operation is a problem, and the errors an operation's
    /// shape can produce are all declared.
    #[test]
    fn every_error_is_declared_as_problem_json() {
        let doc: serde_json::Value =
            serde_json::from_str(&document()).unwrap_or(serde_json::Value::Null);
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        assert!(!paths.is_empty());
        for (path, item) in &paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let responses = op["responses"].as_object().cloned().unwrap_or_default();
                for (status, r) in &responses {
                    if status.starts_with('4') || status.starts_with('5') {
                        let content = r["content"].as_object().cloned().unwrap_or_default();
                        assert_eq!(
                            content.keys().collect::<Vec<_>>(),
                            vec!["application/problem+json"],
                            "{method} {path} {status}"
                        );
                    }
                }
                let secured = op
                    .get("security")
                    .and_then(|s| s.as_array())
                    .is_some_and(|a| !a.is_empty());
                if secured {
                    for status in ["401", "403", "429"] {
                        assert!(
                            responses.contains_key(status),
                            "{method} {path} lacks {status}"
                        );
                    }
                }
                if op.get("requestBody").is_some() {
                    for status in ["400", "413", "415", "422"] {
                        assert!(
                            responses.contains_key(status),
                            "{method} {path} lacks {status}"
                        );
                    }
                }
                if path.contains('{') {
                    assert!(responses.contains_key("404"), "{method} {path} lacks 404");
                }
            }
        }
    }
}

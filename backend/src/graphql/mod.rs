//! The GraphQL API: one schema over the same service layer as REST.
//!
//! `POST /api/graphql` runs queries and mutations; `/api/graphql/ws` serves subscriptions over
//! `graphql-transport-ws` (the `graphql-ws` npm client; the legacy `graphql-ws` protocol too),
//! authenticated by the `connection_init` payload; `/api/graphiql` is the explorer.
//!
//! Each context keeps its resolvers in `<context>/graphql.rs`; this module merges them into one
//! schema, sets the depth and complexity limits, authenticates the caller, binds the
//! per-request data loaders and turns [`ApiError`]s into GraphQL errors whose
//! `extensions.code` is the REST problem code.

mod explorer;
mod subscriptions;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::connection::{Connection, Edge};
use async_graphql::dataloader::DataLoader;
use async_graphql::{
    Context, Data, ErrorExtensions, MergedObject, MergedSubscription, Schema, ServerError,
};

use crate::platform::auth::{Principal, principal_of};
use crate::platform::error::{ApiError, ApiResult, Code};
use crate::platform::http::resource;
use crate::platform::idempotency;
use crate::platform::pagination::Page;
use crate::platform::state::AppState;
use crate::{accounts, assets, audit, integrations, people, workflows};

/// Deepest selection a document may nest. Leaves room for the standard introspection query
/// (about 13 levels); each hop like `asset.holder.assets` costs two.
pub const MAX_DEPTH: usize = 15;
/// Most expensive document accepted: each field costs 1, a list field multiplies its
/// selection by the page size it asks for (see [`page_cost`]).
pub const MAX_COMPLEXITY: usize = 20_000;

// Every query; each context's resolvers call its service, its loaders go into `add_scope`.
#[derive(MergedObject, Default)]
pub struct Query(
    accounts::graphql::AccountsQuery,
    assets::graphql::AssetsQuery,
    people::graphql::PeopleQuery,
    audit::graphql::AuditQuery,
    workflows::graphql::WorkflowsQuery,
    integrations::graphql::IntegrationsQuery,
);

// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    assets::graphql::AssetsMutation,
    people::graphql::PeopleMutation,
    workflows::graphql::WorkflowsMutation,
    integrations::graphql::IntegrationsMutation,
);

// Every subscription, each fed by the event bus and scoped to the caller's tenant (topics
// `assets:`, `employees:`, `workflows:` and `integrations:{tenant_id}`).
#[derive(MergedSubscription, Default)]
pub struct Subscription(
    assets::graphql::AssetsSubscription,
    people::graphql::PeopleSubscription,
    workflows::graphql::WorkflowsSubscription,
    integrations::graphql::IntegrationsSubscription,
);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// The schema with its limits. It holds no state: the caller, the application state and the
/// loaders come with each request (or WebSocket connection), see [`add_scope`].
pub fn schema() -> AppSchema {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .finish()
}

/// The schema in SDL, as checked in at `openapi/schema.graphql`.
pub fn sdl() -> String {
    let mut s = schema().sdl();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// The cost of a paginated field: its selection times the page size asked for (default 50).
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let n = first
        .unwrap_or(crate::platform::pagination::DEFAULT_LIMIT as i32)
        .max(1) as usize;
    n.saturating_mul(child_complexity.max(1))
}

/// The authenticated caller of one request (or one subscription connection) and the
/// application state, which every resolver and loader works through.
pub struct Scope {
    pub state: web::Data<AppState>,
    pub who: Principal,
}

/// Why a request has no caller: no bearer, or one that does not authenticate.
struct Unauthenticated(ApiError);

/// Adds what one request or connection carries: the caller's [`Scope`] and a fresh set of
/// data loaders bound to it (so batching never crosses callers, and nothing is cached between
/// requests).
pub fn add_scope(data: &mut Data, state: web::Data<AppState>, who: Principal) {
    let scope = Arc::new(Scope { state, who });
    assets::graphql::add_loaders(data, &scope);
    people::graphql::add_loaders(data, &scope);
    data.insert(scope);
}

/// The caller's scope, or an `unauthenticated` (or `token_*`) error.
pub fn scope<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Scope> {
    if let Some(s) = ctx.data_opt::<Arc<Scope>>() {
        return Ok(s.as_ref());
    }
    Err(match ctx.data_opt::<Unauthenticated>() {
        Some(Unauthenticated(e)) => e.extend(),
        None => ApiError::new(Code::Unauthenticated, "send Authorization: Bearer <token>").extend(),
    })
}

/// A data loader of the current request.
pub fn loader<'a, T: Send + Sync + 'static>(
    ctx: &Context<'a>,
) -> async_graphql::Result<&'a DataLoader<T>> {
    scope(ctx)?;
    ctx.data::<DataLoader<T>>()
}

/// A data loader: it batches the loads issued while one request resolves, and caches nothing.
pub fn new_loader<T: Send + Sync + 'static>(loader: T) -> DataLoader<T> {
    DataLoader::new(loader, tokio::spawn)
}

/// An [`ApiError`] as a GraphQL error: the message is the problem's detail (or title) and
/// `extensions` carry `code` and `status` as in REST, and per-field `errors` for validation
/// (field names in the schema's camelCase, e.g. `serialNumber`, `cost.amount`).
impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        let message = self
            .detail
            .clone()
            .unwrap_or_else(|| self.code.title().to_owned());
        async_graphql::Error::new(message).extend_with(|_, e| {
            e.set("code", self.code.as_str());
            e.set("status", self.code.status().as_u16());
            if !self.errors.is_empty() {
                let errors = self
                    .errors
                    .iter()
                    .map(|f| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(
                            async_graphql::Name::new("field"),
                            async_graphql::Value::from(camel_path(&f.field)),
                        );
                        m.insert(
                            async_graphql::Name::new("code"),
                            async_graphql::Value::from(f.code.clone()),
                        );
                        m.insert(
                            async_graphql::Name::new("message"),
                            async_graphql::Value::from(f.message.clone()),
                        );
                        async_graphql::Value::Object(m)
                    })
                    .collect::<Vec<_>>();
                e.set("errors", async_graphql::Value::List(errors));
            }
            if let Some(secs) = self.retry_after_secs {
                e.set("retryAfter", secs);
            }
        })
    }
}

/// `cost.amount` stays, `serial_number` becomes `serialNumber`.
fn camel_path(field: &str) -> String {
    field
        .split('.')
        .map(|seg| {
            let mut out = String::with_capacity(seg.len());
            let mut upper = false;
            for c in seg.chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    out.extend(c.to_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Pagination errors name the GraphQL arguments (`first`, `after`), not the REST ones.
pub fn paging_error(mut e: ApiError) -> async_graphql::Error {
    for f in &mut e.errors {
        match f.field.as_str() {
            "limit" => f.field = "first".into(),
            "cursor" => f.field = "after".into(),
            _ => {}
        }
    }
    e.extend()
}

/// The page size asked for as the service's `limit` (which checks its range).
pub fn first_to_limit(first: Option<i32>) -> Option<u64> {
    first.map(|n| n.max(0) as u64)
}

/// Gives every error the document itself caused (parse, validation, limits) a `code`, so
/// clients can rely on `extensions.code` being there: `query_too_complex` for the depth and
/// complexity limits, `malformed_request` for the rest.
fn add_codes(errors: &mut [ServerError]) {
    for err in errors {
        let has_code = err
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if has_code {
            continue;
        }
        let code = if err.message == "Query is nested too deep."
            || err.message == "Query is too complex."
        {
            Code::QueryTooComplex
        } else {
            Code::MalformedRequest
        };
        let x = err.extensions.get_or_insert_with(Default::default);
        x.set("code", code.as_str());
        x.set("status", code.status().as_u16());
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::Data::new(schema()))
        .service(
            // The same rate limits (outermost) and Idempotency-Key handling as the REST API.
            resource("/api/graphql")
                .wrap(from_fn(idempotency::idempotency))
                .wrap(from_fn(crate::platform::rate_limit::enforce))
                .route(web::post().to(execute)),
        )
        .service(web::resource("/api/graphql/ws").route(web::get().to(subscriptions::subscribe)))
        .service(resource("/api/graphiql").route(web::get().to(explorer::page)))
        .service(resource("/api/graphiql/assets/{name}").route(web::get().to(explorer::asset)));
}

/// Runs one query or mutation. Anyone may introspect; every field that reads or writes data
/// needs the bearer (access JWT or API token) in `Authorization`, as REST does.
///
/// The answer is `200` with `data` and `errors` as GraphQL has it, unless the server itself
/// failed (an `internal_error` or `dependency_unavailable`): then it carries that status, so
/// clients and `Idempotency-Key` (accepted as on REST POSTs) treat it as retryable.
async fn execute(
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    req: HttpRequest,
    body: web::Json<async_graphql::Request>,
) -> HttpResponse {
    let mut request = body.into_inner();
    match principal_of(&req).await {
        Ok(who) => add_scope(&mut request.data, state, who),
        Err(e) => request.data.insert(Unauthenticated(e)),
    }
    let mut response = schema.execute(request).await;
    add_codes(&mut response.errors);
    let status = response
        .errors
        .iter()
        .filter_map(|e| e.extensions.as_ref()?.get("status"))
        .filter_map(|s| match s {
            async_graphql::Value::Number(n) => n.as_u64(),
            _ => None,
        })
        .filter(|s| *s >= 500)
        .max()
        .and_then(|s| StatusCode::from_u16(s as u16).ok())
        .unwrap_or(StatusCode::OK);
    HttpResponse::build(status).json(response)
}

/// The bearer in a `connection_init` payload: `token`, or `Authorization` / `authorization`
/// as `Bearer <token>`.
pub(crate) fn connection_token(params: &serde_json::Value) -> Option<String> {
    if let Some(t) = params.get("token").and_then(|v| v.as_str()) {
        return Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    }
    let header = params
        .get("Authorization")
        .or_else(|| params.get("authorization"))?
        .as_str()?;
    let (scheme, token) = header.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

/// Turns a service result into a resolver result, keeping the problem code.
pub trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for ApiResult<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.extend())
    }
}

impl<T> GqlResult<T> for Result<T, Arc<ApiError>> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.extend())
    }
}

/// A view as the GraphQL type that reads its JSON form.
///
/// Contexts whose views are not GraphQL objects themselves (workflows, integrations) give
/// their GraphQL types the views' wire shape: the JSON REST answers and events carry. A query
/// answer goes through it as a pushed event does, so both decode alike; a view that no longer
/// fits its type is an internal error (logged), not a silently different answer.
pub fn from_view<T: serde::de::DeserializeOwned>(view: impl serde::Serialize) -> ApiResult<T> {
    serde_json::to_value(view)
        .and_then(serde_json::from_value)
        .map_err(ApiError::internal)
}

/// An event's payload as the GraphQL type of what it carries; `None` (and a warning in the
/// log) when it does not fit, so one odd event never ends a subscription.
pub fn decode_event<T: serde::de::DeserializeOwned>(
    e: &crate::platform::events::Event,
) -> Option<T> {
    serde_json::from_value(e.payload.clone())
        .inspect_err(|err| {
            tracing::warn!(topic = %e.topic, event = %e.event, error = %err, "undecodable event payload");
        })
        .ok()
}

/// Sort direction of a list.
#[derive(async_graphql::Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortDirection {
    #[default]
    Asc,
    Desc,
}

/// A service page as a Relay connection: every edge carries the cursor that continues after
/// it, `pageInfo.endCursor` is the page's `next_cursor` when there is more.
pub fn connection<T: async_graphql::OutputType>(
    page: Page<T>,
    after: Option<&str>,
    cursor_for: impl Fn(&T) -> String,
) -> Connection<String, T> {
    let mut c = Connection::new(after.is_some(), page.next_cursor.is_some());
    c.edges
        .extend(page.data.into_iter().map(|n| Edge::new(cursor_for(&n), n)));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_become_camel_case() {
        assert_eq!(camel_path("serial_number"), "serialNumber");
        assert_eq!(camel_path("cost.amount"), "cost.amount");
        assert_eq!(camel_path("employee_id"), "employeeId");
    }

    #[test]
    fn connection_init_takes_a_token_or_a_bearer_header() {
        assert_eq!(
            connection_token(&serde_json::json!({"token": "abc"})).as_deref(),
            Some("abc")
        );
        assert_eq!(
            connection_token(&serde_json::json!({"Authorization": "Bearer abc"})).as_deref(),
            Some("abc")
        );
        assert_eq!(
            connection_token(&serde_json::json!({"authorization": "bearer abc"})).as_deref(),
            Some("abc")
        );
        assert_eq!(
            connection_token(&serde_json::json!({"Authorization": "Basic abc"})),
            None
        );
        assert_eq!(connection_token(&serde_json::json!({})), None);
    }

    #[test]
    fn limit_errors_keep_their_code() {
        let mut errors = vec![
            ServerError::new("Query is nested too deep.", None),
            ServerError::new("Unknown field", None),
        ];
        add_codes(&mut errors);
        let code = |e: &ServerError| e.extensions.as_ref().and_then(|x| x.get("code")).cloned();
        assert_eq!(
            code(&errors[0]),
            Some(async_graphql::Value::from("query_too_complex"))
        );
        assert_eq!(
            code(&errors[1]),
            Some(async_graphql::Value::from("malformed_request"))
        );
    }
}

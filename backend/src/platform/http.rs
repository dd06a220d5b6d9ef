//! HTTP plumbing shared by every context: request ids, problem+json for every error path
//! (malformed JSON, oversize bodies, unknown routes, wrong methods, panics), `If-Match`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures::FutureExt;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, Code, FieldError};

/// The id of the current request: the client's `X-Request-Id` when sane, else a new UUID.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Assigns the request id, echoes it in `X-Request-Id`, and logs the request in a span.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span =
        tracing::info_span!("http", method = %req.method(), path = %req.path(), request_id = %id);
    let started = std::time::Instant::now();
    let mut res = tracing::Instrument::instrument(next.call(req), span.clone())
        .await?
        .map_into_boxed_body();
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), v);
    }
    tracing::info!(parent: &span, status = res.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "request");
    Ok(res)
}

/// Turns a panic inside a handler into a 500 problem (its cause goes to the log) instead of a
/// dropped connection and a restarted worker. Wraps each resource, after routing is done.
pub async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let http_req = req.request().clone();
    match std::panic::AssertUnwindSafe(next.call(req))
        .catch_unwind()
        .await
    {
        Ok(res) => res.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            tracing::error!("handler panicked");
            Ok(ServiceResponse::new(
                http_req,
                actix_web::ResponseError::error_response(&ApiError::bare(Code::Internal)),
            ))
        }
    }
}

/// A REST resource: panics isolated, and a 405 problem for methods it does not route.
pub fn resource(
    path: &str,
) -> actix_web::Resource<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    web::resource(path)
        .wrap(actix_web::middleware::from_fn(catch_panic))
        .default_service(web::to(method_not_allowed))
}

/// Adds the headers every response should carry.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

/// JSON bodies: size limit and problem+json for every way a body can be wrong.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req| {
            let api = match &err {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => ApiError::new(
                    Code::PayloadTooLarge,
                    format!("the body is larger than {limit} bytes"),
                ),
                JsonPayloadError::ContentType => ApiError::new(
                    Code::UnsupportedMediaType,
                    "send the body as application/json",
                ),
                JsonPayloadError::Deserialize(e) if e.is_data() => {
                    // A well-formed document whose shape is wrong: name the field when serde says it.
                    let msg = e.to_string();
                    let field = msg
                        .split('`')
                        .nth(1)
                        .filter(|_| {
                            msg.starts_with("missing field") || msg.starts_with("unknown field")
                        })
                        .unwrap_or("body")
                        .to_owned();
                    ApiError::validation(vec![FieldError::new(field, "invalid", msg)])
                }
                _ => ApiError::new(
                    Code::MalformedRequest,
                    format!("the body is not valid JSON: {err}"),
                ),
            };
            api.into()
        })
}

/// Path parameters that do not parse (an id that is not a UUID) name nothing that exists.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_err: PathError, _req| ApiError::not_found("resource").into())
}

/// Query strings that do not parse are a 400 naming the problem.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::new(
            Code::MalformedRequest,
            format!("invalid query string: {err}"),
        )
        .into()
    })
}

/// The answer for a route that exists with another method.
pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    ApiError::new(
        Code::MethodNotAllowed,
        format!("{} is not allowed here", req.method()),
    )
    .error_response()
}

/// The answer for a path no route matches.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    ApiError::new(
        Code::NotFound,
        format!("no route for {} {}", req.method(), req.path()),
    )
    .error_response()
}

/// The version an `If-Match` header names (`"3"`, `W/"3"` or `3`), if any.
pub fn if_match_version(req: &HttpRequest) -> ApiResult<Option<i32>> {
    let Some(v) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let s = v.to_str().unwrap_or_default().trim();
    let s = s.strip_prefix("W/").unwrap_or(s).trim_matches('"');
    s.parse::<i32>().map(Some).map_err(|_| {
        ApiError::field(
            "If-Match",
            "invalid_format",
            "If-Match must be the resource's version, e.g. \"3\"",
        )
    })
}

/// `200 OK` with a JSON body and its version as the `ETag`.
pub fn with_etag<T: Serialize>(version: i32, body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .json(body)
}

/// `{ "ok": true }`-style acknowledgements and similar small bodies.
#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "OK", body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "OK", body = Health), (status = 503, description = "A dependency is down", body = super::error::Problem)))]
pub async fn readyz(state: web::Data<super::state::AppState>) -> HttpResponse {
    if super::db::ping(&state.db).await {
        HttpResponse::Ok().json(Health { status: "ready" })
    } else {
        actix_web::ResponseError::error_response(&ApiError::new(
            Code::DependencyDown,
            "the database does not answer",
        ))
    }
}

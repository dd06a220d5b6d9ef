//! The GraphiQL explorer at `/api/graphiql`, served from the binary: its scripts and styles are
//! vendored (GraphiQL 3.9 and React 18, MIT; licences beside them), so it works offline and
//! under a strict Content-Security-Policy that allows this origin only.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};

use crate::platform::error::ApiError;

const PAGE: &str = r#"<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Assetronics GraphQL</title>
    <link rel="stylesheet" href="/api/graphiql/assets/graphiql.min.css">
    <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
  </head>
  <body>
    <div id="graphiql">Loading the explorer…</div>
    <script src="/api/graphiql/assets/react.production.min.js"></script>
    <script src="/api/graphiql/assets/react-dom.production.min.js"></script>
    <script src="/api/graphiql/assets/graphiql.min.js"></script>
    <script src="/api/graphiql/assets/start.js"></script>
  </body>
</html>
"#;

/// Scripts and styles from this origin only; GraphiQL's editor sets inline styles.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The vendored files, by the name the page asks for.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("explorer/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("explorer/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("explorer/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("explorer/react-dom.production.min.js"),
    ),
    (
        "start.js",
        "text/javascript; charset=utf-8",
        include_bytes!("explorer/start.js"),
    ),
];

/// The explorer's page.
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .body(PAGE)
}

/// One of the explorer's vendored files; they change only with the binary.
pub async fn asset(name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(n, _, _)| *n == name.as_str()) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header((
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ))
            .body(*bytes),
        None => actix_web::ResponseError::error_response(&ApiError::not_found("explorer file")),
    }
}

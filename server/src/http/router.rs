//! The route table of the HTTP API (listed with who may call what in `crate::api_table`), the
//! static UI, and the layers every response goes through: the access guard, the body limits
//! (small everywhere, the upload limit on the upload routes) and the body timeout, the security
//! headers (Content-Security-Policy, nosniff, no framing, no referrer) and compression.

use std::sync::Arc;

use axum::http::{header, HeaderValue, Uri};
use axum::middleware;
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::{Extension, Router};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use super::body::BodyLimit;
use super::{catalog, guard, history, profiles, runs, sharing};
use crate::{ApiError, Platform};

/// The policy of the UI's pages: its own scripts, styles and images only (uPlot styles through
/// the CSSOM, which a policy does not restrict), data:/blob: images (the QR code, exports),
/// requests to this server only, and never inside a frame.
pub const UI_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The policy of API answers: JSON, figures and the HTML report (whose one `<style>` is
/// inline) run no script and load nothing, and are never framed.
pub const API_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `route` as an upload route: its body may be as large as the upload limit.
fn upload(p: &Platform, route: MethodRouter<Arc<Platform>>) -> MethodRouter<Arc<Platform>> {
    route.layer(Extension(BodyLimit(p.config.body_limit_bytes)))
}

/// The whole HTTP application of `platform`.
pub fn router(platform: Arc<Platform>) -> Router {
    let ui = ServeDir::new(&platform.config.ui_dir);
    let p = &platform;
    let api = Router::new()
        .route("/health", get(catalog::health))
        .route("/session", get(catalog::session))
        .route("/twin", get(catalog::twin))
        .route(
            "/settings",
            get(sharing::get_settings).put(sharing::put_settings),
        )
        .route("/tools", get(catalog::list_tools))
        .route("/tools/{id}", get(catalog::tool_info))
        .route("/tools/{id}/run", upload(p, post(runs::run_tool)))
        .route(
            "/tools/{id}/artifacts/{name}",
            upload(p, post(runs::artifact)),
        )
        .route("/tools/{id}/jobs", upload(p, post(runs::start_job)))
        .route("/jobs/{id}/events", get(runs::job_events))
        .route("/jobs/{id}", delete(runs::cancel_job))
        .route("/runs", get(history::list_runs))
        .route("/runs/export", get(history::export_runs))
        .route(
            "/runs/{id}",
            get(history::get_run).delete(history::delete_run),
        )
        .route("/profiles", get(profiles::list).post(profiles::save))
        .route("/profiles/import", upload(p, post(profiles::import)))
        .route(
            "/profiles/{id}",
            get(profiles::get)
                .patch(profiles::rename)
                .delete(profiles::delete),
        )
        .route("/profiles/{id}/restore", post(profiles::restore))
        .route("/profiles/{id}/export", get(profiles::export))
        .route("/sources/{sha256}", get(history::source_file))
        .route("/runs/{id}/figures", get(history::run_figures))
        .route("/runs/{id}/figures/{file}", get(history::run_figure))
        .route("/runs/{id}/report.html", get(history::run_report))
        .route("/events", get(sharing::events))
        .route("/share", get(sharing::share_status))
        .route("/share/settings", put(sharing::share_settings))
        .route("/share/rotate", post(sharing::rotate_token))
        .route("/share/sessions/{id}", delete(sharing::revoke_session))
        .fallback(no_api_route)
        // Bodies are read by `body::UnreadBody` within the route's `BodyLimit`, never by
        // axum's own extractors.
        .layer(Extension(BodyLimit(platform.config.small_body_limit_bytes)))
        .layer(RequestBodyTimeoutLayer::new(
            platform.config.connections.body_read_timeout,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_POLICY),
        ));
    Router::new()
        .nest("/api", api)
        .fallback_service(ui)
        .layer(middleware::from_fn_with_state(
            platform.clone(),
            guard::guard,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(UI_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        // Results are megabytes of JSON: compress fast (zstd for browsers that take it).
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .with_state(platform)
}

/// Any `/api/…` path no route matches.
async fn no_api_route(uri: Uri) -> ApiError {
    ApiError::NoRoute {
        path: uri.path().to_string(),
    }
}

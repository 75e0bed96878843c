//! The HTTP routes and the access guard in front of them.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json, Router};
use cristallo_core::{Progress, ToolError, ToolInfo};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::access::{Caller, Denied, GuestAccess, Role, SESSION_COOKIE};
use crate::events::ServerEvent;

use crate::profiles::{Deleted, ImportOutcome, ImportRequest, ProfileSummary};
use crate::store::{RunRecord, RunSummary};
use crate::{ApiError, Platform};

type Shared = State<Arc<Platform>>;

/// The whole HTTP application of `platform`.
pub fn router(platform: Arc<Platform>) -> Router {
    let ui = ServeDir::new(&platform.config.ui_dir);
    let api = Router::new()
        .route("/health", get(health))
        .route("/session", get(session))
        .route("/twin", get(twin))
        .route("/settings", get(get_settings).put(put_settings))
        .route("/tools", get(list_tools))
        .route("/tools/{id}", get(tool_info))
        .route("/tools/{id}/run", post(run_tool))
        .route("/tools/fea/deck", post(fea_deck))
        .route("/tools/{id}/jobs", post(start_job))
        .route("/jobs/{id}/events", get(job_events))
        .route("/jobs/{id}", delete(cancel_job))
        .route("/runs", get(list_runs))
        .route("/runs/export", get(export_runs))
        .route("/runs/{id}", get(get_run).delete(delete_run))
        .route("/profiles", get(list_profiles).post(save_profile))
        .route("/profiles/import", post(import_profile))
        .route(
            "/profiles/{id}",
            get(get_profile)
                .patch(rename_profile)
                .delete(delete_profile),
        )
        .route("/profiles/{id}/restore", post(restore_profile))
        .route("/profiles/{id}/export", get(export_profile))
        .route("/sources/{sha256}", get(source_file))
        .route("/runs/{id}/figures", get(run_figures))
        .route("/runs/{id}/figures/{file}", get(run_figure))
        .route("/runs/{id}/report.html", get(run_report))
        .route("/events", get(events))
        .route("/share", get(share_status))
        .route("/share/settings", put(share_settings))
        .route("/share/rotate", post(rotate_token))
        .route("/share/sessions/{id}", delete(revoke_session))
        .fallback(no_api_route)
        .layer(DefaultBodyLimit::max(platform.config.body_limit_bytes))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    Router::new()
        .nest("/api", api)
        .fallback_service(ui)
        .layer(middleware::from_fn_with_state(platform.clone(), guard))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        // Results are megabytes of JSON: compress fast (zstd for browsers that take it).
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .with_state(platform)
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
    name: Option<String>,
}

/// Host allow-list, Origin check, token exchange and authentication, for every request.
async fn guard(State(p): Shared, mut req: Request, next: Next) -> Response {
    match admit(&p, &mut req) {
        Ok(None) => next.run(req).await,
        Ok(Some(response)) => response,
        Err(e) => e.into_response(),
    }
}

fn admit(p: &Platform, req: &mut Request) -> Result<Option<Response>, ApiError> {
    let headers = req.headers();
    p.access.check_host(header_str(headers, header::HOST))?;
    let path = req.uri().path();
    let is_api = path.starts_with("/api/");
    let is_stream = path == "/api/events" || path.ends_with("/events");
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state || is_stream {
        p.access.check_origin(header_str(headers, header::ORIGIN))?;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| {
            req.extensions()
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|c| c.0)
        });
    let query: TokenQuery = Query::try_from_uri(req.uri())
        .map(|q| q.0)
        .unwrap_or(TokenQuery {
            token: None,
            name: None,
        });
    if let (Some(token), &Method::GET) = (query.token.as_deref(), req.method()) {
        // Whatever happens, the browser lands on the same page without the token in the
        // address bar; a bad or stale link simply leaves it signed out (the UI says so).
        let exchanged = if p.access.is_sharing() {
            match p.access.exchange_token(token, query.name.as_deref(), peer) {
                Ok(secret) => Some(secret),
                Err(Denied::Unauthenticated) => None,
                Err(other) => return Err(other.into()),
            }
        } else {
            None
        };
        let mut res = StatusCode::SEE_OTHER.into_response();
        let h = res.headers_mut();
        h.insert(
            header::LOCATION,
            HeaderValue::from_str(path).unwrap_or(HeaderValue::from_static("/")),
        );
        if let Some(secret) = exchanged {
            p.announce_users();
            let cookie = format!("{SESSION_COOKIE}={secret}; HttpOnly; SameSite=Strict; Path=/");
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                h.insert(header::SET_COOKIE, v);
            }
        }
        return Ok(Some(res));
    }
    if is_api && path != "/api/health" {
        let bearer =
            header_str(headers, header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "));
        let cookie = cookie_value(headers, SESSION_COOKIE);
        match p.access.authenticate(bearer, cookie, peer) {
            Ok(caller) => {
                req.extensions_mut().insert(caller);
            }
            // "Who am I?" is answered for everyone: signed out is a valid answer, not an error.
            Err(Denied::Unauthenticated) if path == "/api/session" && bearer.is_none() => {}
            Err(denied) => return Err(denied.into()),
        }
    }
    Ok(None)
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": crate::VERSION }))
}

async fn session(State(p): Shared, caller: Option<Extension<Caller>>) -> Json<Value> {
    let common = json!({
        "sharing": p.access.is_sharing(),
        "twin_name": p.config.twin_name,
        "version": crate::VERSION,
    });
    let mut v = match caller {
        Some(Extension(caller)) => json!({
            "role": caller.role,
            "name": caller.name,
            "session_id": caller.session_id,
            "can_modify": caller.can_modify,
        }),
        None => json!({ "role": null, "name": null, "session_id": null, "can_modify": false }),
    };
    if let (Some(obj), Some(extra)) = (v.as_object_mut(), common.as_object()) {
        obj.extend(extra.clone());
    }
    Json(v)
}

async fn list_tools() -> Json<Vec<ToolInfo>> {
    Json(cristallo_core::catalogue())
}

async fn tool_info(Path(id): Path<String>) -> Result<Json<ToolInfo>, ApiError> {
    cristallo_core::catalogue()
        .into_iter()
        .find(|t| t.id == id)
        .map(Json)
        .ok_or(ApiError::Tool(ToolError::UnknownTool { id }))
}

async fn no_api_route(uri: Uri) -> ApiError {
    ApiError::NoRoute {
        path: uri.path().to_string(),
    }
}

fn read_body(p: &Platform, body: Result<Bytes, BytesRejection>) -> Result<Value, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge {
                limit_bytes: p.config.body_limit_bytes,
            }
        } else {
            ApiError::BadBody {
                reason: rejection.body_text(),
            }
        }
    })?;
    crate::parse_params(&body)
}

fn known_tool(id: &str) -> Result<(), ApiError> {
    cristallo_core::find(id)
        .map(|_| ())
        .ok_or_else(|| ToolError::UnknownTool { id: id.to_string() }.into())
}

async fn run_tool(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    known_tool(&id)?;
    let params = read_body(&p, body)?;
    let done = p
        .run_job(&caller, &id, params, None, Progress::none())
        .await?;
    let mut res = ([(header::CONTENT_TYPE, "application/json")], done.json).into_response();
    res.headers_mut()
        .insert("x-cristallo-run-id", HeaderValue::from(done.summary.id));
    Ok(res)
}

/// `POST /api/tools/fea/deck`: the CalculiX deck of the parameters as a download (fea.md §5).
/// Writing a deck runs no program, so it needs no more rights than viewing.
async fn fea_deck(
    State(p): Shared,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let params = read_body(&p, body)?;
    let deck = tokio::task::spawn_blocking(move || {
        cristallo_core::fea::FeaParams::parse(&params)
            .and_then(|(fp, _)| cristallo_core::fea::deck(&fp))
    })
    .await
    .map_err(|e| ApiError::Internal {
        reason: e.to_string(),
    })??;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"cristallo_frame.inp\"",
            ),
        ],
        deck,
    )
        .into_response())
}

async fn start_job(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    known_tool(&id)?;
    let params = read_body(&p, body)?;
    let job_id = p.start_job(&caller, &id, params, None)?.id.clone();
    Ok((StatusCode::ACCEPTED, Json(json!({ "job_id": job_id }))))
}

fn sse_event(name: &str, data: &impl serde::Serialize) -> Event {
    Event::default()
        .event(name)
        .json_data(data)
        .unwrap_or_else(|_| Event::default().event("error"))
}

async fn job_events(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let job = p.jobs.get_visible(&id, &caller)?;
    let (latest, rx) = job.follow();
    let events = stream::unfold(
        (Some(latest), rx, false),
        |(first, mut rx, done)| async move {
            if done {
                return None;
            }
            let event = match first {
                Some(e) => e,
                None => loop {
                    match rx.recv().await {
                        Ok(e) => break e,
                        Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    }
                },
            };
            let last = event.is_final();
            Some((Ok(sse_event(event.name(), &event)), (None, rx, last)))
        },
    );
    Ok(Sse::new(events.take_until(p.closed())).keep_alive(KeepAlive::default()))
}

async fn cancel_job(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let job = p.jobs.get_visible(&id, &caller)?;
    job.cancel.cancel();
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunsQuery {
    tool: Option<String>,
    limit: Option<usize>,
    before: Option<i64>,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal {
            reason: e.to_string(),
        })?
}

async fn list_runs(
    State(p): Shared,
    query: Result<Query<RunsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<RunSummary>>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::BadBody {
        reason: e.body_text(),
    })?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    blocking(move || Ok(p.store.list_runs(q.tool.as_deref(), limit, q.before)?))
        .await
        .map(Json)
}

async fn export_runs(State(p): Shared) -> Result<Response, ApiError> {
    let runs = blocking(move || Ok(p.store.list_runs(None, usize::MAX >> 1, None)?)).await?;
    let mut res = Json(runs).into_response();
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"cristallo-history.json\""),
    );
    Ok(res)
}

async fn get_run(State(p): Shared, Path(id): Path<i64>) -> Result<Json<RunRecord>, ApiError> {
    blocking(move || {
        p.store.get_run(id)?.ok_or_else(|| ApiError::NotFound {
            what: format!("run {id}"),
        })
    })
    .await
    .map(Json)
}

/// `GET /api/twin`: the twin's description (`data/twin.json`, built into the binary).
async fn twin() -> Json<Value> {
    Json(crate::twin_description())
}

async fn run_figures(
    State(p): Shared,
    Path(id): Path<i64>,
) -> Result<Json<Vec<crate::figures::Figure>>, ApiError> {
    blocking(move || p.run_figures(id)).await.map(Json)
}

/// `GET /api/runs/{id}/figures/{n}.png|svg`: figure `n` drawn on the server, as a download.
async fn run_figure(
    State(p): Shared,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound {
        what: format!("figure file {file} (expected N.png or N.svg)"),
    };
    let (stem, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let format = crate::figures::Format::parse(ext).ok_or_else(not_found)?;
    let index: usize = stem.parse().map_err(|_| not_found())?;
    let bytes = blocking(move || p.run_figure(id, index, format)).await?;
    let name = format!("run-{id}-figure-{index}.{}", format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.mime().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/runs/{id}/report.html`: the printable report of a run.
async fn run_report(State(p): Shared, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let html = blocking(move || p.run_report(id)).await?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

async fn delete_run(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    blocking(move || p.delete_run(&caller, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Counts a live stream of a session for the host's "connected" list while it is open.
struct LiveStream {
    platform: Arc<Platform>,
    session_id: Option<String>,
}

impl LiveStream {
    fn open(platform: Arc<Platform>, session_id: Option<String>) -> Self {
        if let Some(id) = &session_id {
            platform.access.stream_opened(id, 1);
            platform.announce_users();
        }
        Self {
            platform,
            session_id,
        }
    }
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        if let Some(id) = &self.session_id {
            self.platform.access.stream_opened(id, -1);
            self.platform.announce_users();
        }
    }
}

async fn events(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = p.hub.subscribe();
    let live = LiveStream::open(p.clone(), caller.session_id.clone());
    let viewer = caller.clone();
    let events = stream::unfold((rx, live), move |(mut rx, live)| {
        let viewer = viewer.clone();
        async move {
            let event = match rx.recv().await {
                Ok(e) => e,
                Err(RecvError::Lagged(n)) => {
                    return Some((Ok(sse_event("lagged", &json!({ "missed": n }))), (rx, live)))
                }
                Err(RecvError::Closed) => return None,
            };
            // A revoked session's stream ends at the next event (revoking announces users).
            if !live
                .platform
                .access
                .session_alive(viewer.session_id.as_deref())
            {
                return None;
            }
            let sse = match event {
                // Guests learn how many are connected, not who or from where.
                ServerEvent::Users { users } if viewer.role == Role::Guest => {
                    sse_event("users", &json!({ "type": "users", "count": users.len() }))
                }
                other => sse_event(other.name(), &other),
            };
            Some((Ok(sse), (rx, live)))
        }
    });
    let hello = stream::once(async move {
        Ok(sse_event(
            "hello",
            &json!({ "name": caller.name, "role": caller.role }),
        ))
    });
    Sse::new(hello.chain(events).take_until(p.closed())).keep_alive(KeepAlive::default())
}

async fn share_status(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
) -> Result<Json<crate::ShareStatus>, ApiError> {
    Platform::require_host(&caller)?;
    Ok(Json(p.share_status()))
}

/// `GET /api/settings` (host): the Settings page's data.
async fn get_settings(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    blocking(move || p.settings(&caller)).await.map(Json)
}

/// `PUT /api/settings` (host): replace the stored settings; 400 names a bad field.
async fn put_settings(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let value = read_body(&p, body)?;
    blocking(move || p.set_settings(&caller, &value))
        .await
        .map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShareSettings {
    guest_access: GuestAccess,
}

async fn share_settings(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<crate::ShareStatus>, ApiError> {
    Platform::require_host(&caller)?;
    let value = read_body(&p, body)?;
    let settings: ShareSettings = serde_json::from_value(value)
        .map_err(|e| ApiError::Tool(ToolError::invalid("guest_access", e.to_string())))?;
    blocking({
        let p = p.clone();
        move || p.set_guest_access(&caller, settings.guest_access)
    })
    .await?;
    Ok(Json(p.share_status()))
}

async fn rotate_token(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
) -> Result<Json<crate::ShareStatus>, ApiError> {
    p.rotate_guest_token(&caller).map(Json)
}

async fn revoke_session(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    p.revoke(&caller, &id)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_profiles(State(p): Shared) -> Result<Json<Vec<ProfileSummary>>, ApiError> {
    blocking(move || p.list_profiles()).await.map(Json)
}

async fn get_profile(State(p): Shared, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    blocking(move || p.get_profile(&id).map(|d| d.to_json()))
        .await
        .map(Json)
}

/// A measured file of a model-update run, by the SHA-256 a profile's origin names.
async fn source_file(
    State(p): Shared,
    Path(sha256): Path<String>,
) -> Result<Json<Value>, ApiError> {
    blocking(move || p.source_file(&sha256)).await.map(Json)
}

async fn export_profile(State(p): Shared, Path(id): Path<String>) -> Result<Response, ApiError> {
    let doc = blocking(move || p.get_profile(&id)).await?;
    let name = crate::profiles::export_file_name(&doc);
    let mut res = Json(doc.to_json()).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

async fn save_profile(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let doc = read_body(&p, body)?;
    blocking(move || p.save_profile(&caller, &doc))
        .await
        .map(|d| (StatusCode::CREATED, Json(d.to_json())))
}

async fn import_profile(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ImportOutcome>), ApiError> {
    let value = read_body(&p, body)?;
    let req: ImportRequest = serde_json::from_value(value)
        .map_err(|e| ApiError::Tool(ToolError::invalid("text", e.to_string())))?;
    blocking(move || p.import_profile(&caller, &req))
        .await
        .map(|o| (StatusCode::CREATED, Json(o)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameBody {
    name: String,
}

async fn rename_profile(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let value = read_body(&p, body)?;
    let rename: RenameBody = serde_json::from_value(value)
        .map_err(|e| ApiError::Tool(ToolError::invalid("profile.name", e.to_string())))?;
    blocking(move || p.rename_profile(&caller, &id, &rename.name))
        .await
        .map(|d| Json(d.to_json()))
}

async fn delete_profile(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    blocking(move || p.delete_profile(&caller, &id))
        .await
        .map(Json)
}

async fn restore_profile(
    State(p): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    blocking(move || p.restore_profile(&caller, &id))
        .await
        .map(|d| Json(d.to_json()))
}

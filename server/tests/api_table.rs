//! The API table (`cristallo_server::api_table::API`) against the three places that implement
//! it: the HTTP router (every entry's route answers, and the router declares exactly the
//! table's routes), the desktop's command list (`generate_handler!` in `src-tauri/src/lib.rs`)
//! and the UI's transport (every `invoke('…'` and `/api/…` path in `ui/*.js`).

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cristallo_server::api_table::API;
use cristallo_server::{router, AppConfig, Platform};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The source of the router's route list.
const ROUTER_SOURCE: &str = include_str!("../src/http/router.rs");
/// The source of the desktop's command list.
const DESKTOP_SOURCE: &str = include_str!("../../src-tauri/src/lib.rs");
/// The HTTP methods axum's method routers are named after.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn table_routes() -> BTreeSet<(String, String)> {
    API.iter()
        .filter_map(|e| e.http)
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect()
}

fn table_commands() -> BTreeSet<String> {
    API.iter()
        .filter_map(|e| e.command)
        .map(str::to_string)
        .collect()
}

/// `(METHOD, /api/path)` of every `.route("path", get(…).post(…))` in the router's source.
fn router_routes(source: &str) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for chunk in source.split(".route(").skip(1) {
        // The route's text ends where the next builder call begins.
        let chunk = chunk.split(".fallback(").next().unwrap();
        let path = chunk.split('"').nth(1).expect("a route path literal");
        let bytes = chunk.as_bytes();
        for method in METHODS {
            let call = format!("{method}(");
            for (at, _) in chunk.match_indices(&call) {
                let before = at.checked_sub(1).map(|i| bytes[i]);
                if before.is_none_or(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b':')) {
                    routes.insert((method.to_uppercase(), format!("/api{path}")));
                }
            }
        }
    }
    routes
}

/// The last path segment of every handler in `generate_handler![…]`.
fn desktop_commands(source: &str) -> BTreeSet<String> {
    let list = source
        .split("generate_handler![")
        .nth(1)
        .expect("src-tauri/src/lib.rs has a generate_handler! list");
    let list = list.split(']').next().unwrap();
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit("::").next().unwrap().to_string())
        .collect()
}

/// The text of every `ui/*.js` file, by name.
fn ui_sources() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("the ui directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no ui/*.js files found in {dir}");
    files
}

/// The command names of `invoke('name'` calls in `source`.
fn ui_invokes(source: &str) -> Vec<String> {
    source
        .split("invoke('")
        .skip(1)
        .map(|rest| rest.split('\'').next().unwrap().to_string())
        .collect()
}

/// Every `/api/…` string literal or template in `source`, with `${…}` as `{}` and no query.
fn ui_api_paths(source: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for quote in ['\'', '`'] {
        for piece in source.split(&format!("{quote}/api/")).skip(1) {
            let text = piece.split(quote).next().unwrap();
            let mut path = String::from("/api/");
            let mut rest = text;
            while let Some(at) = rest.find("${") {
                path.push_str(&rest[..at]);
                path.push_str("{}");
                rest = rest[at..].split_once('}').map_or("", |(_, after)| after);
            }
            path.push_str(rest);
            let path = path.split('?').next().unwrap().to_string();
            paths.push(path);
        }
    }
    paths
}

/// Whether the concrete `path` (`{}` where the UI fills in a value) matches table path
/// `pattern` (`{name}` segments match any one segment).
fn path_matches(pattern: &str, path: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(p, s)| (p.starts_with('{') && p.ends_with('}')) || (p == s && !s.contains('{')))
}

/// Fails naming what `declared` (parsed from an edge's source, so more than a few) has that
/// the table lacks, and what the table has that `declared` lacks.
fn assert_same_set<T: Ord + std::fmt::Debug>(
    declared: BTreeSet<T>,
    table: BTreeSet<T>,
    what: &str,
) {
    assert!(declared.len() > 20, "parsed the {what}: {declared:?}");
    let missing: Vec<_> = declared.difference(&table).collect();
    let extra: Vec<_> = table.difference(&declared).collect();
    assert!(
        missing.is_empty(),
        "{what} missing from api_table::API: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "api_table::API entries missing from the {what}: {extra:?}"
    );
}

#[test]
fn the_router_declares_exactly_the_routes_of_the_table() {
    assert_same_set(
        router_routes(ROUTER_SOURCE),
        table_routes(),
        "src/http/router.rs routes",
    );
}

#[test]
fn the_route_parser_finds_every_method_of_a_route() {
    let source = r#"
        .route("/a/{id}", get(x::get_a).delete(x::delete).patch(rename))
        .route("/b", post(b_post))
        .fallback(no_api_route)"#;
    let found: Vec<_> = router_routes(source).into_iter().collect();
    let expected = [
        ("DELETE", "/api/a/{id}"),
        ("GET", "/api/a/{id}"),
        ("PATCH", "/api/a/{id}"),
        ("POST", "/api/b"),
    ]
    .map(|(m, p)| (m.to_string(), p.to_string()));
    assert_eq!(found, expected.to_vec());
}

/// `pattern` with its path parameters filled in with values the handlers parse (`{id}` of a
/// run is a number, a figure file is `N.png`) but that name nothing stored.
fn concrete(pattern: &str) -> String {
    pattern
        .replace("/runs/{id}", "/runs/987654")
        .replace("{file}", "0.png")
        .replace("{id}", "no-such-thing")
        .replace("{sha256}", "no-such-thing")
        .replace("{name}", "no-such-thing")
}

#[tokio::test]
async fn every_route_of_the_table_answers_and_an_unknown_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap());
    for (method, pattern) in table_routes() {
        let uri = concrete(&pattern);
        // A body that is not JSON: no operation changes anything, yet the route is reached.
        let body = if method == "GET" {
            Body::empty()
        } else {
            Body::from("not json")
        };
        let req = Request::builder()
            .method(method.as_str())
            .uri(&uri)
            .header("content-type", "application/json")
            .body(body)
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}: the route has no such method"
        );
        if status == StatusCode::NOT_FOUND {
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("no API endpoint"),
                "{method} {uri} is not routed: {text}"
            );
        }
    }
    let req = Request::get("/api/no-such-route")
        .body(Body::empty())
        .unwrap();
    let res = app.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("no API endpoint"), "{text}");
}

#[test]
fn the_desktop_declares_exactly_the_commands_of_the_table() {
    assert_same_set(
        desktop_commands(DESKTOP_SOURCE),
        table_commands(),
        "desktop commands (src-tauri/src/lib.rs)",
    );
    assert_eq!(
        desktop_commands("generate_handler![\n a::b, commands::runs::run_tool,\n]"),
        ["b", "run_tool"].map(String::from).into_iter().collect()
    );
}

#[test]
fn every_command_and_path_the_ui_uses_is_in_the_table() {
    let commands = table_commands();
    let routes = table_routes();
    let (mut invokes, mut paths) = (0, 0);
    for (file, source) in ui_sources() {
        for name in ui_invokes(&source) {
            invokes += 1;
            assert!(
                commands.contains(&name),
                "ui/{file} invokes '{name}', which api_table::API does not list"
            );
        }
        for path in ui_api_paths(&source) {
            paths += 1;
            assert!(
                routes.iter().any(|(_, p)| path_matches(p, &path)),
                "ui/{file} calls {path}, which api_table::API does not list"
            );
        }
    }
    assert!(
        invokes > 20 && paths > 20,
        "parsed {invokes} invokes, {paths} paths"
    );
    assert_eq!(
        ui_api_paths("request(`/api/runs/${enc(id)}/figures/${enc(i)}.${f}`); x('/api/runs?a=1')"),
        ["/api/runs", "/api/runs/{}/figures/{}.{}"]
            .map(String::from)
            .to_vec()
    );
    assert!(path_matches(
        "/api/runs/{id}/figures/{file}",
        "/api/runs/{}/figures/{}.{}"
    ));
    assert!(!path_matches("/api/runs/export", "/api/runs/{}"));
}

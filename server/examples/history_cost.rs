//! Measures what recording a run costs the history: stored bytes, `insert_run` and `get_run`
//! (JSON) times of each tool's default run, kept as zstd JSON with `synchronous = FULL` (schema 3)
//! and as zstd Arrow IPC with `synchronous = NORMAL` (schema 4). `cargo run --release -p cristallo-server
//! --example history_cost [-- TOOL...]` (default: modal vibration-control).

use std::time::Instant;

use cristallo_core::{Cancel, Progress};
use cristallo_server::store::{EncodedResult, Store};
use rusqlite::{params, Connection};

const REPEATS: usize = 20;

fn median_ms(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let mut tools: Vec<String> = std::env::args().skip(1).collect();
    if tools.is_empty() {
        tools = vec!["modal".into(), "vibration-control".into()];
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // A second connection on the same file writes rows as schema 3 did: JSON text, FULL sync.
    let old = Connection::open(store.path()).unwrap();
    old.pragma_update(None, "synchronous", "FULL").unwrap();
    println!("tool | JSON bytes | JSON zstd stored | Arrow bytes | Arrow zstd stored | insert before (JSON, FULL) ms | insert now (Arrow, NORMAL) ms | get_run JSON row ms | get_run Arrow row ms");
    for tool in &tools {
        let result = cristallo_core::run(
            tool,
            &serde_json::json!({}),
            &Progress::none(),
            &Cancel::new(),
        )
        .unwrap();
        let (mut before, mut now) = (Vec::new(), Vec::new());
        let (mut read_json, mut read_arrow) = (Vec::new(), Vec::new());
        let (mut json_len, mut json_zst, mut arrow_len, mut arrow_zst) = (0, 0, 0, 0);
        for _ in 0..REPEATS {
            // Before: JSON text (made on the run's worker), compressed, inserted with FULL.
            let t = Instant::now();
            let json = serde_json::to_vec(&result).unwrap();
            let blob = zstd::bulk::compress(&json, 1).unwrap();
            let tx = old.unchecked_transaction().unwrap();
            tx.execute(
                "INSERT INTO runs (tool, params, scalars, warning_count, result_gz, created_at_ms, duration_ms, who)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    result.tool,
                    serde_json::to_string(&result.params).unwrap(),
                    serde_json::to_string(&result.scalars).unwrap(),
                    result.warnings.len() as i64,
                    blob,
                    0i64,
                    1.0,
                    "host"
                ],
            )
            .unwrap();
            let json_id = tx.last_insert_rowid();
            tx.commit().unwrap();
            before.push(t.elapsed().as_secs_f64() * 1e3);
            (json_len, json_zst) = (json.len(), blob.len());

            // Now: the Arrow stream (made on the run's worker), then insert_run.
            let t = Instant::now();
            let encoded = EncodedResult::encode(&result).unwrap();
            let arrow_id = store
                .insert_run(&result, &encoded, 1.0, "host", "host")
                .unwrap()
                .id;
            now.push(t.elapsed().as_secs_f64() * 1e3);

            // Reading the run back as JSON text (`GET /api/runs/{id}`), from each form.
            for (id, times) in [(json_id, &mut read_json), (arrow_id, &mut read_arrow)] {
                let t = Instant::now();
                let record = store.get_run(id).unwrap().unwrap();
                times.push(t.elapsed().as_secs_f64() * 1e3);
                assert_eq!(record.result.get().len(), json.len());
            }
            arrow_len = encoded.bytes().len();
            arrow_zst = zstd::bulk::compress(encoded.bytes(), 1).unwrap().len();
        }
        println!(
            "{tool} | {json_len} | {json_zst} | {arrow_len} | {arrow_zst} | {:.2} | {:.2} | {:.2} | {:.2}",
            median_ms(before),
            median_ms(now),
            median_ms(read_json),
            median_ms(read_arrow)
        );
    }
}

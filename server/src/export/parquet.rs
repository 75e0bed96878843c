//! The Parquet export of a result: the record batch of its Arrow IPC stream
//! (`cristallo_core::result::arrow`) written as one Parquet file, Snappy-compressed, with the
//! Arrow schema and its metadata (`cristallo.result`) kept in the file's key-value metadata.

use arrow_ipc::reader::StreamReader;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// The media type of the Parquet export.
pub const PARQUET_MEDIA_TYPE: &str = "application/vnd.apache.parquet";

/// The Parquet file of the Arrow IPC stream `ipc`: the same columns (`x0`…, `y:<series>`, each
/// `List<Float64>`), rows and schema metadata. Fails (naming the step) only on a stream that is
/// not Arrow IPC.
pub fn arrow_ipc_to_parquet(ipc: &[u8]) -> Result<Vec<u8>, String> {
    let reader =
        StreamReader::try_new(ipc, None).map_err(|e| format!("reading the Arrow stream: {e}"))?;
    let schema = reader.schema();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut file = Vec::with_capacity(ipc.len() / 2 + 4096);
    let mut writer = ArrowWriter::try_new(&mut file, schema, Some(props))
        .map_err(|e| format!("starting the Parquet file: {e}"))?;
    for batch in reader {
        let batch = batch.map_err(|e| format!("reading the Arrow stream: {e}"))?;
        writer
            .write(&batch)
            .map_err(|e| format!("writing the Parquet file: {e}"))?;
    }
    writer
        .close()
        .map_err(|e| format!("finishing the Parquet file: {e}"))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Float64Array, ListArray};
    use cristallo_core::result::arrow::{to_arrow_ipc, RESULT_KEY};
    use cristallo_core::{Series, ToolResult};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn the_parquet_file_holds_the_arrow_columns_bit_for_bit() {
        let mut r = ToolResult::new("modal", serde_json::json!({"floor": 2}));
        r.set("f_1_hz", 7.25);
        let x: Vec<f64> = (0..1000).map(|i| f64::from(i) * 0.1).collect();
        let y: Vec<f64> = x.iter().map(|t| (t * 1.7).sin() * 1e-3).collect();
        r.push_series(Series::new("a", "t", "y", x.clone(), y.clone()));
        r.push_series(Series::new("b", "t", "y", x.clone(), vec![-0.0; 1000]));
        let ipc = to_arrow_ipc(&r).unwrap();
        let file = arrow_ipc_to_parquet(&ipc).unwrap();
        assert_eq!(&file[..4], b"PAR1");
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(axum::body::Bytes::from(file)).unwrap();
        assert!(builder.schema().metadata.contains_key(RESULT_KEY));
        let batches: Vec<_> = builder.build().unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(batches.len(), 1);
        let values = |name: &str| -> Vec<u64> {
            let col = batches[0].column_by_name(name).unwrap();
            let list = col.as_any().downcast_ref::<ListArray>().unwrap().value(0);
            let f = list.as_any().downcast_ref::<Float64Array>().unwrap();
            f.values().iter().map(|v| v.to_bits()).collect()
        };
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(values("x0"), bits(&x));
        assert_eq!(values("y:a"), bits(&y));
        assert_eq!(values("y:b"), bits(&[-0.0; 1000]));
        assert!(
            batches[0].column_by_name("x1").is_none(),
            "shared x stored once"
        );
    }

    #[test]
    fn bytes_that_are_not_arrow_are_refused() {
        let err = arrow_ipc_to_parquet(b"PAR1 but not arrow").unwrap_err();
        assert!(err.contains("reading the Arrow stream"), "{err}");
    }
}

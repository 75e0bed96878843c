#!/usr/bin/env python3
"""Independent reader check of the run exports: reads each run's Arrow IPC stream and Parquet
file with pyarrow and compares every number with the run's JSON form, bit for bit for f64.

Usage: check_exports.py DIR NAME...   (reads DIR/NAME.json, DIR/NAME.arrow, DIR/NAME.parquet)
Prints one line per file checked; exits 1 listing every difference, 0 when all agree.
"""

import json
import sys
from array import array

import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq

FORMAT = b"cristallo.result.arrow/1"


def f64_bytes(values):
    """The IEEE-754 bytes of a list of Python floats (exact: both readers give exact floats)."""
    return array("d", values).tobytes()


def first_difference(got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        if f64_bytes([g]) != f64_bytes([w]):
            return f"[{i}]: {g!r} vs {w!r}"
    return f"lengths {len(got)} vs {len(want)}"


def check_table(label, table, result):
    """Differences between a pyarrow table (one row of List<Float64> columns) and the result."""
    errors = []
    meta = table.schema.metadata or {}
    if meta.get(b"cristallo.format") != FORMAT:
        errors.append(f"{label}: cristallo.format is {meta.get(b'cristallo.format')!r}")
        return errors, 0
    info = json.loads(meta[b"cristallo.result"])
    if table.num_rows != 1:
        errors.append(f"{label}: {table.num_rows} rows, not 1")
        return errors, 0
    for key in ("tool", "params", "tables", "warnings"):
        if info[key] != result[key]:
            errors.append(f"{label}: {key} differs")
    if set(info["scalars"]) != set(result["scalars"]):
        errors.append(f"{label}: scalar names differ")
    for name, want in result["scalars"].items():
        got = info["scalars"].get(name, {})
        kind = "int" if isinstance(want, int) else "float"
        if got.get("kind") != kind or f64_bytes([got.get("value", 0)]) != f64_bytes([want]):
            errors.append(f"{label}: scalar {name}: {got} vs {want!r}")
    if [s["name"] for s in info["series"]] != [s["name"] for s in result["series"]]:
        errors.append(f"{label}: series names differ")
        return errors, 0
    compared = 0
    for meta_s, series in zip(info["series"], result["series"]):
        for column, key in ((meta_s["x_column"], "x"), (meta_s["y_column"], "y")):
            if column not in table.column_names:
                errors.append(f"{label}: no column {column!r}")
                continue
            if not pa.types.is_float64(table.schema.field(column).type.value_type):
                errors.append(f"{label}: column {column!r} is not List<Float64>")
                continue
            got = table.column(column)[0].values.to_pylist()
            want = series[key]
            if f64_bytes(got) != f64_bytes(want):
                diff = first_difference(got, want)
                errors.append(f"{label}: series {series['name']!r} {key} ({column}) {diff}")
            compared += len(want)
    return errors, compared


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    folder, names = argv[1], argv[2:]
    errors = []
    for name in names:
        with open(f"{folder}/{name}.json", encoding="utf-8") as f:
            result = json.load(f)
        with open(f"{folder}/{name}.arrow", "rb") as f:
            arrow = pa.ipc.open_stream(f.read()).read_all()
        parquet = pq.read_table(f"{folder}/{name}.parquet")
        for label, table in ((f"{name}.arrow", arrow), (f"{name}.parquet", parquet)):
            found, compared = check_table(label, table, result)
            errors += found
            print(f"{label}: {compared} f64 values compared, {len(found)} differences")
    for e in errors:
        print(f"DIFFERENCE {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

// Decodes the binary form of a result (docs/result-contract.md §6: an Apache Arrow IPC stream)
// into the object the UI renders — {tool, params, scalars, series, tables, warnings} — with each
// series' x and y as Float64Array views into the received bytes (no copy; series sharing an
// axis share one typed array). The reader is the vendored apache-arrow UMD bundle, loaded by
// index.html as a classic script before the modules (global `Arrow`); see ui/README.md.

export const ARROW_MEDIA_TYPE = 'application/vnd.apache.arrow.stream';
const FORMAT_KEY = 'cristallo.format';
const FORMAT_VERSION = 'cristallo.result.arrow/1';
const RESULT_KEY = 'cristallo.result';

/** A stream that is not a result of this format: the message says what is wrong. */
export class ArrowResultError extends Error {
  constructor(message) {
    super(`Arrow result: ${message}`);
    this.name = 'ArrowResultError';
  }
}

function arrowLibrary() {
  const arrow = globalThis.Arrow;
  if (!arrow?.tableFromIPC) {
    throw new ArrowResultError('the Arrow reader (vendor/apache-arrow/Arrow.esnext.min.js) is not loaded');
  }
  return arrow;
}

/** The one row of `List<Float64>` column `name` as a Float64Array view into the stream's bytes. */
function listColumn(arrow, table, name) {
  const vector = table.getChild(name);
  if (!vector) throw new ArrowResultError(`column '${name}' is missing`);
  const type = vector.type;
  const item = type?.children?.[0]?.type;
  if (type?.typeId !== arrow.Type.List || item?.typeId !== arrow.Type.Float || item.precision !== arrow.Precision.DOUBLE) {
    throw new ArrowResultError(`column '${name}' is ${type}, not List<Float64>`);
  }
  if (vector.data.length !== 1) throw new ArrowResultError(`column '${name}' spans ${vector.data.length} record batches, not one`);
  const data = vector.data[0];
  const child = data.children[0];
  if (data.nullCount > 0 || child.nullCount > 0) throw new ArrowResultError(`column '${name}' has null values`);
  // Row 0 of the list: its values are child values [offsets[start], offsets[start + 1]).
  const offsets = data.valueOffsets;
  const begin = offsets[data.offset];
  const end = offsets[data.offset + 1];
  const values = child.values;
  if (!(values instanceof Float64Array) || end < begin || child.offset + end > values.length) {
    throw new ArrowResultError(`column '${name}' has inconsistent list offsets`);
  }
  return values.subarray(child.offset + begin, child.offset + end);
}

function scalarValue(key, entry) {
  const kind = entry?.kind;
  const value = entry?.value;
  if ((kind !== 'int' && kind !== 'float') || typeof value !== 'number') {
    throw new ArrowResultError(`scalar '${key}' is not {kind: "int" | "float", value: number}`);
  }
  if (kind === 'int' && !Number.isInteger(value)) throw new ArrowResultError(`scalar '${key}' is an int but ${value} is not whole`);
  return value;
}

/**
 * The live points of a progress event's `append_arrow` (docs/result-contract.md §6 "Live
 * points": base64 of a result stream of tool `live` whose series are the points to append), as
 * the rows a live plot appends: [{series, x, y}, …]. Throws an ArrowResultError otherwise.
 */
export function decodeLivePoints(base64Text) {
  let bytes;
  try {
    bytes = Uint8Array.from(atob(base64Text), (c) => c.charCodeAt(0));
  } catch (e) {
    throw new ArrowResultError(`live points are not base64 (${e.message})`);
  }
  const live = decodeResult(bytes);
  if (live.tool !== 'live') throw new ArrowResultError(`live points: a '${live.tool}' result, not 'live'`);
  const rows = [];
  for (const s of live.series) {
    for (let i = 0; i < s.y.length; i += 1) rows.push({ series: s.name, x: s.x[i], y: s.y[i] });
  }
  return rows;
}

/**
 * The result carried by `bytes` (an ArrayBuffer or a Uint8Array holding the Arrow IPC stream),
 * in the JSON form's shape and key order; `scalarKinds` maps each scalar to 'int' | 'float'
 * (the JSON form writes ints without a fraction; a JS number cannot tell). Throws an
 * ArrowResultError saying what is wrong for anything that is not a result stream.
 */
export function decodeResult(bytes) {
  const arrow = arrowLibrary();
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let table;
  try {
    table = arrow.tableFromIPC(view);
  } catch (e) {
    throw new ArrowResultError(`not a readable Arrow IPC stream (${e.message})`);
  }
  const metadata = table.schema.metadata;
  if (table.schema.fields.length === 0 && metadata.size === 0) {
    throw new ArrowResultError(`no schema in ${view.byteLength} bytes: not an Arrow IPC stream`);
  }
  const format = metadata.get(FORMAT_KEY);
  if (format !== FORMAT_VERSION) {
    throw new ArrowResultError(format === undefined ? `no '${FORMAT_KEY}' in the schema metadata`
      : `format '${format}' is not '${FORMAT_VERSION}'`);
  }
  let meta;
  try {
    meta = JSON.parse(metadata.get(RESULT_KEY) ?? '');
  } catch (e) {
    throw new ArrowResultError(`'${RESULT_KEY}' is not JSON (${e.message})`);
  }
  if (!meta || typeof meta !== 'object' || typeof meta.tool !== 'string') {
    throw new ArrowResultError(`'${RESULT_KEY}' is not a result object`);
  }
  if (table.numRows !== 1) throw new ArrowResultError(`${table.numRows} rows, not one`);

  const columns = new Map();
  const column = (name) => {
    if (typeof name !== 'string') throw new ArrowResultError('a series names no column');
    if (!columns.has(name)) columns.set(name, listColumn(arrow, table, name));
    return columns.get(name);
  };
  const scalars = {};
  const scalarKinds = {};
  for (const [key, entry] of Object.entries(meta.scalars ?? {})) {
    scalars[key] = scalarValue(key, entry);
    scalarKinds[key] = entry.kind;
  }
  const series = (meta.series ?? []).map((s) => {
    const x = column(s.x_column);
    const y = column(s.y_column);
    if (x.length !== y.length) throw new ArrowResultError(`series '${s.name}': x has ${x.length} points, y ${y.length}`);
    return { name: s.name, x_label: s.x_label, y_label: s.y_label, x, y };
  });
  const result = {
    tool: meta.tool,
    params: meta.params ?? {},
    scalars,
    series,
    tables: meta.tables ?? [],
    warnings: meta.warnings ?? [],
  };
  // Not enumerable: the JSON form has no such key.
  Object.defineProperty(result, 'scalarKinds', { value: scalarKinds, enumerable: false });
  return result;
}

/** JSON.stringify replacer writing typed arrays (decoded series) as plain JSON arrays. */
export function typedArraysAsLists(_key, value) {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value) : value;
}

/** The result as the text of its JSON form (docs/result-contract.md §1), `indent` as JSON.stringify's. */
export function resultJson(result, indent) {
  return JSON.stringify(result, typedArraysAsLists, indent);
}

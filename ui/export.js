// Exports of a result at full resolution, downloaded as Blobs (works in browsers and Tauri).

/** Saves `blob` as `filename` through a temporary link. */
export function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function csvCell(v) {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const csvRow = (cells) => cells.map(csvCell).join(',');

/** True when every series has the same x values. */
export function sharesX(series) {
  const x0 = series[0].x;
  return series.every((s) => s.x === x0
    || (s.x.length === x0.length && s.x.every((v, i) => v === x0[i])));
}

/**
 * One CSV with two sections separated by an empty line: the scalars (`scalar,value`), then the
 * series — wide (`x, one column per series`) when all share the same x, else long
 * (`series,x,y`). Numbers are written with full precision.
 */
export function resultToCsv(result) {
  const lines = [csvRow(['scalar', 'value'])];
  for (const [key, value] of Object.entries(result.scalars ?? {})) lines.push(csvRow([key, value]));
  const series = result.series ?? [];
  if (series.length) {
    lines.push('');
    if (sharesX(series)) {
      lines.push(csvRow([series[0].x_label, ...series.map((s) => s.name)]));
      series[0].x.forEach((x, i) => lines.push(csvRow([x, ...series.map((s) => s.y[i])])));
    } else {
      lines.push(csvRow(['series', 'x', 'y']));
      for (const s of series) s.x.forEach((x, i) => lines.push(csvRow([s.name, x, s.y[i]])));
    }
  }
  return `${lines.join('\n')}\n`;
}

function stamp() {
  return new Date().toISOString().slice(0, 19).replaceAll(':', '-');
}

/** Saves `data` as `{basename}-{time}.json`. */
export function downloadJson(data, basename) {
  const blob = new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' });
  downloadBlob(blob, `${basename}-${stamp()}.json`);
}

export function exportJson(result) {
  downloadJson(result, result.tool);
}

export function exportCsv(result) {
  downloadBlob(new Blob([resultToCsv(result)], { type: 'text/csv' }), `${result.tool}-${stamp()}.csv`);
}

/** Saves a plot canvas as PNG on a white background (uPlot's canvas is transparent). */
export function exportCanvasPng(canvas, filename) {
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const ctx = copy.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, copy.width, copy.height);
  ctx.drawImage(canvas, 0, 0);
  copy.toBlob((blob) => blob && downloadBlob(blob, filename), 'image/png');
}

// Exports of a result at full resolution: downloaded as Blobs in a browser, saved in the
// Downloads folder by the desktop app (with a notice saying where).

import { typedArraysAsLists } from './arrowresult.js';
import { isDesktop, saveDownload } from './transport.js';

/** A short notice at the bottom of the window (role=status), replaced by the next one. */
function notify(text, isError = false) {
  let box = document.getElementById('save-notice');
  if (!box) {
    box = document.createElement('p');
    box.id = 'save-notice';
    box.className = 'save-notice';
    box.setAttribute('role', 'status');
    document.body.append(box);
  }
  box.textContent = text;
  box.classList.toggle('error', isError);
  box.hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

/**
 * Saves `blob` as `filename`: a download in a browser; in the desktop app a file in the
 * Downloads folder. Resolves to the saved path in the app, null in a browser.
 */
export async function downloadBlob(blob, filename) {
  if (isDesktop()) {
    try {
      const path = await saveDownload(blob, filename);
      notify(`Saved ${path}`);
      return path;
    } catch (e) {
      notify(`Could not save ${filename}: ${e.message}`, true);
      return null;
    }
  }
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return null;
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

/** Saves `data` as `{basename}-{time}.json` (typed arrays, a decoded result's series, as JSON arrays). */
export function downloadJson(data, basename) {
  const blob = new Blob([JSON.stringify(data, typedArraysAsLists, 1)], { type: 'application/json' });
  downloadBlob(blob, `${basename}-${stamp()}.json`);
}

export function exportJson(result) {
  downloadJson(result, result.tool);
}

export function exportCsv(result) {
  downloadBlob(new Blob([resultToCsv(result)], { type: 'text/csv' }), `${result.tool}-${stamp()}.csv`);
}

/**
 * "Arrow" and "Parquet" download links of stored run `runId` (`GET /api/runs/{id}?format=`,
 * docs/result-contract.md §6), for the export bar beside JSON/CSV. None without a run id, and
 * none in the desktop app, which has no HTTP server to link to.
 */
export function runExportLinks(runId) {
  if (runId === null || runId === undefined || isDesktop()) return [];
  return [['arrow', 'Export Arrow'], ['parquet', 'Export Parquet']].map(([format, label]) => {
    const a = document.createElement('a');
    a.id = `export-${format}`;
    a.className = 'button-link';
    a.href = `/api/runs/${encodeURIComponent(runId)}?format=${format}`;
    a.setAttribute('download', '');
    a.textContent = label;
    return a;
  });
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

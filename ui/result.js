// Renders a tool result (docs/platform.md §3): stability banner, warnings, exports, scalars,
// tables and plots. Element ids and data attributes are a contract with the end-to-end tests.

import { el } from './dom.js';
import { downloadBlob, exportCsv, exportJson, runExportLinks } from './export.js';
import { extensionOf } from './extensions.js';
import { formatNumber, keyLabel } from './format.js';
import { renderPlots } from './plots.js';
import { openRunReport, runFigureBlob, runFigures } from './transport.js';
import { inDisplayUnits } from './units.js';

function scalarText(key, value) {
  if (key === 'closed_loop_stable') return value === 1 ? 'stable (1)' : 'UNSTABLE (0)';
  return formatNumber(value);
}

// The verdict and the headline figure first (docs/control.md §1), the rest in the result's order.
const PINNED = ['closed_loop_stable', 'kinetic_energy_reduction_db'];

/** `kinds`: scalar key → 'int' | 'float' as the binary form carries it (shown as `data-kind`). */
function scalarsTable(scalars, kinds = {}) {
  const entries = Object.entries(scalars);
  const pinned = PINNED.filter((k) => k in scalars).map((k) => [k, scalars[k]]);
  const rows = [...pinned, ...entries.filter(([k]) => !PINNED.includes(k))].map(([key, value]) =>
    el('tr', { 'data-scalar': key, 'data-kind': kinds[key] }, [
      el('th', { scope: 'row', title: key }, keyLabel(key)),
      el('td', { class: 'scalar-value', 'data-value': String(value) }, scalarText(key, value)),
    ]));
  return el('table', { id: 'scalars', class: 'data-table scalars' }, [
    el('caption', {}, 'Scalars'),
    el('thead', {}, el('tr', {}, [el('th', { scope: 'col' }, 'Quantity'), el('th', { scope: 'col' }, 'Value')])),
    el('tbody', {}, rows),
  ]);
}

function cellText(v) {
  return typeof v === 'number' ? formatNumber(v) : String(v ?? '');
}

function resultTable(table) {
  return el('table', { class: 'data-table', 'data-table': table.name }, [
    el('caption', {}, keyLabel(table.name)),
    el('thead', {}, el('tr', {}, table.columns.map((c) =>
      el('th', { scope: 'col', title: c, 'data-column': c }, keyLabel(c))))),
    el('tbody', {}, table.rows.map((row) => el('tr', {}, row.map((v) =>
      el('td', { class: typeof v === 'number' ? 'num' : null }, cellText(v)))))),
  ]);
}

function warningsBox(warnings) {
  return el('section', { id: 'warnings', class: 'warnings', 'aria-label': 'Warnings', hidden: warnings.length === 0 }, [
    el('h3', {}, warnings.length === 1 ? 'Warning' : `Warnings (${warnings.length})`),
    el('ul', {}, warnings.map((w) => el('li', {}, w))),
  ]);
}

function unstableBanner(warnings) {
  const related = warnings.filter((w) => /unstable/i.test(w));
  return el('div', { id: 'unstable-banner', class: 'unstable-banner', role: 'alert' }, [
    el('strong', {}, 'Closed loop UNSTABLE'),
    ...(related.length ? related : warnings).map((w) => el('p', {}, w)),
  ]);
}

function paramsEcho(params) {
  return el('details', { class: 'params-echo' }, [
    el('summary', {}, 'Parameters used (defaults filled in)'),
    el('pre', {}, JSON.stringify(params, null, 2)),
  ]);
}

/**
 * Fills `container` with the result; returns a function that releases the plots. `runId`: the
 * stored run, which adds the HTML report and server-drawn PNG/SVG figures.
 */
export function renderResult(container, stored, { runId = null } = {}) {
  // Shown in the display units of the Settings page; exported as the tool computed it.
  const result = inDisplayUnits(stored);
  const scalars = result.scalars ?? {};
  const warnings = result.warnings ?? [];
  const series = result.series ?? [];
  const tables = result.tables ?? [];

  const jsonButton = el('button', { type: 'button', id: 'export-json' }, 'Export JSON');
  const csvButton = el('button', { type: 'button', id: 'export-csv' }, 'Export CSV');
  jsonButton.addEventListener('click', () => exportJson(stored));
  csvButton.addEventListener('click', () => exportCsv(stored));
  const exportNote = el('span', { id: 'export-status', class: 'export-status', role: 'status' });
  const reportButton = runId === null ? null
    : el('button', { type: 'button', id: 'export-report' }, 'Report (HTML)');
  reportButton?.addEventListener('click', () => {
    exportNote.textContent = '';
    openRunReport(runId, downloadBlob).then((how) => {
      exportNote.textContent = how === 'saved' ? 'Report saved; open it in a browser to print or save as PDF.' : '';
    }).catch((e) => { exportNote.textContent = `Report failed: ${e.message}`; });
  });
  const exportFigure = (index, format) => {
    exportNote.textContent = '';
    runFigureBlob(runId, index, format)
      .then((blob) => downloadBlob(blob, `${result.tool}-run-${runId}-figure-${index + 1}.${format}`))
      .catch((e) => { exportNote.textContent = `Figure export failed: ${e.message}`; });
  };

  const plots = el('div', { id: 'plots', class: 'plots' });
  container.replaceChildren(...[
    scalars.closed_loop_stable === 0 ? unstableBanner(warnings) : null,
    warningsBox(warnings),
    el('div', { class: 'export-bar' }, [jsonButton, csvButton, ...runExportLinks(runId), reportButton, exportNote]),
    extensionOf(result.tool).result?.(result, runId) ?? null,
    el('div', { class: 'result-grid' }, [
      Object.keys(scalars).length ? scalarsTable(scalars, stored.scalarKinds) : null,
      tables.length ? el('div', { id: 'tables', class: 'tables' }, tables.map(resultTable)) : null,
    ].filter(Boolean)),
    series.length ? el('h3', { class: 'section-title' }, 'Plots') : null,
    plots,
    paramsEcho(result.params ?? {}),
  ].filter(Boolean));
  const figures = runId === null || !series.length ? null : runFigures(runId);
  return renderPlots(plots, series, { figures, exportFigure });
}

// Plots of result series with uPlot: grouping of related series, log/linear frequency axes,
// drag-zoom, display-only decimation (full data stays in the result for export).

import uPlot from './vendor/uplot/uPlot.esm.js';
import { el } from './dom.js';
import { exportCanvasPng, sharesX } from './export.js';
import { formatNumber, seriesLabel } from './format.js';

/** Series longer than this are decimated for display (min/max per bucket). */
const DECIMATE_ABOVE = 20000;
const BUCKETS = 4000;
const MAX_PER_PLOT = 6;
const HEIGHT = 320;
const COLORS = ['#0b62a4', '#c0392b', '#1e7b3c', '#7d3c98', '#b35900', '#117a8b', '#6e4b3a', '#b0306e'];

const floorOf = (name) => Number(/(?:^|_)floor_(\d+)/.exec(name)?.[1] ?? 0);
// Uncertainty envelopes `floor_k_nominal`, `floor_k_{method}_{lower|upper|qN}`: one plot per floor.
const envelopeMethod = (name) => /^floor_\d+_(nominal|.+?)(?:_(?:lower|upper))?$/.exec(name)?.[1] ?? null;
const isEnvelope = (name) => /^floor_\d+_(nominal|.+_(lower|upper|q\d+))$/.test(name);
const isUncontrolled = (name) => /_uncontrolled(_|$)/.test(name);
const percentileOf = (name) => /_p(05|50|95)$/.exec(name)?.[1] ?? null;
// From the first " (": units may nest parentheses, "(dB re 1 (m/s²)/N)".
const stem = (label) => label.replace(/\s+\(.*\)\s*$/, '');

// The exact curve under an experiment (cbc): whole curve solid grey, unstable stretches dashed.
const isExactCurve = (name) => /^exact_amplitude_\d/.test(name);
const isUnstableStretch = (name) => /^exact_unstable_amplitude_\d/.test(name);
const underlayRank = (name) => (isExactCurve(name) ? 0 : isUnstableStretch(name) ? 1 : 2);

/**
 * The name with what distinguishes curves of one plot removed: floor, (un)controlled,
 * percentile, and the sweep direction / experiment / exact-curve prefix of an amplitude.
 */
function baseName(name) {
  if (isEnvelope(name)) return 'floor_#_envelope';
  return name
    .replace(/_segment_\d+$/, '')
    .replace(/^(exact_unstable|exact|branch|up|down|operating_point_\d+)_(?=amplitude_\d)/, '')
    .replace(/^(measured|modal_fit|model|residual)_(?=exc_\d)/, '')
    .replace(/^source_\d+_(?=floor_\d)/, 'source_#_')
    .replace(/_(un)?controlled(?=_|$)/, '')
    .replace(/_p(05|50|95)$/, '')
    .replace(/_floor_\d+/, '_floor_#');
}

function isMonotonic(x) {
  for (let i = 1; i < x.length; i++) if (!(x[i] >= x[i - 1])) return false;
  return true;
}

/**
 * Groups series into plots: same axis labels and same base name share a plot
 * (ke_uncontrolled + ke_controlled; all floors' FRF magnitudes). A group of more than
 * MAX_PER_PLOT curves is split per floor. Non-monotonic x (a Nyquist curve) plots as x–y.
 */
function groupSeries(series) {
  const groups = new Map();
  for (const s of series) {
    const key = `${s.x_label}\u0001${s.y_label}\u0001${baseName(s.name)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(s);
  }
  const plots = [];
  for (const members of groups.values()) {
    // Exact curves first, so they are drawn underneath the experiment.
    members.sort((a, b) => underlayRank(a.name) - underlayRank(b.name));
    const floors = [...new Set(members.map((s) => floorOf(s.name)))];
    const split = members.length > MAX_PER_PLOT && floors.length > 1 && !floors.includes(0);
    const parts = split ? floors.map((f) => members.filter((s) => floorOf(s.name) === f)) : [members];
    for (const part of parts) {
      const first = part[0];
      const xy = part.some((s) => !isMonotonic(s.x));
      let title = part.length === 1 ? seriesLabel(first.name) : stem(first.y_label);
      const acronym = /^(frf|h1)_/.exec(first.name)?.[1];
      if (part.length > 1 && acronym) title = `${acronym.toUpperCase()} ${title.toLowerCase()}`;
      if (split) title += `, floor ${floorOf(first.name)}`;
      const exc = /(?:^|_)exc_(\d+)_/.exec(first.name)?.[1];
      if (exc && part.length > 1) title += `, excitation at floor ${exc}`;
      plots.push({ title, xLabel: first.x_label, yLabel: first.y_label, members: part, xy });
    }
  }
  return plots;
}

/** Aligned columns [x, y1, y2, …] for a function plot; only x > 0 when `positiveX`. */
function alignedData(members, positiveX) {
  let data = sharesX(members)
    ? [members[0].x, ...members.map((s) => s.y)]
    : uPlot.join(members.map((s) => [s.x, s.y]));
  if (positiveX && data[0].some((v) => v <= 0)) {
    const keep = [];
    data[0].forEach((v, i) => { if (v > 0) keep.push(i); });
    data = data.map((col) => keep.map((i) => col[i]));
  }
  return data;
}

/**
 * Min/max per bucket across aligned columns: each bucket becomes two samples (its first and
 * last x), each curve keeping its extremes in the order they occur.
 */
function decimate(data, buckets = BUCKETS) {
  const n = data[0].length;
  if (n <= DECIMATE_ABOVE) return data;
  const out = data.map(() => []);
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const i0 = Math.floor(b * size);
    const i1 = Math.min(n, Math.floor((b + 1) * size));
    if (i1 <= i0) continue;
    out[0].push(data[0][i0], data[0][i1 - 1]);
    for (let c = 1; c < data.length; c++) {
      const col = data[c];
      let lo = -1;
      let hi = -1;
      for (let i = i0; i < i1; i++) {
        const v = col[i];
        if (v === null || v === undefined) continue;
        if (lo < 0 || v < col[lo]) lo = i;
        if (hi < 0 || v > col[hi]) hi = i;
      }
      if (lo < 0) out[c].push(null, null);
      else out[c].push(col[Math.min(lo, hi)], col[Math.max(lo, hi)]);
    }
  }
  return out;
}

/** Every k-th point of an x–y curve (keeping the last) when it is longer than the limit. */
function thin(x, y) {
  if (x.length <= DECIMATE_ABOVE) return [x, y];
  const step = Math.ceil(x.length / (2 * BUCKETS));
  const xs = [];
  const ys = [];
  for (let i = 0; i < x.length; i += step) { xs.push(x[i]); ys.push(y[i]); }
  xs.push(x.at(-1));
  ys.push(y.at(-1));
  return [xs, ys];
}

/**
 * Line style: one colour per floor when a plot shows several floors, else one per curve;
 * uncontrolled curves dashed next to their controlled ones; 5th/95th percentiles thin grey.
 */
function style(members, s, i) {
  if (underlayRank(s.name) < 2) {
    const unstable = isUnstableStretch(s.name);
    return {
      label: seriesLabel(s.name),
      stroke: unstable ? '#c0392b' : '#52606d',
      width: unstable ? 2.2 : 1.4,
      dash: unstable ? [7, 5] : undefined,
      spanGaps: true,
      points: { show: false },
      value: (u, v) => (v === null || v === undefined ? '–' : formatNumber(v, 5)),
    };
  }
  if (members.length > 1 && members.every((m) => isEnvelope(m.name))) {
    // One colour per method (its lower and upper bound alike), nominal black, quantiles dashed.
    const methods = [...new Set(members.map((m) => envelopeMethod(m.name)).filter((m) => m !== 'nominal'))];
    const method = envelopeMethod(s.name);
    const quantile = /_q\d+$/.test(s.name);
    return {
      label: seriesLabel(s.name),
      stroke: method === 'nominal' ? '#1f2933' : COLORS[methods.indexOf(method) % COLORS.length],
      width: method === 'nominal' ? 2 : 1.4,
      dash: quantile ? [5, 4] : undefined,
      spanGaps: true,
      points: { show: false },
      value: (u, v) => (v === null || v === undefined ? '–' : formatNumber(v, 5)),
    };
  }
  const measured = members.filter((m) => underlayRank(m.name) === 2);
  // Over an exact curve, the experiment's points are markers, so both stay visible.
  const markers = measured.length < members.length;
  if (markers) i = measured.indexOf(s);
  const floors = new Set(members.map((m) => floorOf(m.name)));
  const pairs = members.some((m) => isUncontrolled(m.name)) && members.some((m) => !isUncontrolled(m.name));
  const uncontrolled = pairs && isUncontrolled(s.name);
  const band = ['05', '95'].includes(percentileOf(s.name));
  let color = COLORS[i % COLORS.length];
  if (floors.size > 1) color = COLORS[(floorOf(s.name) - 1) % COLORS.length];
  else if (pairs) color = uncontrolled ? COLORS[0] : COLORS[1];
  if (markers) {
    return {
      label: seriesLabel(s.name),
      stroke: color,
      width: 1.6,
      paths: () => null,
      points: { show: true, size: 7, width: 1.6, stroke: color, fill: '#ffffff' },
      value: (u, v) => (v === null || v === undefined ? '–' : formatNumber(v, 5)),
    };
  }
  return {
    label: seriesLabel(s.name),
    stroke: band ? '#7a8794' : color,
    width: band ? 1 : 1.6,
    dash: uncontrolled || band ? [6, 4] : undefined,
    spanGaps: true,
    points: { show: false },
    value: (u, v) => (v === null || v === undefined ? '–' : formatNumber(v, 5)),
  };
}

const axisValues = (u, splits) => splits.map((v) => (v === null ? '' : formatNumber(v, 4)));

function axes(plot) {
  const common = { stroke: '#1f2933', grid: { stroke: '#dde3ea', width: 1 }, ticks: { stroke: '#c3ccd6' } };
  return [
    { ...common, label: plot.xLabel, values: axisValues },
    { ...common, label: plot.yLabel, values: axisValues, size: 72 },
  ];
}

function exactRange(lo, hi, log) {
  if (lo !== hi) return [lo, hi];
  return log ? [lo / 10, hi * 10] : [lo - 1, hi + 1];
}

function functionOptions(plot, log) {
  return {
    height: HEIGHT,
    // The data's own extent: a log axis would otherwise snap 100.00000000000009 up to 1000.
    scales: { x: { time: false, distr: log ? 3 : 1, log: 10, range: (u, lo, hi) => exactRange(lo, hi, log) } },
    axes: axes(plot),
    series: [
      { label: stem(plot.xLabel), value: (u, v) => (v === null ? '–' : formatNumber(v, 6)) },
      ...plot.members.map((s, i) => style(plot.members, s, i)),
    ],
    cursor: { sync: { key: plot.xLabel } },
  };
}

const isNyquist = (plot) => /^Re\b/.test(plot.xLabel) && /^Im\b/.test(plot.yLabel);

/** Joins the points of an x–y curve in their order (uPlot's own builders assume sorted x). */
function polyline(u, seriesIdx) {
  const [xs, ys] = u.data[seriesIdx];
  const path = new Path2D();
  let penDown = false;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] === null || ys[i] === null) {
      penDown = false;
      continue;
    }
    const px = u.valToPos(xs[i], 'x', true);
    const py = u.valToPos(ys[i], 'y', true);
    if (penDown) path.lineTo(px, py);
    else path.moveTo(px, py);
    penDown = true;
  }
  return { stroke: path, fill: null, clip: null, flags: 0 };
}

function xyOptions(plot) {
  const series = [{}, ...plot.members.map((s, i) => {
    const st = style(plot.members, s, i);
    // Markers only: uPlot's x–y mode draws the points a filter lists (all of them here).
    if (st.paths) st.points = { ...st.points, filter: (u, si) => u.data[si][0].map((_, k) => k) };
    return { ...st, paths: st.paths ?? polyline };
  })];
  if (isNyquist(plot)) {
    series.push({
      label: 'Critical point −1', stroke: '#c0392b', fill: '#c0392b',
      paths: () => null, points: { show: true, size: 11, width: 2, fill: '#ffffff', filter: () => [0] },
    });
  }
  // A Nyquist plot keeps the critical point and the origin in view whatever the size of the loop.
  const around = (a, b) => (u, lo, hi) => {
    const min = Math.min(lo ?? a, a);
    const max = Math.max(hi ?? b, b);
    const pad = 0.05 * (max - min || 1);
    return [min - pad, max + pad];
  };
  return {
    mode: 2,
    height: HEIGHT,
    scales: isNyquist(plot)
      ? { x: { time: false, range: around(-1, 0) }, y: { range: around(0, 0) } }
      : { x: { time: false } },
    axes: axes(plot),
    series,
    legend: { live: false },
    cursor: { drag: { x: true, y: true, uni: 20 } },
  };
}

function xyData(plot) {
  const data = [null, ...plot.members.map((s) => thin(s.x, s.y))];
  if (isNyquist(plot)) data.push([[-1], [0]]);
  return data;
}

/** One plot panel with a heading, a lin/log toggle for frequency axes, reset, PNG. Returns {node, dispose}. */
function plotPanel(plot, index) {
  const canLog = !plot.xy && /^Frequency/i.test(plot.xLabel);
  let log = canLog;
  let chart = null;
  const headingId = `plot-title-${index}`;
  const canvasBox = el('div', { class: 'plot-canvas' });
  const note = el('p', { class: 'plot-note' });
  const button = (text, attrs = {}) =>
    el('button', { type: 'button', class: 'small', 'aria-label': `${text}: ${plot.title}`, ...attrs }, text);
  const logButton = button('Log x', { 'aria-pressed': String(log) });
  const resetButton = button('Reset zoom');
  const pngButton = button('PNG');
  const svgButton = button('SVG', { hidden: true });
  const names = plot.members.map((s) => s.name).join(' ');
  // Set when the server can draw this plot (a stored run): PNG and SVG then come from there.
  let serverExport = null;

  function draw() {
    chart?.destroy();
    const width = Math.max(280, canvasBox.clientWidth || 600);
    const total = Math.max(...plot.members.map((s) => s.x.length));
    let opts;
    let data;
    let shown;
    if (plot.xy) {
      opts = xyOptions(plot);
      data = xyData(plot);
      shown = data[1][0].length;
    } else {
      opts = functionOptions(plot, log);
      const aligned = alignedData(plot.members, log);
      data = decimate(aligned);
      shown = data === aligned ? total : data[0].length;
    }
    chart = new uPlot({ ...opts, width }, data, canvasBox);
    const count = `${total.toLocaleString('en')} points per curve`;
    const drawn = shown < total
      ? `, ${shown.toLocaleString('en')} drawn (decimated for display; exports keep all points)` : '';
    note.textContent = `${count}${drawn}. Drag to zoom, double-click or Reset zoom to restore.`;
  }

  logButton.addEventListener('click', () => {
    log = !log;
    logButton.setAttribute('aria-pressed', String(log));
    draw();
  });
  resetButton.addEventListener('click', draw);
  pngButton.addEventListener('click', () => {
    if (serverExport) serverExport('png');
    else if (chart) exportCanvasPng(chart.ctx.canvas, `${plot.members[0].name}.png`);
  });
  svgButton.addEventListener('click', () => serverExport?.('svg'));

  const node = el('figure', { class: 'plot', 'aria-labelledby': headingId, 'data-series': names }, [
    el('figcaption', { class: 'plot-head' }, [
      el('h4', { id: headingId }, plot.title),
      el('div', { class: 'plot-tools' }, [canLog ? logButton : null, resetButton, pngButton, svgButton]),
    ]),
    canvasBox,
    note,
  ]);

  const observer = new ResizeObserver(() => {
    const width = canvasBox.clientWidth;
    if (chart && width > 0 && Math.abs(width - chart.width) > 1) chart.setSize({ width, height: HEIGHT });
  });
  return {
    node,
    names,
    /** `exportAs(format)` downloads this plot drawn by the server. */
    useServerExport(exportAs) {
      serverExport = exportAs;
      svgButton.hidden = false;
      pngButton.title = 'Drawn by the server: the same image in the app and in browsers';
    },
    mount() { draw(); observer.observe(canvasBox); },
    dispose() { observer.disconnect(); chart?.destroy(); },
  };
}

/**
 * Renders every series of a result into `container`; returns a function that tears the plots
 * down. `figures` (optional): a promise of the server's figures of the stored run
 * ([{index, series}]) and `exportFigure(index, format)`; plots whose series match a figure
 * then export PNG/SVG drawn by the server.
 */
export function renderPlots(container, series, { figures = null, exportFigure = null } = {}) {
  const panels = groupSeries(series).map(plotPanel);
  container.append(...panels.map((p) => p.node));
  for (const p of panels) p.mount();
  figures?.then((list) => {
    for (const fig of list) {
      const panel = panels.find((p) => p.names === fig.series.join(' '));
      panel?.useServerExport((format) => exportFigure(fig.index, format));
    }
  }).catch(() => {});
  return () => panels.forEach((p) => p.dispose());
}

/**
 * A plot that grows while a run goes on: `append(points)` takes the live data of progress
 * events (`{series, x, y, x_label?, y_label?}` each; repeats after a reconnect are ignored) and
 * redraws at most five times a second. `data-points` on the container counts the points shown.
 */
export function livePlot(container) {
  const series = new Map();
  const seen = new Set();
  let count = 0;
  let timer = null;
  let release = null;

  function redraw() {
    timer = null;
    release?.();
    container.replaceChildren();
    release = renderPlots(container, [...series.values()]);
    container.dataset.points = String(count);
  }

  return {
    append(points) {
      for (const p of Array.isArray(points) ? points : []) {
        if (typeof p?.series !== 'string' || !Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
        const key = `${p.series}\u0001${p.x}\u0001${p.y}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (!series.has(p.series)) {
          series.set(p.series, { name: p.series, x_label: p.x_label ?? 'x', y_label: p.y_label ?? 'y', x: [], y: [] });
        }
        const s = series.get(p.series);
        s.x.push(p.x);
        s.y.push(p.y);
        count += 1;
      }
      if (count > 0 && timer === null) timer = setTimeout(redraw, 200);
    },
    dispose() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      release?.();
      release = null;
    },
  };
}

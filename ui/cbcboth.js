// The cbc page's extra action (docs/cbc.md §10 "Both curves at once"): the exact S-curve (forcing
// varied at the form's ω) and the exact FRC (ω varied at the form's forcing Φ) through the same
// operating point (ω, Φ), side by side. The periodic orbits at that point are marked on both
// curves: the same orbits, so the same amplitudes (stable and unstable alike).

import { el } from './dom.js';
import { formatNumber } from './format.js';
import { renderPlots } from './plots.js';
import { runTool } from './transport.js';

const MAX_FORCING_N = 1e5;
const MAX_FREQUENCY_RAD_S = 1000;

/** The `exact` parameters of `curve` through (ω, Φ), its range widened to hold the point. */
function exactParams(params, curve) {
  const p = { ...params, mode: 'exact', curve };
  if (curve === 's_curve') {
    p.forcing_min_n = Math.min(p.forcing_min_n, p.forcing_n / 2);
    p.forcing_max_n = Math.min(MAX_FORCING_N, Math.max(p.forcing_max_n, p.forcing_n * 1.25));
  } else {
    p.frequency_min_rad_s = Math.min(p.frequency_min_rad_s, p.omega_rad_s / 2);
    p.frequency_max_rad_s = Math.min(MAX_FREQUENCY_RAD_S, Math.max(p.frequency_max_rad_s, p.omega_rad_s * 1.25));
  }
  return p;
}

/** The values of the curve (x, y) where it passes x = v (linear between its points). */
export function crossings(x, y, v) {
  const out = [];
  for (let i = 0; i < x.length; i++) {
    const a = x[i] - v;
    if (a === 0) out.push(y[i]);
    else if (i + 1 < x.length) {
      const b = x[i + 1] - v;
      if (a * b < 0) out.push(y[i] + ((y[i + 1] - y[i]) * a) / (a - b));
    }
  }
  return out;
}

/**
 * The amplitude curves of an exact result with the operating point's orbits as markers
 * (`operating_point_{j}_amplitude_{k}`, drawn over the curve), and the floor-1 amplitudes.
 */
function markedCurves(result, at) {
  const amplitude = (result.series ?? []).filter((s) => /^exact(_unstable)?_amplitude_\d/.test(s.name));
  const markers = [];
  let floor1 = [];
  for (const s of amplitude.filter((c) => /^exact_amplitude_\d$/.test(c.name))) {
    const k = s.name.slice('exact_amplitude_'.length);
    // Ascending, so one orbit has the same number (and colour) on both curves.
    const ys = crossings(s.x, s.y, at).sort((a, b) => a - b);
    if (k === '1') floor1 = ys;
    ys.forEach((y, j) => markers.push({
      name: `operating_point_${j + 1}_amplitude_${k}`, x_label: s.x_label, y_label: s.y_label, x: [at], y: [y],
    }));
  }
  return { series: [...amplitude, ...markers], floor1 };
}

const amplitudes = (list) => (list.length ? list.map((a) => formatNumber(a, 4)).join(', ') : 'none');

/**
 * Adds "S-curve and FRC through (ω, Φ)" to `form` (from buildForm); results go to `panel`.
 * `prepare(params)` turns the form's parameters into the ones to send (a picked profile).
 */
export function addBothCurves(form, panel, prepare = (params) => params) {
  const button = el('button', { type: 'button', id: 'both-curves' }, 'S-curve and FRC through (ω, Φ)');
  const status = el('p', { id: 'both-curves-status', class: 'result-status', role: 'status', 'aria-live': 'polite' });
  const plots = el('div', { id: 'both-curves-plots', class: 'both-curves' });
  let release = [];
  const clear = () => {
    release.forEach((r) => r());
    release = [];
    plots.replaceChildren();
  };
  button.addEventListener('click', async () => {
    const checked = form.checkedParams();
    if (!checked) return;
    const params = prepare(checked);
    const omega = params.omega_rad_s;
    const phi = params.forcing_n;
    button.disabled = true;
    clear();
    plots.dataset.state = 'running';
    status.textContent = `Computing the exact S-curve at ω = ${formatNumber(omega)} rad/s and the FRC at Φ = ${formatNumber(phi)} N…`;
    try {
      const s = await runTool('cbc', exactParams(params, 's_curve'));
      const f = await runTool('cbc', exactParams(params, 'frc'));
      const sCurve = markedCurves(s.result, phi);
      const frc = markedCurves(f.result, omega);
      const column = (title, id, series) => {
        const box = el('div', { class: 'both-curves-column', id }, el('h3', {}, title));
        plots.append(box);
        release.push(renderPlots(box, series));
      };
      column(`S-curve at ω = ${formatNumber(omega)} rad/s`, 'both-s-curve', sCurve.series);
      column(`FRC at Φ = ${formatNumber(phi)} N`, 'both-frc', frc.series);
      plots.dataset.state = 'done';
      plots.dataset.sCurveAmplitudes = sCurve.floor1.join(' ');
      plots.dataset.frcAmplitudes = frc.floor1.join(' ');
      status.textContent = `Operating point (ω = ${formatNumber(omega)} rad/s, Φ = ${formatNumber(phi)} N): `
        + `floor-1 amplitudes on the S-curve ${amplitudes(sCurve.floor1)} m, on the FRC ${amplitudes(frc.floor1)} m `
        + `(the same orbits, marked on both; runs #${s.runId ?? '–'} and #${f.runId ?? '–'}).`;
    } catch (e) {
      plots.dataset.state = 'error';
      form.showServerError(e);
      status.textContent = `Not computed: ${e.message}`;
    } finally {
      button.disabled = false;
    }
  });
  form.addAction(button);
  panel.append(el('section', { class: 'both-curves-panel', 'aria-label': 'S-curve and FRC through one point' }, [status, plots]));
  return clear;
}

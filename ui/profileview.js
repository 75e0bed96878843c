// One saved profile `#/profiles/{id}`: its masses, stiffnesses and dampers per floor (with
// standard deviations when known), the modal data it was identified with, where it came from,
// and links to use it in the tools or export it.

import { el } from './dom.js';
import { formatNumber } from './format.js';
import { onLive } from './live.js';
import { failure, heading, show } from './page.js';
import {
  dateElement, downloadProfile, errorText, frequenciesText, frequencyLabel, originText,
} from './profileutil.js';
import { hzDisplay } from './units.js';
import { renderResult } from './result.js';
import { getProfile, getSourceFile, listProfiles, runTool } from './transport.js';

function numbers(values) {
  return values.map((v) => el('td', { class: 'num', 'data-value': String(v) }, formatNumber(v)));
}

/** Floors 1..3: m, k, c (± std). */
function modelTable(doc) {
  const std = doc.std;
  const cols = ['Floor / storey', 'Mass (kg)', 'Stiffness (N/m)', 'Damper (N·s/m)'];
  if (std) cols.push('σ mass (kg)', 'σ stiffness (N/m)', 'σ damper (N·s/m)');
  return el('table', { id: 'profile-model', class: 'data-table' }, [
    el('caption', {}, 'Lumped model'),
    el('thead', {}, el('tr', {}, cols.map((c) => el('th', { scope: 'col' }, c)))),
    el('tbody', {}, [0, 1, 2].map((i) => el('tr', { 'data-floor': i + 1 }, [
      el('th', { scope: 'row' }, String(i + 1)),
      ...numbers([doc.masses_kg[i], doc.stiffnesses_n_per_m[i], doc.dampings_ns_per_m[i]]),
      ...(std ? numbers([std.masses_kg[i], std.stiffnesses_n_per_m[i], std.dampings_ns_per_m[i]]) : []),
    ]))),
  ]);
}

/** The identified modes (optional part of a profile). */
function modalTable(modal) {
  return el('table', { id: 'profile-modal', class: 'data-table' }, [
    el('caption', {}, 'Identified modes'),
    el('thead', {}, el('tr', {}, ['Mode', `Frequency (${frequencyLabel()})`, 'Damping ratio', 'Shape floor 1', 'Shape floor 2', 'Shape floor 3']
      .map((c) => el('th', { scope: 'col' }, c)))),
    el('tbody', {}, [0, 1, 2].map((r) => el('tr', { 'data-mode': r + 1 }, [
      el('th', { scope: 'row' }, String(r + 1)),
      ...numbers([modal.natural_frequencies_hz[r] * hzDisplay().factor, modal.damping_ratios[r], ...modal.mode_shapes_mass_normalised[r]]),
    ]))),
  ]);
}

function originList(doc, fn) {
  const o = doc.origin;
  const item = (k, v) => (v === undefined || v === null || v === '' ? null : [el('dt', {}, k), el('dd', {}, v)]);
  const run = o.tool_run_id && /^\d+$/.test(o.tool_run_id)
    ? el('a', { href: `#/run/${o.tool_run_id}` }, `run #${o.tool_run_id}`) : o.tool_run_id;
  const settings = o.settings && Object.keys(o.settings).length
    ? Object.entries(o.settings).map(([k, v]) => `${k} = ${typeof v === 'number' ? formatNumber(v) : JSON.stringify(v)}`).join(', ')
    : null;
  const sources = o.sources?.length
    ? o.sources.map((s) => `${s.name}${s.excitation_floor ? ` (force at floor ${s.excitation_floor})` : ''}`).join('; ')
    : null;
  return el('dl', { id: 'profile-origin', class: 'meta-list' }, [
    item('Origin', originText(o.kind)),
    item('Saved', dateElement(doc.created_utc)),
    item(`Natural frequencies of the model (${frequencyLabel()})`, fn ? frequenciesText(fn) : null),
    item('From', run),
    item('Method', o.method),
    item('Settings', settings),
    item('Measured files', sources),
    item('Notes', doc.notes),
  ].flat().filter(Boolean));
}

/**
 * The measured files the profile was identified from (stored by SHA-256 with its model-update
 * run): one of them against the profile's FRF for the same force floor, through `crossval`.
 * `track(release)` keeps the plots' release hook for when the page is left.
 */
function measuredSection(doc, track) {
  const stored = (doc.origin.sources ?? []).filter((s) => s.sha256);
  if (!stored.length) return null;
  const choice = el('select', { id: 'profile-source' }, stored.map((s, i) => el('option', { value: String(i) },
    `${s.name}${s.excitation_floor ? ` (force at floor ${s.excitation_floor})` : ''}`)));
  const button = el('button', { type: 'button', id: 'profile-replot' }, 'Plot against the measured FRF');
  const status = el('p', { id: 'profile-replot-status', class: 'result-status', role: 'status', 'aria-live': 'polite' });
  const result = el('div', { id: 'result', class: 'result' });
  const settings = doc.origin.settings ?? {};
  const converted = (settings.quantity && settings.quantity !== 'accelerance')
    || (Number.isFinite(settings.amplitude_scale) && settings.amplitude_scale !== 1);
  button.addEventListener('click', async () => {
    const source = stored[Number(choice.value)];
    button.disabled = true;
    track(null);
    result.replaceChildren();
    result.dataset.state = 'running';
    status.textContent = 'Loading the measured file…';
    try {
      const file = await getSourceFile(source.sha256);
      status.textContent = 'Comparing…';
      const params = {
        sources: [
          { kind: 'frf_csv', csv_text: file.csv_text, label: source.name.slice(0, 80) },
          { kind: 'profile', profile_id: doc.id, label: doc.name.slice(0, 80), excitation_floor: source.excitation_floor ?? 1 },
        ],
      };
      for (const key of ['f_min_hz', 'f_max_hz']) if (Number.isFinite(settings[key])) params[key] = settings[key];
      const answer = await runTool('crossval', params);
      track(renderResult(result, answer.result, { runId: answer.runId }));
      result.dataset.state = 'done';
      status.textContent = `${source.name} and the profile's FRF for the force at floor ${source.excitation_floor ?? 1}.`
        + (converted ? ` The file holds ${settings.quantity ?? 'accelerance'} scaled by ${settings.amplitude_scale ?? 1}; it is drawn as it is, next to the model's accelerance.` : '');
    } catch (e) {
      result.dataset.state = 'error';
      status.textContent = `Not plotted: ${errorText(e)}`;
    } finally {
      button.disabled = false;
    }
  });
  return el('section', { class: 'profile-measured', 'aria-labelledby': 'profile-measured-title' }, [
    el('h3', { id: 'profile-measured-title' }, 'Measured data'),
    el('p', {}, 'The files this profile was identified from, kept by this twin under their SHA-256.'),
    el('div', { class: 'field' }, [el('label', { for: 'profile-source' }, 'Measured file'), choice]),
    el('p', { class: 'run-actions' }, button),
    status,
    result,
  ]);
}

/** `#/profiles/{id}`. Returns the leave hook. */
export function profileViewPage(id) {
  let left = false;
  let releasePlots = null;
  const track = (release) => {
    releasePlots?.();
    releasePlots = release;
  };
  const crumbs = el('p', { class: 'crumbs' }, [el('a', { href: '#/profiles' }, 'Profiles'), ' › profile']);
  show('Profile', crumbs, heading('Profile'), el('p', { class: 'loading' }, 'Loading the profile…'));
  const gone = el('p', { id: 'profile-gone', class: 'page-error', role: 'alert', hidden: true },
    'This profile was just deleted; what you see is no longer stored.');
  Promise.all([getProfile(id), listProfiles().catch(() => [])]).then(([doc, list]) => {
    if (left) return;
    const fn = list.find((p) => p.id === id)?.natural_frequencies_hz ?? null;
    const exportButton = el('button', { type: 'button', id: 'profile-export' }, 'Export JSON');
    exportButton.addEventListener('click', () => downloadProfile(doc));
    const use = (tool, title) => el('a', {
      class: 'button-link', href: `#/tool/${tool}?profile=${encodeURIComponent(id)}`, 'data-use-in': tool,
    }, `Use in ${title}`);
    show(doc.name,
      el('p', { class: 'crumbs' }, [el('a', { href: '#/profiles' }, 'Profiles'), ` › ${doc.name}`]),
      heading(doc.name),
      gone,
      el('p', { class: 'run-actions' }, [use('simulator', 'the simulator'), use('modal', 'modal analysis'),
        use('uncertainty', 'the uncertainty study'), exportButton]),
      originList(doc, fn),
      el('div', { class: 'tables' }, [modelTable(doc), doc.modal ? modalTable(doc.modal) : null]),
      measuredSection(doc, track));
  }).catch((e) => {
    if (left) return;
    show('Profile', crumbs, heading('Profile'),
      failure(`Cannot show profile ${id}: ${errorText(e)}`, el('a', { href: '#/profiles' }, 'Back to the profiles')));
  });
  const stopLive = onLive((event) => {
    if (event.type === 'profiles_changed' && event.id === id && event.action === 'deleted') gone.hidden = false;
    if (event.type === 'profiles_changed' && event.id === id && event.action === 'restored') gone.hidden = true;
  });
  return () => {
    left = true;
    track(null);
    stopLive();
  };
}

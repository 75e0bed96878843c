// Profile compare `#/profiles/compare` (docs/measured.md §7): `crossval` with the chosen profiles as
// sources of kind `profile` (by `profile_id`), plus a measured FRF if wanted, gives the
// overlaid FRFs, peaks and metrics; the page adds a table of the profiles' masses, stiffnesses,
// dampers and natural frequencies with their differences (%) from the reference profile.

import { el } from './dom.js';
import { formatNumber } from './format.js';
import { failure, heading, show } from './page.js';
import { errorText, frequenciesText, frequencyLabel } from './profileutil.js';
import { hzDisplay } from './units.js';
import { renderResult } from './result.js';
import { getProfile, listProfiles, runTool } from './transport.js';

/** The rows of the table; frequencies in the display unit (Settings). */
const quantities = () => [
  ...[1, 2, 3].map((i) => [`m${i}`, `Mass m${i} (kg)`, (d) => d.masses_kg[i - 1]]),
  ...[1, 2, 3].map((i) => [`k${i}`, `Stiffness k${i} (N/m)`, (d) => d.stiffnesses_n_per_m[i - 1]]),
  ...[1, 2, 3].map((i) => [`c${i}`, `Damper c${i} (N·s/m)`, (d) => d.dampings_ns_per_m[i - 1]]),
  ...[1, 2, 3].map((i) => [`f${i}`, `Natural frequency f${i} (${frequencyLabel()})`,
    (d) => (d.fn ? d.fn[i - 1] * hzDisplay().factor : null)]),
];

/** 100 (x − ref)/ref, or null when it cannot be told. */
function delta(x, ref) {
  return x === null || ref === null || ref === 0 ? null : (100 * (x - ref)) / ref;
}

/** The table of values and differences; `docs[0]` is the reference. */
function diffTable(docs) {
  const [ref, ...others] = docs;
  const head = [el('th', { scope: 'col' }, 'Quantity'), el('th', { scope: 'col' }, `${ref.name} (reference)`),
    ...others.flatMap((d) => [el('th', { scope: 'col' }, d.name), el('th', { scope: 'col' }, `Δ ${d.name} (%)`)])];
  const value = (d, key, x) => el('td', { class: 'num', 'data-profile-id': d.id, 'data-value': x ?? '' }, x === null ? '—' : formatNumber(x));
  return el('table', { id: 'profile-diff', class: 'data-table' }, [
    el('caption', {}, 'Models and differences from the reference'),
    el('thead', {}, el('tr', {}, head)),
    el('tbody', {}, quantities().map(([key, label, get]) => el('tr', { 'data-quantity': key }, [
      el('th', { scope: 'row' }, label),
      value(ref, key, get(ref)),
      ...others.flatMap((d) => {
        const dx = delta(get(d), get(ref));
        return [value(d, key, get(d)), el('td', { class: 'num', 'data-delta': d.id }, dx === null ? '—' : `${dx > 0 ? '+' : ''}${formatNumber(dx, 3)}`)];
      }),
    ]))),
  ]);
}

function numberField(id, label, value, hint) {
  const input = el('input', { type: 'number', step: 'any', id, value, 'aria-describedby': `error-${id}` });
  return {
    input,
    box: el('div', { class: 'field' }, [el('label', { for: id }, label), input, hint ? el('p', { class: 'hint' }, hint) : null,
      el('p', { class: 'field-error', id: `error-${id}`, 'aria-live': 'polite' })]),
  };
}

/** `#/profiles/compare`. Returns the leave hook. */
export function comparePage(tools) {
  const tool = tools.find((t) => t.id === 'crossval');
  if (!tool) {
    show('Compare profiles', heading('Compare profiles'), failure('This twin has no crossval tool to compare with.'));
    return () => {};
  }
  const spec = (key) => tool.params.find((p) => p.key === key);
  const rigFiles = spec('sources')?.kind.item?.find((s) => s.key === 'rig_file')?.kind.options ?? [];
  const measuredFiles = rigFiles.filter((f) => f.startsWith('frfs/') || f.startsWith('crossval/Exp'));
  const frfFloor = (f) => rigFiles.filter((x) => x.startsWith('frfs/')).indexOf(f) + 1;

  const picks = el('div', { class: 'fields', id: 'compare-profiles' });
  const picksError = el('p', { class: 'field-error', id: 'error-compare-profiles', 'aria-live': 'polite' });
  const reference = el('select', { id: 'compare-reference' });
  const measured = el('select', { id: 'compare-measured', 'aria-describedby': 'error-compare-measured' }, [
    el('option', { value: '' }, '— none —'),
    ...measuredFiles.map((f) => el('option', { value: f }, frfFloor(f) ? `${f} (force at floor ${frfFloor(f)})` : `${f} (dB)`)),
    el('option', { value: 'upload' }, 'A complex FRF file of mine…'),
  ]);
  const upload = el('input', { type: 'file', id: 'compare-measured-file', accept: '.csv,.txt', hidden: true, 'aria-label': 'Measured FRF file' });
  const measuredError = el('p', { class: 'field-error', id: 'error-compare-measured', 'aria-live': 'polite' });
  const excitation = el('select', { id: 'compare-excitation' }, [1, 2, 3].map((q) => el('option', { value: q }, `floor ${q}`)));
  const fMin = numberField('compare-f_min_hz', 'Band start (Hz)', spec('f_min_hz')?.default ?? 2);
  const fMax = numberField('compare-f_max_hz', 'Band end (Hz)', spec('f_max_hz')?.default ?? 40, 'at most 1000 Hz');
  const runButton = el('button', { type: 'submit', id: 'compare-run', class: 'primary' }, 'Compare');
  const cancel = el('button', { type: 'button', id: 'compare-cancel', hidden: true }, 'Cancel');
  const status = el('p', { id: 'compare-status', class: 'result-status', role: 'status', 'aria-live': 'polite' });
  const saved = el('p', { id: 'run-saved', class: 'run-saved', hidden: true });
  const diff = el('section', { id: 'compare-diff', 'aria-label': 'Differences' });
  const result = el('section', { id: 'result', class: 'result', 'aria-label': 'Overlaid FRFs' });
  let summaries = [];
  let controller = null;
  let releasePlots = null;
  let left = false;

  const checked = () => [...picks.querySelectorAll('input[data-compare-profile]:checked')].map((c) => c.value);
  function refreshReference() {
    const keep = reference.value;
    const ids = checked();
    reference.replaceChildren(...ids.map((id) => el('option', { value: id }, summaries.find((p) => p.id === id)?.name ?? id)));
    if (ids.includes(keep)) reference.value = keep;
  }

  measured.addEventListener('change', () => {
    upload.hidden = measured.value !== 'upload';
    if (frfFloor(measured.value)) excitation.value = String(frfFloor(measured.value));
  });

  function errors() {
    for (const e of [picksError, measuredError, ...[fMin, fMax].map((f) => f.box.querySelector('.field-error'))]) e.textContent = '';
    const found = [];
    const a = Number(fMin.input.value);
    const b = Number(fMax.input.value);
    const ids = checked();
    const extra = measured.value ? 1 : 0;
    if (ids.length === 0 || ids.length + extra < 2) found.push([picksError, picks.querySelector('input'), 'sources: choose at least two profiles, or one profile and a measured FRF.']);
    if (ids.length + extra > 6) found.push([picksError, picks.querySelector('input'), `sources: at most 6 sources; ${ids.length + extra} chosen.`]);
    if (measured.value === 'upload' && !upload.files?.[0]) found.push([measuredError, upload, 'sources: choose the measured FRF file, or — none —.']);
    if (fMin.input.value.trim() === '' || !Number.isFinite(a) || a < 0) found.push([fMin.box.querySelector('.field-error'), fMin.input, 'f_min_hz: a number ≥ 0 is required.']);
    if (fMax.input.value.trim() === '' || !Number.isFinite(b) || b <= 0 || b > 1000) found.push([fMax.box.querySelector('.field-error'), fMax.input, 'f_max_hz: a number in (0, 1000] is required.']);
    else if (Number.isFinite(a) && a >= b) found.push([fMin.box.querySelector('.field-error'), fMin.input, `f_min_hz: must be less than the band end (${b} Hz).`]);
    for (const [box, , message] of found) box.textContent = box.textContent ? `${box.textContent} ${message}` : message;
    found[0]?.[1]?.focus();
    return found.length > 0;
  }

  /** Puts a server error next to the control it names. */
  function showServerError(e, measuredIndex) {
    const field = e.field ?? '';
    const target = field.startsWith('f_min_hz') ? fMin.box.querySelector('.field-error')
      : field.startsWith('f_max_hz') ? fMax.box.querySelector('.field-error')
        : measuredIndex !== null && field.startsWith(`sources[${measuredIndex}]`) ? measuredError
          : field.startsWith('sources') ? picksError : null;
    if (target) target.textContent = errorText(e);
  }

  async function compare(event) {
    event.preventDefault();
    if (errors()) {
      status.textContent = 'Not compared: correct the highlighted choices.';
      return;
    }
    controller?.abort();
    const own = new AbortController();
    controller = own;
    const ids = checked();
    const order = [reference.value || ids[0], ...ids.filter((id) => id !== (reference.value || ids[0]))];
    const floor = Number(excitation.value);
    runButton.disabled = true;
    cancel.hidden = false;
    saved.hidden = true;
    releasePlots?.();
    releasePlots = null;
    result.replaceChildren();
    result.dataset.state = 'running';
    status.textContent = 'Comparing…';
    let measuredIndex = null;
    try {
      const docs = await Promise.all(order.map(getProfile));
      if (controller !== own) return;
      diff.replaceChildren(diffTable(docs.map((d) => ({ ...d, fn: summaries.find((p) => p.id === d.id)?.natural_frequencies_hz ?? null }))));
      const sources = docs.map((d) => ({ kind: 'profile', profile_id: d.id, label: d.name, excitation_floor: floor }));
      if (measured.value === 'upload') {
        const file = upload.files[0];
        sources.unshift({ kind: 'frf_csv', csv_text: await file.text(), label: file.name.slice(0, 80) });
        measuredIndex = 0;
      } else if (measured.value) {
        sources.unshift({ kind: frfFloor(measured.value) ? 'frf_csv' : 'db_csv', rig_file: measured.value, label: measured.value.split('/').pop() });
        measuredIndex = 0;
      }
      const params = { sources, f_min_hz: Number(fMin.input.value), f_max_hz: Number(fMax.input.value) };
      const answer = await runTool('crossval', params, {
        signal: own.signal,
        onProgress: ({ fraction }) => {
          if (controller === own) status.textContent = `Comparing…${fraction === null ? '' : ` ${Math.floor(fraction * 100)} %`}`;
        },
      });
      if (controller !== own) return;
      releasePlots = renderResult(result, answer.result, { runId: answer.runId });
      result.dataset.state = 'done';
      const warnings = answer.result.warnings?.length;
      status.textContent = `Compared ${docs.length} profile(s)${measuredIndex === null ? '' : ' and a measured FRF'}${warnings ? `, ${warnings} warning(s)` : ''}.`;
      if (answer.runId !== null) {
        saved.replaceChildren(el('a', { href: `#/run/${answer.runId}`, id: 'run-link', 'data-run-id': answer.runId },
          `Saved as run #${answer.runId}`), ' (crossval) in the history.');
        saved.hidden = false;
      }
    } catch (e) {
      if (controller !== own) return;
      result.dataset.state = 'error';
      showServerError(e, measuredIndex);
      status.textContent = `Not compared: ${errorText(e)}`;
    } finally {
      if (controller === own) {
        controller = null;
        runButton.disabled = false;
        cancel.hidden = true;
      }
    }
  }

  cancel.addEventListener('click', () => {
    controller?.abort();
    controller = null;
    runButton.disabled = false;
    cancel.hidden = true;
    result.dataset.state = 'error';
    status.textContent = 'Cancelled.';
  });

  const form = el('form', { class: 'tool-form compare-form', novalidate: true }, [
    el('fieldset', { class: 'param-group' }, [
      el('legend', {}, 'Profiles to compare'),
      picks, picksError,
    ]),
    el('fieldset', { class: 'param-group' }, [
      el('legend', {}, 'Comparison'),
      el('div', { class: 'fields' }, [
        el('div', { class: 'field' }, [el('label', { for: 'compare-reference' }, 'Reference profile (Δ columns)'), reference]),
        el('div', { class: 'field' }, [el('label', { for: 'compare-measured' }, 'Measured FRF (optional, source 1 of crossval)'),
          measured, upload, measuredError]),
        el('div', { class: 'field' }, [el('label', { for: 'compare-excitation' }, 'Force at floor (model FRFs)'), excitation]),
        fMin.box, fMax.box,
      ]),
    ]),
    el('div', { class: 'actions' }, [runButton, cancel]),
  ]);
  form.addEventListener('submit', compare);

  show('Compare profiles',
    el('p', { class: 'crumbs' }, [el('a', { href: '#/profiles' }, 'Profiles'), ' › compare']),
    heading('Compare profiles'),
    el('p', { class: 'page-intro' }, 'Overlays the accelerance FRFs of the chosen profiles (crossval), optionally with a measured FRF, '
      + 'and tabulates their masses, stiffnesses, dampers and natural frequencies with the differences from the reference.'),
    el('div', { class: 'tool-layout' }, [
      el('section', { class: 'form-panel', 'aria-label': 'Choices' }, form),
      el('div', { class: 'result-panel' }, [status, saved, diff, result]),
    ]));

  listProfiles().then((list) => {
    if (left) return;
    summaries = list;
    picks.replaceChildren(...(list.length ? list.map((p, i) => el('div', { class: 'check-row' }, [
      el('input', { type: 'checkbox', id: `compare-${i}`, value: p.id, 'data-compare-profile': p.id, checked: i < 2 }),
      el('label', { for: `compare-${i}` }, `${p.name} — ${frequenciesText(p.natural_frequencies_hz)} ${frequencyLabel()}`),
    ])) : [el('p', { class: 'empty' }, ['No saved profiles yet: ', el('a', { href: '#/profiles' }, 'import one'), '.'])]));
    refreshReference();
  }).catch((e) => {
    if (!left) picksError.textContent = `The saved profiles could not be listed: ${errorText(e)}`;
  });
  picks.addEventListener('change', refreshReference);

  return () => {
    left = true;
    controller?.abort();
    releasePlots?.();
  };
}

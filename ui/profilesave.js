// "Save as profile" under a `model-update` result (docs/measured.md §7): the identified chain
// (scalars mass_n_kg, stiffness_n_n_per_m, damping_n_ns_per_m), its modes (table `modes`) and
// where it came from (run id, method, band, files) become a `cristallo.profile/1` document.
// A negative identified damper is saved only after the user agrees to clamp it to 0.

import { el } from './dom.js';
import { formatNumber } from './format.js';
import { canModify, errorText, PROFILE_SCHEMA } from './profileutil.js';
import { saveProfile } from './transport.js';

const triple = (scalars, key) => [1, 2, 3].map((n) => scalars[key.replace('#', n)]);

function column(table, name) {
  const i = table?.columns.indexOf(name) ?? -1;
  return i < 0 ? null : table.rows.map((r) => r[i]);
}

/** The modal data of the result, or null when its `modes` table is incomplete. */
function modalData(result) {
  const modes = result.tables?.find((t) => t.name === 'modes');
  const f = column(modes, 'frequency_hz');
  const zeta = column(modes, 'damping_ratio');
  const shapes = [1, 2, 3].map((j) => column(modes, `shape_floor_${j}`));
  const all = [f, zeta, ...shapes];
  if (all.some((c) => !c || c.length !== 3 || c.some((x) => typeof x !== 'number'))) return null;
  return {
    natural_frequencies_hz: f,
    damping_ratios: zeta,
    mode_shapes_mass_normalised: [0, 1, 2].map((r) => shapes.map((c) => c[r])),
  };
}

/**
 * The measured files of the run, named by rig file, path or as an upload, with the SHA-256 the
 * result's `sources` table gives (the platform stored each file under it).
 */
function sources(result) {
  const digests = (result.tables ?? []).find((t) => t.name === 'sources')?.rows ?? [];
  return (result.params?.frfs ?? []).map((f, i) => {
    const name = f.rig_file || (f.path ? String(f.path).split(/[/\\]/).pop() : `uploaded file ${i + 1}`);
    const source = { name };
    const sha256 = digests[i]?.[3];
    if (typeof sha256 === 'string' && /^[0-9a-f]{64}$/.test(sha256)) source.sha256 = sha256;
    if (f.excitation_floor) source.excitation_floor = f.excitation_floor;
    return source;
  });
}

/** The profile document of a model-update `result` of run `runId` (null: not stored). */
export function profileFromResult(result, runId, name, clamp) {
  const s = result.scalars ?? {};
  const p = result.params ?? {};
  const settings = {};
  for (const k of ['f_min_hz', 'f_max_hz', 'quantity', 'amplitude_scale']) if (p[k] !== undefined) settings[k] = p[k];
  const origin = { kind: 'model-update', settings, sources: sources(result) };
  if (runId !== null && runId !== undefined) origin.tool_run_id = String(runId);
  if (p.method) origin.method = p.method;
  const dampings = triple(s, 'damping_#_ns_per_m');
  const doc = {
    schema: PROFILE_SCHEMA,
    name,
    origin,
    masses_kg: triple(s, 'mass_#_kg'),
    stiffnesses_n_per_m: triple(s, 'stiffness_#_n_per_m'),
    dampings_ns_per_m: clamp ? dampings.map((c) => Math.max(0, c)) : dampings,
  };
  const modal = modalData(result);
  if (modal) doc.modal = modal;
  return doc;
}

/** The save box for a model-update `result` (nothing for read-only guests). */
export function profileSaveBox(result, runId) {
  if (!canModify()) return null;
  const s = result.scalars ?? {};
  const negative = triple(s, 'damping_#_ns_per_m').map((c, i) => [c, i + 1]).filter(([c]) => c < 0);
  const name = el('input', {
    type: 'text', id: 'save-profile-name', maxlength: 80, autocomplete: 'off',
    value: runId === null ? 'model-update result' : `model-update run #${runId}`,
    'aria-describedby': 'save-profile-error',
  });
  const clamp = negative.length ? el('input', { type: 'checkbox', id: 'save-profile-clamp' }) : null;
  const button = el('button', { type: 'button', id: 'save-profile' }, 'Save as profile');
  const error = el('p', { id: 'save-profile-error', class: 'field-error', 'aria-live': 'polite' });
  const status = el('p', { id: 'save-profile-status', class: 'save-profile-status', role: 'status', 'aria-live': 'polite' });

  const fail = (message, control) => {
    error.textContent = message;
    control.setAttribute('aria-invalid', 'true');
    control.focus();
  };

  async function save() {
    error.textContent = '';
    status.replaceChildren();
    name.removeAttribute('aria-invalid');
    clamp?.removeAttribute('aria-invalid');
    const text = name.value.trim();
    if (!text || [...text].length > 80) {
      fail('profile.name: give a name of 1 to 80 characters.', name);
      return;
    }
    if (clamp && !clamp.checked) {
      fail('profile.dampings_ns_per_m: a profile cannot hold a negative damper; tick the box to save it as 0.', clamp);
      return;
    }
    button.disabled = true;
    try {
      const saved = await saveProfile(profileFromResult(result, runId, text, Boolean(clamp)));
      status.replaceChildren(`Saved as profile '${saved.name}'. `,
        el('a', { id: 'saved-profile-link', href: `#/profiles/${encodeURIComponent(saved.id)}`, 'data-profile-id': saved.id }, 'Open it'),
        ' or ',
        el('a', { href: `#/tool/simulator?profile=${encodeURIComponent(saved.id)}` }, 'use it in the simulator'), '.');
    } catch (e) {
      fail(errorText(e), e.field === 'profile.dampings_ns_per_m' && clamp ? clamp : name);
    } finally {
      button.disabled = false;
    }
  }

  button.addEventListener('click', save);
  name.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') save();
  });
  return el('section', { id: 'save-profile-box', class: 'panel save-profile', 'aria-label': 'Save as profile' }, [
    el('h3', {}, 'Save the identified model as a profile'),
    el('div', { class: 'save-profile-row' }, [
      el('label', { for: 'save-profile-name' }, 'Profile name'), name, button,
    ]),
    clamp ? el('div', { class: 'check-row' }, [clamp, el('label', { for: 'save-profile-clamp' },
      `Clamp the negative damper(s) ${negative.map(([c, i]) => `c${i} = ${formatNumber(c, 4)} N·s/m`).join(', ')} to 0`)]) : null,
    error,
    status,
  ]);
}

// The "Model profile" list on forms of tools taking a `profile` object (modal, simulator,
// uncertainty): `select#profile-select` with the saved profiles and "— default —". Choosing
// one fills the Profile fields with its values and locks them (disabled fields are not sent);
// the run then sends `"profile_id"` and the server puts the stored model in the echoed params.
// `data-applied` on the select holds the id whose values are shown ('' for none).

import { el } from './dom.js';
import { onLive } from './live.js';
import { errorText } from './profileutil.js';
import { getProfile, listProfiles } from './transport.js';

const PREFIX = 'profile.';

/** Whether a list of objects in `specs` takes a `profile_id` per entry (crossval's sources). */
export function takesProfileIds(specs) {
  return specs.some((s) => s.kind.type === 'object_list' && s.kind.item.some((i) => i.key === 'profile_id'));
}

/**
 * `datalist#saved-profiles`: the saved profiles' ids (labelled with their names) offered by the
 * `…profile_id` text fields (form.js). Returns `{element, dispose()}`.
 */
export function savedProfileIds() {
  const element = el('datalist', { id: 'saved-profiles' });
  let left = false;
  const load = () => listProfiles().then((list) => {
    if (!left) element.replaceChildren(...list.map((p) => el('option', { value: p.id, label: p.name })));
  }, () => {});
  const stopLive = onLive((event) => {
    if (event.type === 'profiles_changed') load();
  });
  load();
  return {
    element,
    dispose() {
      left = true;
      stopLive();
    },
  };
}

/** Whether `specs` (a tool's parameters) hold the inline profile object. */
export function takesProfile(specs) {
  return specs.some((s) => s.key.startsWith(PREFIX));
}

/**
 * Adds the picker to the Profile group of `form` (form.js); `initial`: a profile id to pick at
 * once. Returns `{apply(params), dispose()}`: `apply` turns the form's params into the ones
 * to send.
 */
export function profilePicker(form, specs, { initial = null } = {}) {
  const keys = specs.filter((s) => s.key.startsWith(PREFIX)).map((s) => s.key);
  const controls = () => keys.map((k) => form.form.querySelector(`[id="param-${CSS.escape(k)}"]`)).filter(Boolean);
  const select = el('select', {
    id: 'profile-select', name: 'profile_id', 'data-applied': '',
    'aria-describedby': 'hint-profile_id error-profile_id',
  }, el('option', { value: '' }, '— default —'));
  const error = el('p', { class: 'field-error', id: 'error-profile_id', 'aria-live': 'polite' });
  const box = el('div', { class: 'field profile-pick', 'data-key': 'profile_id' }, [
    el('label', { for: 'profile-select' }, 'Model profile'),
    select,
    el('p', { class: 'hint', id: 'hint-profile_id' }, [
      'A saved profile (', el('a', { href: '#/profiles' }, 'Profiles page'),
      ') replaces the fields below; — default — uses the fields as they are.',
    ]),
    error,
  ]);
  const group = controls()[0]?.closest('fieldset');
  group?.querySelector('.fields')?.prepend(box);
  let before = null; // the fields' own values while a profile is shown
  let wanted = initial;
  let shownNames = ''; // the [id, name] pairs the options show
  let left = false;

  function lock(locked) {
    for (const c of controls()) c.disabled = locked;
    group?.classList.toggle('from-profile', locked);
  }

  function unpick(restore) {
    if (restore && before) form.fill(before);
    before = null;
    lock(false);
    select.value = '';
    select.dataset.applied = '';
  }

  async function pick(id) {
    error.textContent = '';
    select.removeAttribute('aria-invalid');
    if (!id) {
      unpick(true);
      return;
    }
    select.dataset.applied = '';
    try {
      const doc = await getProfile(id);
      if (left || select.value !== id) return;
      if (!before) before = { profile: Object.fromEntries(controls().map((c) => [c.id.slice(`param-${PREFIX}`.length), c.value])) };
      form.fill({
        profile: {
          name: doc.name.slice(0, 100), masses_kg: doc.masses_kg, stiffnesses_n_per_m: doc.stiffnesses_n_per_m,
          dampings_ns_per_m: doc.dampings_ns_per_m, source: `profile ${doc.id}`, notes: '',
        },
      });
      lock(true);
      select.dataset.applied = id;
    } catch (e) {
      if (left) return;
      error.textContent = `Cannot use this profile: ${errorText(e)}`;
      select.setAttribute('aria-invalid', 'true');
      unpick(true);
    }
  }

  async function load() {
    try {
      const list = await listProfiles();
      if (left) return;
      const current = select.value;
      const names = JSON.stringify(list.map((p) => [p.id, p.name]));
      if (names !== shownNames) {
        shownNames = names;
        select.replaceChildren(el('option', { value: '' }, '— default —'),
          ...list.map((p) => el('option', { value: p.id }, p.name)));
      }
      if (current && list.some((p) => p.id === current)) select.value = current;
      else if (current) {
        error.textContent = 'The chosen profile was deleted; the fields show its values, choose again or use — default —.';
        unpick(false);
      }
      if (wanted && list.some((p) => p.id === wanted)) {
        select.value = wanted;
        pick(wanted);
      } else if (wanted) {
        error.textContent = `profile_id: no saved profile has the id '${wanted}'.`;
      }
      wanted = null;
    } catch (e) {
      if (!left) error.textContent = `The saved profiles could not be listed: ${errorText(e)}`;
    }
  }

  select.addEventListener('change', () => pick(select.value));
  // "Reset to defaults" (form.js sets the default values first) also drops the profile.
  form.form.querySelector('#reset-defaults')?.addEventListener('click', () => unpick(false));
  const stopLive = onLive((event) => {
    if (event.type === 'profiles_changed' || (event.type === 'connection' && event.state === 'live')) load();
  });
  load();

  return {
    apply(params) {
      const id = select.dataset.applied;
      if (!id) return params;
      const { profile, ...rest } = params;
      return { ...rest, profile_id: id };
    },
    /** Forgets the chosen profile (the form is being filled from elsewhere). */
    clear() {
      unpick(false);
    },
    dispose() {
      left = true;
      stopLive();
    },
  };
}

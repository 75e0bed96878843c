// The Profiles hub `#/profiles` (docs/measured.md §7): the saved lumped models with their origin,
// date and natural frequencies; import a file (ours, or the original app's JSON / CSV),
// rename, export, delete with Undo (the server restores within its undo window), open one,
// compare several. The list follows the live `profiles_changed` events.

import { el } from './dom.js';
import { onLive } from './live.js';
import { heading, show } from './page.js';
import {
  canModify, dateElement, downloadProfile, errorText, frequenciesText, frequencyLabel, originText,
} from './profileutil.js';
import {
  deleteProfile, exportProfile, importProfile, listProfiles, renameProfile, restoreProfile,
} from './transport.js';

/** The import controls: an optional name and the file picker; `onDone(outcome)`. */
function importBox(say, onDone) {
  const name = el('input', {
    type: 'text', id: 'profile-import-name', maxlength: 80, autocomplete: 'off',
    'aria-describedby': 'profile-import-hint profile-import-error',
  });
  const picker = el('input', {
    type: 'file', id: 'profile-import', accept: '.json,.csv,.txt,application/json,text/csv',
    'aria-describedby': 'profile-import-hint profile-import-error',
  });
  const error = el('p', { id: 'profile-import-error', class: 'field-error', 'aria-live': 'polite' });
  picker.addEventListener('change', async () => {
    const file = picker.files?.[0];
    if (!file) return;
    error.textContent = '';
    picker.removeAttribute('aria-invalid');
    picker.disabled = true;
    say(`Importing ${file.name}…`);
    try {
      const text = await file.text();
      const outcome = await importProfile(text, { name: name.value.trim() || null, fileName: file.name });
      name.value = '';
      onDone(outcome);
    } catch (e) {
      error.textContent = `${file.name}: ${errorText(e)}`;
      picker.setAttribute('aria-invalid', 'true');
      say('');
    } finally {
      picker.disabled = false;
      picker.value = '';
    }
  });
  return el('fieldset', { class: 'panel profile-import', id: 'profile-import-box' }, [
    el('legend', {}, 'Import a profile'),
    el('div', { class: 'field' }, [
      el('label', { for: 'profile-import-name' }, 'Name (optional)'),
      name,
    ]),
    el('div', { class: 'field' }, [
      el('label', { for: 'profile-import' }, 'Profile file (JSON or CSV)'),
      picker,
      el('p', { class: 'hint', id: 'profile-import-hint' },
        'A cristallo.profile/1 JSON file, or the original app\'s JSON (m1..m3, k1..k3, c1..c3) or 8-line CSV. '
        + 'Without a name the file\'s name is used; a taken name gets a number.'),
      error,
    ]),
  ]);
}

/** The Undo bar of the latest deletion. */
function undoBar(say, onRestored) {
  const text = el('span', { id: 'profile-undo-text' });
  const undo = el('button', { type: 'button', id: 'profile-undo' }, 'Undo');
  const bar = el('div', { id: 'profile-undo-bar', class: 'undo-bar', role: 'status', hidden: true }, [text, ' ', undo]);
  let pending = null;
  let timer = null;
  const hide = () => {
    clearTimeout(timer);
    pending = null;
    bar.hidden = true;
  };
  undo.addEventListener('click', async () => {
    if (!pending) return;
    const { id, name } = pending;
    undo.disabled = true;
    try {
      await restoreProfile(id);
      hide();
      say(`Restored '${name}'.`);
      onRestored(id);
    } catch (e) {
      hide();
      say(`Cannot restore '${name}': ${errorText(e)}`, true);
    } finally {
      undo.disabled = false;
    }
  });
  return {
    bar,
    offer(id, name, seconds) {
      clearTimeout(timer);
      pending = { id, name };
      text.textContent = `Deleted '${name}'. You can undo this for ${seconds} s.`;
      bar.hidden = false;
      undo.focus();
      timer = setTimeout(hide, seconds * 1000);
    },
    hide,
  };
}

/** `#/profiles`. Returns the leave hook. */
export function profilesPage() {
  const status = el('p', { id: 'profiles-status', class: 'history-status', role: 'status', 'aria-live': 'polite' });
  const say = (message, isError = false) => {
    status.textContent = message;
    status.classList.toggle('error', isError);
  };
  const body = el('tbody');
  const table = el('table', { id: 'profiles', class: 'data-table profiles', hidden: true }, [
    el('caption', { class: 'visually-hidden' }, 'Saved profiles, newest first'),
    el('thead', {}, el('tr', {}, ['Name', 'Origin', 'Saved', `Natural frequencies (${frequencyLabel()})`, 'Actions']
      .map((h) => el('th', { scope: 'col' }, h)))),
    body,
  ]);
  const empty = el('p', { id: 'profiles-empty', class: 'empty', hidden: true },
    'No profiles yet: import a file, or save the result of a model-update run as a profile.');
  let left = false;
  let loads = 0;
  const shown = new WeakMap(); // row → the summary it shows

  const undo = undoBar(say, () => load());

  function renameForm(p, nameCell) {
    const input = el('input', {
      type: 'text', id: `rename-${p.id}`, value: p.name, maxlength: 80, 'aria-label': `New name for '${p.name}'`,
      'aria-describedby': `rename-error-${p.id}`,
    });
    const save = el('button', { type: 'button', class: 'small' }, 'Save');
    const cancel = el('button', { type: 'button', class: 'small' }, 'Cancel');
    const error = el('p', { id: `rename-error-${p.id}`, class: 'field-error', 'aria-live': 'polite' });
    const restore = (shownName = p.name) => {
      nameCell.replaceChildren(el('a', { class: 'profile-name', href: `#/profiles/${encodeURIComponent(p.id)}` }, shownName));
      nameCell.querySelector('a').focus();
    };
    const submit = async () => {
      const name = input.value.trim();
      if (!name) {
        error.textContent = 'profile.name: a name is required (1 to 80 characters).';
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      save.disabled = true;
      try {
        const renamed = await renameProfile(p.id, name);
        say(`Renamed '${p.name}' to '${renamed.name}'.`);
        restore(renamed.name);
        load();
      } catch (e) {
        error.textContent = errorText(e);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      } finally {
        save.disabled = false;
      }
    };
    save.addEventListener('click', submit);
    cancel.addEventListener('click', () => restore());
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') submit();
      if (e.key === 'Escape') restore();
    });
    nameCell.replaceChildren(el('div', { class: 'rename-row' }, [input, save, cancel]), error);
    input.focus();
    input.select();
  }

  function row(p) {
    const nameCell = el('td', {}, el('a', { class: 'profile-name', href: `#/profiles/${encodeURIComponent(p.id)}` }, p.name));
    const rename = el('button', {
      type: 'button', class: 'small', 'data-rename-profile': p.id, 'aria-label': `Rename '${p.name}'`, hidden: !canModify(),
    }, 'Rename');
    const exp = el('button', { type: 'button', class: 'small', 'data-export-profile': p.id, 'aria-label': `Export '${p.name}' as JSON` }, 'Export');
    const del = el('button', {
      type: 'button', class: 'small danger', 'data-delete-profile': p.id, 'aria-label': `Delete '${p.name}'`, hidden: !canModify(),
    }, 'Delete');
    rename.addEventListener('click', () => renameForm(p, nameCell));
    exp.addEventListener('click', async () => {
      try {
        downloadProfile(await exportProfile(p.id));
        say(`Exported '${p.name}'.`);
      } catch (e) {
        say(`Cannot export '${p.name}': ${errorText(e)}`, true);
      }
    });
    del.addEventListener('click', async () => {
      del.disabled = true;
      try {
        const answer = await deleteProfile(p.id);
        body.querySelector(`tr[data-profile-id="${CSS.escape(p.id)}"]`)?.remove();
        refreshEmpty();
        say('');
        undo.offer(p.id, p.name, answer?.undo_seconds ?? 30);
      } catch (e) {
        del.disabled = false;
        say(`Cannot delete '${p.name}': ${errorText(e)}`, true);
      }
    });
    const tr = el('tr', { 'data-profile-id': p.id }, [
      nameCell,
      el('td', { 'data-origin': p.origin_kind }, originText(p.origin_kind)),
      el('td', {}, dateElement(p.created_utc)),
      el('td', { class: 'num profile-fn' }, frequenciesText(p.natural_frequencies_hz)),
      el('td', {}, el('div', { class: 'row-actions' }, [
        el('a', { class: 'button-link small', href: `#/profiles/${encodeURIComponent(p.id)}`, 'aria-label': `Open '${p.name}'` }, 'Open'),
        rename, exp, del,
      ])),
    ]);
    shown.set(tr, JSON.stringify(p));
    return tr;
  }

  function refreshEmpty() {
    const none = body.rows.length === 0;
    table.hidden = none;
    empty.hidden = !none || loads > 0;
  }

  async function load() {
    loads += 1;
    try {
      const list = await listProfiles();
      if (left) return;
      // Rows whose profile did not change are kept (with an open rename form).
      const old = new Map([...body.rows].map((tr) => [tr.dataset.profileId, tr]));
      body.replaceChildren(...list.map((p) => {
        const tr = old.get(p.id);
        const editing = tr?.querySelector('input[id^="rename-"]');
        return tr && (editing || shown.get(tr) === JSON.stringify(p)) ? tr : row(p);
      }));
    } catch (e) {
      if (!left) say(`Cannot load the profiles: ${errorText(e)}`, true);
    } finally {
      loads -= 1;
      if (!left) refreshEmpty();
    }
  }

  const importer = importBox(say, (outcome) => {
    const warnings = outcome.warnings?.length ? ` Warning: ${outcome.warnings.join(' ')}` : '';
    say(`Imported '${outcome.profile.name}'.${warnings}`);
    load();
  });
  importer.hidden = !canModify();

  const stopLive = onLive((event) => {
    if (event.type === 'profiles_changed' || event.type === 'lagged') load();
    if (event.type === 'connection' && event.state === 'live') load();
    if (event.type === 'session') {
      importer.hidden = !canModify();
      for (const b of body.querySelectorAll('[data-rename-profile], [data-delete-profile]')) b.hidden = !canModify();
    }
  });

  show('Profiles',
    heading('Profiles'),
    el('p', { class: 'page-intro' }, 'Saved lumped models (floor masses, storey stiffnesses and dampers). '
      + 'Pick one in the "Model profile" list of the modal, simulator or uncertainty tools, or compare several.'),
    el('p', { class: 'run-actions' }, [
      el('a', { id: 'profiles-compare-link', class: 'button-link', href: '#/profiles/compare' }, 'Compare profiles'),
      ' ',
      el('a', { href: '#/tool/model-update' }, 'Identify a new model (model-update)'),
    ]),
    importer,
    status,
    undo.bar,
    el('div', { class: 'table-scroll' }, table),
    empty);
  load();
  return () => {
    left = true;
    undo.hide();
    stopLive();
  };
}

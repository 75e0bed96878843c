// `#/settings`: display preferences of this browser (theme, frequency unit) for everyone, and
// for the host the data directory (read-only) and the interface and port sharing starts with.

import { el } from './dom.js';
import { heading, show } from './page.js';
import {
  desktopSettings, isDesktop, loadSettings, saveSettings, setNextDataDir, shareStatus,
} from './transport.js';
import {
  FREQUENCY_UNITS, THEMES, frequencyUnit, setFrequencyUnit, setTheme, theme,
} from './units.js';

function field(label, control, hint) {
  return el('div', { class: 'field' }, [
    el('label', { for: control.id }, label), control, hint && el('p', { class: 'hint', id: `${control.id}-hint` }, hint),
  ]);
}

function choice(id, options, value) {
  return el('select', { id }, Object.entries(options).map(([v, text]) =>
    el('option', { value: v, selected: v === value }, text)));
}

function displayPanel() {
  const themeSelect = choice('setting-theme', THEMES, theme());
  const unitSelect = choice('setting-frequency-unit', FREQUENCY_UNITS, frequencyUnit());
  const note = el('p', { id: 'display-status', class: 'hint', role: 'status' });
  themeSelect.addEventListener('change', () => {
    setTheme(themeSelect.value);
    note.textContent = `Theme: ${THEMES[themeSelect.value]}.`;
  });
  unitSelect.addEventListener('change', () => {
    setFrequencyUnit(unitSelect.value);
    note.textContent = `Frequencies are shown in: ${FREQUENCY_UNITS[unitSelect.value]}.`;
  });
  return el('section', { class: 'panel', 'aria-labelledby': 'display-title' }, [
    el('h3', { id: 'display-title' }, 'Display (this browser)'),
    field('Theme', themeSelect),
    field('Frequency unit', unitSelect, 'Scalars, tables and plot axes on result pages are converted; '
      + 'JSON/CSV exports, server figures and reports keep the units the tool computed.'),
    note,
  ]);
}

/** Desktop app: choose the data directory used from the next start. */
function dataDirPanel() {
  const input = el('input', { type: 'text', id: 'setting-data-dir-next', autocomplete: 'off', spellcheck: 'false' });
  const save = el('button', { type: 'submit', id: 'data-dir-save' }, 'Use from the next start');
  const status = el('p', { id: 'data-dir-status', class: 'hint', role: 'status' });
  const error = el('p', { id: 'error-data_dir', class: 'field-error', role: 'alert' });
  const show = (v) => {
    input.value = v.data_dir_next ?? '';
    status.textContent = v.env_override
      ? 'CRISTALLO_DATA_DIR is set and wins over this choice.'
      : v.data_dir_next && v.data_dir_next !== v.data_dir ? `From the next start: ${v.data_dir_next}` : '';
  };
  desktopSettings().then(show).catch((e) => { error.textContent = e.message; });
  const form = el('form', { id: 'data-dir-form', novalidate: true }, [
    field('Data directory from the next start', input,
      'An absolute path; empty = the app\'s default. The current directory is left as it is: copy cristallo.sqlite3 over to take the history and profiles along.'),
    error,
    el('div', { class: 'run-actions' }, [save, status]),
  ]);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    save.disabled = true;
    setNextDataDir(input.value)
      .then((v) => { show(v); if (!v.data_dir_next) status.textContent = 'The default directory is used from the next start.'; })
      .catch((e) => { error.textContent = e.message; input.setAttribute('aria-invalid', 'true'); input.focus(); })
      .finally(() => { save.disabled = false; });
  });
  return form;
}

function hostPanel() {
  const dataDir = el('output', { id: 'setting-data-dir', class: 'mono' }, '…');
  const iface = el('select', { id: 'setting-share-interface' });
  const port = el('input', {
    type: 'number', id: 'setting-share-port', min: 0, max: 65535, step: 1, inputmode: 'numeric',
  });
  const cap = (id) => el('input', {
    type: 'number', id, min: 1000000, max: 500000000, step: 1000000, inputmode: 'numeric',
  });
  const capHost = cap('setting-result-cap-host');
  const capGuest = cap('setting-result-cap-guest');
  const save = el('button', { type: 'submit', class: 'primary', id: 'settings-save' }, 'Save');
  const status = el('p', { id: 'settings-status', class: 'hint', role: 'status' });
  const error = el('p', { id: 'settings-error', class: 'field-error', role: 'alert' });
  const form = el('form', { id: 'settings-form', novalidate: true }, [
    el('div', { class: 'field' }, [
      el('span', { class: 'label', id: 'data-dir-label' }, 'Data directory'), dataDir,
      el('p', { class: 'hint' }, isDesktop()
        ? 'Runs, profiles and these settings live here (in use now).'
        : 'Runs, profiles and these settings live here. Start the server with --data-dir DIR to use another directory.'),
    ]),
    field('Network interface for sharing', iface, 'Preselected when you share the twin on the LAN.'),
    field('Port for sharing', port, '0 = any free port.'),
    field('Largest result of your runs (values)', capHost,
      'A run whose result would hold more numbers is refused, naming the parameter to reduce. 1 M to 500 M.'),
    field('Largest result of a guest\'s run (values)', capGuest, 'At most your own; 1 M to 500 M.'),
    error,
    el('div', { class: 'run-actions' }, [save, status]),
  ]);
  dataDir.setAttribute('aria-labelledby', 'data-dir-label');

  const fill = (settings, interfaces) => {
    dataDir.textContent = settings.data_dir;
    const known = interfaces.map((i) => el('option', { value: i.ip }, `${i.name} — ${i.ip}`));
    const stored = settings.share_interface;
    const missing = stored && !interfaces.some((i) => i.ip === stored)
      ? [el('option', { value: stored }, `${stored} (not present now)`)] : [];
    iface.replaceChildren(el('option', { value: '' }, 'The first one found'), ...known, ...missing);
    iface.value = stored ?? '';
    port.value = String(settings.share_port);
    capHost.value = String(settings.result_cap_host);
    capGuest.value = String(settings.result_cap_guest);
  };
  Promise.all([loadSettings(), shareStatus().then((s) => s.interfaces).catch(() => [])])
    .then(([settings, interfaces]) => fill(settings, interfaces))
    .catch((e) => { error.textContent = `Cannot load the settings: ${e.message}`; });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.textContent = '';
    status.textContent = '';
    port.removeAttribute('aria-invalid');
    const p = Number(port.value);
    if (port.value.trim() === '' || !Number.isInteger(p) || p < 0 || p > 65535) {
      error.textContent = 'Port for sharing: a whole number from 0 to 65535.';
      port.setAttribute('aria-invalid', 'true');
      port.focus();
      return;
    }
    const caps = { result_cap_host: capHost, result_cap_guest: capGuest };
    for (const input of Object.values(caps)) input.removeAttribute('aria-invalid');
    // Sent as typed: the server checks the bounds and names the field at fault.
    const capValue = (input) => (input.value.trim() === '' ? null : Number(input.value));
    save.disabled = true;
    saveSettings({
      share_interface: iface.value || null,
      share_port: p,
      result_cap_host: capValue(capHost),
      result_cap_guest: capValue(capGuest),
    })
      .then(() => { status.textContent = 'Saved.'; })
      .catch((e) => {
        error.textContent = e.message;
        const bad = caps[e.field];
        if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
      })
      .finally(() => { save.disabled = false; });
  });
  return el('section', { class: 'panel', 'aria-labelledby': 'host-title' }, [
    el('h3', { id: 'host-title' }, 'This twin (host)'), form, isDesktop() ? dataDirPanel() : null,
  ]);
}

/** The Settings page; the host part only for the host. */
export function settingsPage(me) {
  show('Settings', heading('Settings'), el('div', { class: 'settings' }, [
    displayPanel(),
    me?.role === 'host' ? hostPanel() : el('p', { class: 'hint' }, 'Sharing and the data directory are set by the host of the twin.'),
  ]));
}

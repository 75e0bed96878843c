// Display preferences of this browser (the Settings page): theme and the unit frequencies are
// shown in. Kept in localStorage, so every colleague on the LAN chooses their own. Results are
// stored and exported by the server in the units the tool computed; only what the page shows
// is converted.

const THEME_KEY = 'cristallo.theme';
const UNIT_KEY = 'cristallo.frequencyUnit';
export const THEMES = { system: 'As the system', light: 'Light', dark: 'Dark' };
export const FREQUENCY_UNITS = { computed: 'As each tool computes', hz: 'Hz', rad_s: 'rad/s' };

function read(key, allowed, fallback) {
  try {
    const v = localStorage.getItem(key);
    return v && v in allowed ? v : fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private windows may refuse storage: the choice then lasts for this page only.
  }
}

export function theme() { return read(THEME_KEY, THEMES, 'system'); }
export function frequencyUnit() { return read(UNIT_KEY, FREQUENCY_UNITS, 'computed'); }

/** Applies the theme to the document (`system` follows prefers-color-scheme). */
export function applyTheme(choice = theme()) {
  const dark = choice === 'dark' || (choice === 'system' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export function setTheme(choice) {
  write(THEME_KEY, choice);
  applyTheme(choice);
}

export function setFrequencyUnit(choice) { write(UNIT_KEY, choice); }

const TWO_PI = 2 * Math.PI;

/** How a frequency stored in Hz is shown: the unit's label and the factor from Hz. */
export function hzDisplay(unit = frequencyUnit()) {
  return unit === 'rad_s' ? { label: 'rad/s', factor: TWO_PI } : { label: 'Hz', factor: 1 };
}

/** [new key, factor] for a snake_case key with a frequency unit, or null. */
function convertKey(key, unit) {
  // `_rad_s` (cbc's keys) is rad/s as well.
  const m = /^(.*?)(_hz|_rad_per_s|_rad_s)(_(?:mean|std|p05|p50|p95))?$/.exec(key);
  if (!m || m[1].endsWith('_j')) return null; // J·rad/s is an energy unit, not a frequency
  const stat = m[3] ?? '';
  if (m[2] === '_hz' && unit === 'rad_s') return [`${m[1]}_rad_per_s${stat}`, TWO_PI];
  if (m[2] !== '_hz' && unit === 'hz') return [`${m[1]}_hz${stat}`, 1 / TWO_PI];
  return null;
}

/** [new label, factor] for a text label such as "Frequency (Hz)", or null. */
function convertLabel(label, unit) {
  if (unit === 'rad_s' && /\(Hz\)/.test(label)) return [label.replace('(Hz)', '(rad/s)'), TWO_PI];
  if (unit === 'hz' && /\(rad\/s\)/.test(label)) return [label.replace('(rad/s)', '(Hz)'), 1 / TWO_PI];
  return null;
}

function convertName(name, unit) {
  return convertKey(name, unit) ?? convertLabel(name, unit);
}

const scale = (v, f) => (typeof v === 'number' ? v * f : v);

/** A copy of `result` with frequencies in the chosen unit (the same object if none). */
export function inDisplayUnits(result, unit = frequencyUnit()) {
  if (unit === 'computed') return result;
  const scalars = {};
  const given = result.scalars ?? {};
  for (const [k, v] of Object.entries(given)) {
    const c = convertKey(k, unit);
    // A tool that reports both `x_hz` and `x_rad_s` (cbc): show its own rad/s value once.
    if (c && c[0].endsWith('_rad_per_s') && `${c[0].slice(0, -'_rad_per_s'.length)}_rad_s` in given) continue;
    if (c) scalars[c[0]] = scale(v, c[1]);
    else scalars[k] = v;
  }
  const tables = (result.tables ?? []).map((t) => {
    const conv = t.columns.map((c) => convertName(c, unit));
    return {
      ...t,
      columns: t.columns.map((c, i) => conv[i]?.[0] ?? c),
      rows: t.rows.map((row) => row.map((v, i) => (conv[i] ? scale(v, conv[i][1]) : v))),
    };
  });
  // A shared axis (one typed array for many series) is converted once and stays shared.
  const converted = new Map();
  const convert = (values, factor) => {
    if (!converted.has(values)) converted.set(values, values.map((v) => v * factor));
    return converted.get(values);
  };
  const series = (result.series ?? []).map((s) => {
    const cx = convertLabel(s.x_label, unit);
    const cy = convertLabel(s.y_label, unit);
    return {
      ...s,
      x_label: cx?.[0] ?? s.x_label,
      y_label: cy?.[0] ?? s.y_label,
      x: cx ? convert(s.x, cx[1]) : s.x,
      y: cy ? convert(s.y, cy[1]) : s.y,
    };
  });
  return { ...result, scalars, tables, series };
}

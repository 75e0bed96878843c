// What the profile pages share: error texts naming the field, origin labels, dates, exports.

import { el } from './dom.js';
import { downloadBlob } from './export.js';
import { formatNumber } from './format.js';
import { live } from './live.js';
import { formatTime } from './page.js';
import { hzDisplay } from './units.js';

export const PROFILE_SCHEMA = 'cristallo.profile/1';

const ORIGINS = {
  'model-update': 'model-update',
  manual: 'manual',
  'imported-legacy-csv': 'legacy CSV import',
  'imported-legacy-json': 'legacy JSON import',
};

/** A readable origin kind. */
export function originText(kind) {
  return ORIGINS[kind] ?? kind;
}

/** Whether this client may save, import, rename and delete profiles. */
export const canModify = () => live.me?.can_modify === true;

/** The message of a backend error, starting with the field it names ("profile.name: …"). */
export function errorText(e) {
  const message = e?.message ?? String(e);
  if (!e?.field || message.startsWith(`${e.field}:`)) return message;
  return `${e.field}: ${message}`;
}

/** A <time> for an ISO 8601 UTC date, or the text as it is when it cannot be read. */
export function dateElement(iso) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return el('span', {}, iso || '—');
  return el('time', { datetime: iso }, formatTime(ms));
}

/** Frequencies stored in Hz as "6.512, 17.46, 26.5" in the display unit (Settings), or "—". */
export function frequenciesText(f) {
  const { factor } = hzDisplay();
  return Array.isArray(f) ? f.map((x) => formatNumber(x * factor, 4)).join(', ') : '—';
}

/** The display unit of frequencies on the profile pages: "Hz" or "rad/s". */
export const frequencyLabel = () => hzDisplay().label;

/** Saves a profile document as `{name}.profile.json` (the server's export file name). */
export function downloadProfile(doc) {
  const stem = [...doc.name].map((c) => (/[A-Za-z0-9._-]/.test(c) ? c : '_')).join('');
  const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
  downloadBlob(blob, `${stem}.profile.json`);
}

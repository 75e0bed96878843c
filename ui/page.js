// What every page shares: the page frame (title, heading, error box) and the formatting of run
// metadata (local time, duration, key scalars).

import { el } from './dom.js';
import { formatNumber, keyLabel } from './format.js';

const view = document.getElementById('view');
let twinName = document.getElementById('twin-name').textContent;

export function setTwinName(name) {
  twinName = name;
  document.getElementById('twin-name').textContent = name;
}

/** Replaces the page content and moves the focus to its heading. */
export function show(title, ...children) {
  document.title = title ? `${title} · ${twinName}` : `${twinName} · Cristallo-RS`;
  view.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
  view.querySelector('h2')?.focus({ preventScroll: true });
}

export function heading(text) {
  return el('h2', { tabindex: '-1' }, text);
}

export function failure(message, link = el('a', { href: '#/' }, 'Back to the tool list')) {
  return el('div', { class: 'page-error', role: 'alert' }, [el('p', {}, message), link && el('p', {}, link)]);
}

/** The user's date format; a POSIX "C" locale (e.g. LANG=C under Xvfb) is not a valid
 *  language tag for WebKit's Intl and would throw, so fall back to English then. */
function makeTimeFormat() {
  const options = { dateStyle: 'short', timeStyle: 'medium' };
  try {
    return new Intl.DateTimeFormat(undefined, options);
  } catch {
    return new Intl.DateTimeFormat('en-GB', options);
  }
}

const timeFormat = makeTimeFormat();

/** The local date and time of `ms` since the epoch, as text. */
export function formatTime(ms) {
  return timeFormat.format(new Date(ms));
}

/** A <time> element with the local date and time of `ms` since the epoch. */
export function timeElement(ms) {
  const date = new Date(ms);
  return el('time', { datetime: date.toISOString() }, formatTime(ms));
}

export function formatDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

// The headline figures of the tools, in order of preference; else the first scalar.
const KEY_SCALARS = ['closed_loop_stable', 'kinetic_energy_reduction_db', 'natural_frequency_1_hz'];

/** Up to two [label, text, key] of the most telling scalars of a run. */
export function keyScalars(scalars = {}) {
  const keys = KEY_SCALARS.filter((k) => k in scalars);
  if (!keys.length && Object.keys(scalars).length) keys.push(Object.keys(scalars)[0]);
  return keys.slice(0, 2).map((k) => {
    const v = scalars[k];
    const text = k === 'closed_loop_stable' ? (v === 1 ? 'stable' : 'UNSTABLE') : formatNumber(v, 4);
    return [k === 'closed_loop_stable' ? 'Closed loop' : keyLabel(k), text, k];
  });
}

// The only module that talks to the backend. Inside the Tauri 2 shell (app.withGlobalTauri) it
// uses `invoke`, Channels and Tauri events; in a browser it uses the HTTP API and server-sent
// events of `cristallo serve` (same origin; a shared twin authenticates the browser with an
// HttpOnly cookie the server sets when the share link is opened, so no token is handled here).
// Both paths resolve to the same objects or throw an Error with `.field` (or null) and, for
// HTTP, `.status`. Results travel in their binary form (Arrow IPC, docs/result-contract.md §6)
// and are decoded by arrowresult.js: series x/y arrive as Float64Array views.

import { ARROW_MEDIA_TYPE, decodeLivePoints, decodeResult } from './arrowresult.js';

const tauri = globalThis.__TAURI__;

/** An Error carrying the offending parameter (dotted key) and the HTTP status, when known. */
class ToolError extends Error {
  constructor(message, field = null, status = null) {
    super(message);
    this.name = 'ToolError';
    this.field = field ?? null;
    this.status = status;
  }
}

function toToolError(payload, fallback, status = null) {
  if (payload instanceof ToolError) return payload;
  if (typeof payload === 'string' && payload) return new ToolError(payload, null, status);
  if (payload && typeof payload === 'object' && payload.error) {
    return new ToolError(String(payload.error), payload.field ?? null, status);
  }
  if (payload instanceof Error) return new ToolError(payload.message, null, status);
  return new ToolError(fallback, null, status);
}

const abortError = () => new ToolError('The run was cancelled.');

let signedOut = () => {};

/** `fn(message)` is called when the server no longer knows this browser (401: no or a revoked session). */
export function whenSignedOut(fn) {
  signedOut = fn;
}

/** True inside the desktop app. */
export function isDesktop() {
  return Boolean(tauri?.core);
}

function invoke(command, args, options) {
  return tauri.core.invoke(command, args, options).catch((e) => {
    throw toToolError(e, `${command} failed`);
  });
}

async function request(url, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, {
      method, headers, signal, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw abortError();
    throw new ToolError(`Cannot reach the Cristallo server (${e.message}).`);
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = toToolError(parsed ?? text, `HTTP ${response.status} ${response.statusText}`, response.status);
    if (response.status === 401) signedOut(error.message);
    throw error;
  }
  if (parsed === null && response.status !== 204 && response.status !== 202) {
    throw new ToolError('The server answered with invalid JSON.');
  }
  return parsed;
}

const enc = encodeURIComponent;

/** Who this client is: {role, name, session_id, can_modify, sharing, twin_name, version}. */
export function session() {
  return isDesktop() ? invoke('session') : request('/api/session');
}

/** The catalogue: [{id, title, category, category_title, description, params}]. */
export function listTools() {
  return isDesktop() ? invoke('list_tools') : request('/api/tools');
}

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Live points of a progress event (its `append_arrow`) as `{append: rows}`, or null. */
function livePoints(p) {
  if (typeof p?.append_arrow !== 'string') return null;
  try {
    return { append: decodeLivePoints(p.append_arrow) };
  } catch (e) {
    // The final result still carries every point; the live plot just misses these.
    console.error(e);
    return null;
  }
}

/**
 * Calls `onProgress({fraction, message, data})` with a finite fraction in [0, 1] or null;
 * `data.append` holds the live points the event carried in the binary form.
 */
function progressReporter(onProgress) {
  return (p) => {
    const f = Number(p?.fraction);
    onProgress?.({
      fraction: p?.fraction != null && Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : null,
      message: p?.message ?? '',
      data: livePoints(p),
    });
  };
}

/**
 * What the last decoded result came in (for the end-to-end tests and the timing notes of
 * ui/README.md): {format: 'arrow', via: 'http' | 'ipc', bytes, ms (request to typed arrays),
 * decodeMs (bytes in hand to typed arrays)}.
 */
function noteResult(via, bytes, started, received) {
  const now = performance.now();
  globalThis.__cristalloLastResult = {
    format: 'arrow', via, bytes, ms: now - started, decodeMs: now - received,
  };
}

/**
 * The desktop's binary answers (`run_tool`, `get_run` with format `arrow`; docs/platform.md):
 * a 4-byte little-endian length n, n bytes of UTF-8 JSON (the header: `{run_id}` or the run's
 * summary), zero padding to a multiple of 8 bytes, then the Arrow IPC stream.
 */
function splitFrame(buffer) {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < 4) {
    throw new ToolError('The desktop answered without a result frame.');
  }
  const n = new DataView(buffer).getUint32(0, true);
  const start = Math.ceil((4 + n) / 8) * 8;
  if (start > buffer.byteLength) throw new ToolError(`The desktop's result frame is truncated (header of ${n} bytes).`);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)));
  return { header, stream: new Uint8Array(buffer, start) };
}

function decodeOrFail(bytes) {
  try {
    return decodeResult(bytes);
  } catch (e) {
    throw new ToolError(`Cannot read the result: ${e.message}`);
  }
}

function runDesktop(id, params, report, signal) {
  const jobId = randomId();
  const channel = new tauri.core.Channel();
  channel.onmessage = report;
  const started = performance.now();
  const call = invoke('run_tool', { tool: id, params, jobId, onProgress: channel });
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      invoke('cancel_run', { jobId }).catch(() => {});
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    call.then((buffer) => {
      signal?.removeEventListener('abort', onAbort);
      const received = performance.now();
      const { header, stream } = splitFrame(buffer);
      const result = decodeOrFail(stream);
      noteResult('ipc', buffer.byteLength, started, received);
      resolve({ result, runId: header.run_id ?? null });
    }).catch((e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(toToolError(e, 'The run failed.'));
    });
  });
}

/** GET of an Arrow result (`url` answers the stream or a JSON `{error, field}`), decoded. */
async function fetchResult(url, signal) {
  const started = performance.now();
  let response;
  try {
    response = await fetch(url, { headers: { Accept: ARROW_MEDIA_TYPE }, signal, credentials: 'same-origin' });
  } catch (e) {
    if (e.name === 'AbortError') throw abortError();
    throw new ToolError(`Cannot reach the Cristallo server (${e.message}).`);
  }
  if (!response.ok) {
    const error = await responseError(response);
    if (response.status === 401) signedOut(error.message);
    throw error;
  }
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.startsWith(ARROW_MEDIA_TYPE)) {
    throw new ToolError(`The server answered ${type || 'without a type'} instead of ${ARROW_MEDIA_TYPE}.`);
  }
  const buffer = await response.arrayBuffer();
  const received = performance.now();
  const result = decodeOrFail(buffer);
  noteResult('http', buffer.byteLength, started, received);
  return result;
}

async function runHttp(id, params, report, signal) {
  const { job_id: jobId } = await request(`/api/tools/${enc(id)}/jobs`, { method: 'POST', body: params, signal });
  const runId = await new Promise((resolve, reject) => {
    const source = new EventSource(`/api/jobs/${enc(jobId)}/events`);
    const finish = (settle, value) => {
      source.close();
      signal?.removeEventListener('abort', onAbort);
      settle(value);
    };
    const data = (e) => JSON.parse(e.data);
    function onAbort() {
      request(`/api/jobs/${enc(jobId)}`, { method: 'DELETE' }).catch(() => {});
      finish(reject, abortError());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    source.addEventListener('progress', (e) => report(data(e)));
    source.addEventListener('done', (e) => finish(resolve, data(e).run_id));
    source.addEventListener('failed', (e) => finish(reject, toToolError(data(e).error, 'The run failed.')));
    source.addEventListener('cancelled', () => finish(reject, abortError()));
    // A dropped connection is retried by EventSource (the server repeats the latest event);
    // a refused one (job gone, session revoked) closes the stream for good.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        finish(reject, new ToolError('Lost contact with the run; see the history for its result.'));
      }
    };
  });
  return { result: await fetchResult(`/api/runs/${enc(runId)}?format=arrow`, signal), runId };
}

/**
 * Runs tool `id` with `params` as a background job; resolves to {result, runId} (runId: the
 * history id, or null if it cannot be told). `onProgress({fraction|null, message})` follows
 * the run, `signal` cancels it for real. The result's series hold Float64Arrays.
 */
export async function runTool(id, params, { onProgress, signal } = {}) {
  if (signal?.aborted) throw abortError();
  const report = progressReporter(onProgress);
  return isDesktop() ? runDesktop(id, params, report, signal) : runHttp(id, params, report, signal);
}

/** Run summaries, newest first: {tool?, limit?, before? (a run id)}. */
export function listRuns({ tool = null, limit = 50, before = null } = {}) {
  if (isDesktop()) return invoke('list_runs', { tool, limit, before });
  const q = new URLSearchParams({ limit: String(limit) });
  if (tool) q.set('tool', tool);
  if (before != null) q.set('before', String(before));
  return request(`/api/runs?${q}`);
}

/** The summary of stored run `id` (as `listRuns` gives it: no result); a 404-like error if there is none. */
export async function getRunSummary(id) {
  const wanted = Number(id);
  const [summary] = await listRuns({ limit: 1, before: wanted + 1 });
  if (summary?.id !== wanted) throw new ToolError(`no such run: ${id}`, null, 404);
  return summary;
}

/** A stored run: its summary with its full result ({…summary, result}; series as Float64Arrays). */
export async function getRun(id) {
  if (isDesktop()) {
    const started = performance.now();
    const buffer = await invoke('get_run', { id: Number(id), format: 'arrow' });
    const received = performance.now();
    const { header, stream } = splitFrame(buffer);
    const result = decodeOrFail(stream);
    noteResult('ipc', buffer.byteLength, started, received);
    return { ...header, result };
  }
  const [summary, result] = await Promise.all([
    getRunSummary(id), fetchResult(`/api/runs/${enc(id)}?format=arrow`),
  ]);
  return { ...summary, result };
}

/** The twin's description (data/twin.json). */
export function twinDescription() {
  return isDesktop() ? invoke('twin') : request('/api/twin');
}

/** The figures the server draws for stored run `id`: [{index, title, series, xy, log_x}]. */
export function runFigures(id) {
  return isDesktop() ? invoke('run_figures', { id }) : request(`/api/runs/${enc(id)}/figures`);
}

/** The error of a failed non-JSON request (its body is the usual `{error, field}` JSON). */
async function responseError(response) {
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  return toToolError(parsed, `HTTP ${response.status} ${response.statusText}`, response.status);
}

/** Figure `index` of run `id` drawn on the server, as a Blob (`format`: 'png' | 'svg'). */
export async function runFigureBlob(id, index, format) {
  const type = format === 'svg' ? 'image/svg+xml' : 'image/png';
  if (isDesktop()) {
    const bytes = await invoke('run_figure', { id, index, format });
    return new Blob([bytes], { type });
  }
  const response = await fetch(`/api/runs/${enc(id)}/figures/${enc(index)}.${enc(format)}`, { credentials: 'same-origin' });
  if (!response.ok) throw await responseError(response);
  return response.blob();
}

/**
 * Desktop app: saves an export in the Downloads folder (the webview alone would put it in the
 * working directory) and resolves to the saved file's path.
 */
export async function saveDownload(blob, filename) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const name = filename.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^\.+/, '') || 'export';
  return invoke('save_download', bytes, { headers: { 'x-file-name': name } });
}

/** The file name of a `Content-Disposition: attachment; filename="…"` header, or null. */
function attachmentName(disposition) {
  return /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? null;
}

/**
 * Artifact `name` of tool `toolId` for `params` (one of the catalogue's `tool.artifacts`, e.g.
 * fea's `deck`), produced without a run: resolves to `{blob, fileName}`; rejects naming a bad
 * field (`artifact`, or the parameter).
 */
export async function toolArtifact(toolId, name, params) {
  if (isDesktop()) {
    const answer = await invoke('tool_artifact', { tool: toolId, name, params });
    const content = answer.text ?? new Uint8Array(answer.bytes ?? []);
    return { blob: new Blob([content], { type: answer.media_type }), fileName: answer.file_name };
  }
  const response = await fetch(`/api/tools/${enc(toolId)}/artifacts/${enc(name)}`, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(params),
  });
  if (!response.ok) throw await responseError(response);
  return {
    blob: await response.blob(),
    fileName: attachmentName(response.headers.get('Content-Disposition')),
  };
}

/**
 * The printable HTML report of run `id`: a browser opens it in a new tab (print to PDF from
 * there); the desktop app saves it as a file. Resolves to 'opened' or 'saved'.
 */
export async function openRunReport(id, save) {
  if (isDesktop()) {
    const html = await invoke('run_report', { id });
    save(new Blob([html], { type: 'text/html' }), `run-${id}-report.html`);
    return 'saved';
  }
  const tab = window.open(`/api/runs/${enc(id)}/report.html`, '_blank', 'noopener');
  if (!tab) {
    const response = await fetch(`/api/runs/${enc(id)}/report.html`, { credentials: 'same-origin' });
    if (!response.ok) throw new ToolError(`HTTP ${response.status} ${response.statusText}`);
    save(await response.blob(), `run-${id}-report.html`);
    return 'saved';
  }
  return 'opened';
}

export async function deleteRun(id) {
  if (isDesktop()) await invoke('delete_run', { id });
  else await request(`/api/runs/${enc(id)}`, { method: 'DELETE' });
}

/** Every run summary of the history (for the JSON export). */
export async function exportRuns() {
  if (!isDesktop()) return request('/api/runs/export');
  const all = [];
  for (;;) {
    const page = await listRuns({ limit: 1000, before: all.at(-1)?.id ?? null });
    all.push(...page);
    if (page.length < 1000) return all;
  }
}

// ---- saved model profiles (docs/measured.md §7) ------------------------------------------------

/** Profile summaries, newest first: [{id, name, created_utc, origin_kind, natural_frequencies_hz|null}]. */
export function listProfiles() {
  return isDesktop() ? invoke('profile_list') : request('/api/profiles');
}

/** A profile document (`cristallo.profile/1`). */
export function getProfile(id) {
  return isDesktop() ? invoke('profile_show', { id }) : request(`/api/profiles/${enc(id)}`);
}

/** The document of profile `id` as exported (the same JSON an import accepts). */
export function exportProfile(id) {
  return isDesktop() ? invoke('profile_export', { id }) : request(`/api/profiles/${enc(id)}/export`);
}

/** Saves `doc` (a `cristallo.profile/1` document) as a new profile; resolves to it with id and date. */
export function saveProfile(doc) {
  return isDesktop() ? invoke('profile_save', { profile: doc })
    : request('/api/profiles', { method: 'POST', body: doc });
}

/**
 * Imports a profile file's text (ours, or the original app's JSON or 8-line CSV); `name`
 * replaces the file's name, `fileName` is a CSV's fallback name. Resolves to {profile, warnings}.
 */
export function importProfile(text, { name = null, fileName = null } = {}) {
  return isDesktop() ? invoke('profile_import', { text, name, fileName })
    : request('/api/profiles/import', { method: 'POST', body: { text, name, file_name: fileName } });
}

/** Renames profile `id`; resolves to the renamed document. */
export function renameProfile(id, name) {
  return isDesktop() ? invoke('profile_rename', { id, name })
    : request(`/api/profiles/${enc(id)}`, { method: 'PATCH', body: { name } });
}

/** Deletes profile `id`; resolves to {id, undo_seconds} (restoreProfile undoes it meanwhile). */
export function deleteProfile(id) {
  return isDesktop() ? invoke('profile_delete', { id })
    : request(`/api/profiles/${enc(id)}`, { method: 'DELETE' });
}

/** A measured file a profile was identified from, by its SHA-256: {sha256, name, csv_text}. */
export function getSourceFile(sha256) {
  return isDesktop() ? invoke('source_file', { sha256 }) : request(`/api/sources/${enc(sha256)}`);
}

/** Undoes the deletion of profile `id`; resolves to the restored document. */
export function restoreProfile(id) {
  return isDesktop() ? invoke('profile_restore', { id })
    : request(`/api/profiles/${enc(id)}/restore`, { method: 'POST' });
}

const SERVER_EVENTS = ['hello', 'run_added', 'run_deleted', 'users', 'sharing', 'profiles_changed', 'lagged'];

/**
 * Follows the shared live events. `handler({type, …})` gets run_added {run}, run_deleted {id},
 * users {users}, sharing {enabled, guest_access}, profiles_changed {id, action}, hello {name,
 * role} and lagged {missed};
 * `onState('live' | 'connecting' | 'closed')` the connection state ('closed': the server
 * refused the stream, e.g. the session was revoked; it is retried after a while).
 * Returns the function that stops following.
 */
export function subscribe(handler, onState) {
  if (isDesktop()) {
    let stopped = false;
    let unlisten = null;
    tauri.event.listen('cristallo-event', (e) => handler(e.payload)).then((fn) => {
      if (stopped) fn();
      else {
        unlisten = fn;
        onState('live');
      }
    }, () => onState('closed'));
    return () => {
      stopped = true;
      unlisten?.();
    };
  }
  let source = null;
  let retry = null;
  const open = () => {
    onState('connecting');
    source = new EventSource('/api/events');
    source.onopen = () => onState('live');
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) {
        onState('connecting');
        return;
      }
      onState('closed');
      retry = setTimeout(open, 10000);
    };
    for (const type of SERVER_EVENTS) {
      source.addEventListener(type, (e) => handler({ ...JSON.parse(e.data), type }));
    }
  };
  open();
  return () => {
    clearTimeout(retry);
    source?.close();
  };
}

/** The host's share dialog: {enabled, url, qr_svg, guest_access, sessions, interfaces, …}. */
export function shareStatus() {
  return isDesktop() ? invoke('share_status') : request('/api/share');
}

/** The host's settings and the data directory (Settings page). */
export function loadSettings() {
  return isDesktop() ? invoke('settings_get') : request('/api/settings');
}

/** Desktop app: the data directory in use and the one chosen for the next start. */
export function desktopSettings() {
  return invoke('desktop_settings_get');
}

/** Desktop app: the data directory from the next start ('' = the default). */
export function setNextDataDir(dataDir) {
  return invoke('desktop_settings_set', { dataDir });
}

/** Stores the host's settings; rejects with an error naming the field. */
export function saveSettings(settings) {
  return isDesktop() ? invoke('settings_set', { settings })
    : request('/api/settings', { method: 'PUT', body: settings });
}

/** 'read_only' | 'full'; resolves to the new share status. */
export function setGuestAccess(guestAccess) {
  return isDesktop() ? invoke('set_guest_access', { guestAccess })
    : request('/api/share/settings', { method: 'PUT', body: { guest_access: guestAccess } });
}

export async function revokeSession(id) {
  if (isDesktop()) await invoke('revoke_session', { id });
  else await request(`/api/share/sessions/${enc(id)}`, { method: 'DELETE' });
}

/** A new guest link (the old one stops working); resolves to the new share status. */
export function rotateToken() {
  return isDesktop() ? invoke('rotate_token') : request('/api/share/rotate', { method: 'POST' });
}

/** Desktop only: shares on interface address `ip`, `port` (0 = any); resolves to the status. */
export function shareStart(ip, port) {
  return invoke('share_start', { ip, port });
}

/** Desktop only: stops sharing. */
export function shareStop() {
  return invoke('share_stop');
}

/** Desktop only: shared twins found by mDNS within `timeoutS` seconds. */
export function discoverPeers(timeoutS) {
  return invoke('discover_peers', { timeoutS });
}

/** Desktop only: opens `url` in the system browser (opener plugin), else in this window. */
export async function openExternal(url) {
  if (tauri.opener?.openUrl) await tauri.opener.openUrl(url);
  else location.assign(url);
}

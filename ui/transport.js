// The only module that talks to the backend. Inside the Tauri 2 shell (app.withGlobalTauri)
// it uses `invoke`; in a browser it uses the HTTP API served by `cristallo serve`.
// Both paths resolve to the same objects or throw an Error with `.field` (or null).

const tauri = globalThis.__TAURI__?.core;

// A LAN share link is `/?token=TOKEN`; the token goes with every API call.
const shareToken = new URLSearchParams(globalThis.location?.search ?? '').get('token');
const authHeaders = shareToken ? { Authorization: `Bearer ${shareToken}` } : {};

/** An Error carrying the offending parameter (dotted key) when the backend names one. */
class ToolError extends Error {
  constructor(message, field = null) {
    super(message);
    this.name = 'ToolError';
    this.field = field ?? null;
  }
}

function toToolError(payload, fallback) {
  if (payload instanceof ToolError) return payload;
  if (typeof payload === 'string' && payload) return new ToolError(payload);
  if (payload && typeof payload === 'object' && payload.error) {
    return new ToolError(String(payload.error), payload.field ?? null);
  }
  if (payload instanceof Error) return new ToolError(payload.message);
  return new ToolError(fallback);
}

const abortError = () => new ToolError('The run was cancelled.');

async function invoke(command, args, signal) {
  if (signal?.aborted) throw abortError();
  const call = tauri.invoke(command, args).catch((e) => {
    throw toToolError(e, `${command} failed`);
  });
  if (!signal) return call;
  // invoke cannot be interrupted: a cancelled call is left to finish and its answer dropped.
  const aborted = new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(abortError()), { once: true }));
  return Promise.race([call, aborted]);
}

async function request(url, init, signal) {
  let response;
  try {
    response = await fetch(url, { ...init, headers: { ...authHeaders, ...init.headers }, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw abortError();
    throw new ToolError(`Cannot reach the Cristallo server (${e.message}).`);
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    throw toToolError(body ?? text, `HTTP ${response.status} ${response.statusText}`);
  }
  if (body === null) throw new ToolError('The server answered with invalid JSON.');
  return body;
}

/** The catalogue: [{id, title, category, category_title, description, params}]. */
export async function listTools() {
  if (tauri) return invoke('list_tools');
  return request('/api/tools', { headers: { Accept: 'application/json' } });
}

/** Runs tool `id` with `params`; resolves to the result object. `signal` cancels the wait. */
export async function runTool(id, params, { signal } = {}) {
  if (tauri) return invoke('run_tool', { tool: id, params }, signal);
  return request(`/api/tools/${encodeURIComponent(id)}/run`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(params),
  }, signal);
}

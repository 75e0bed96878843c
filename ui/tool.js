// A tool page: the form, Run with a real progress bar and Cancel, the result, a link to the
// run in the history, and a quiet notice when somebody else runs the same tool.

import { addArtifactDownloads } from './artifacts.js';
import { el } from './dom.js';
import { extensionOf } from './extensions.js';
import { buildForm } from './form.js';
import { onLive } from './live.js';
import { heading, show, timeElement } from './page.js';
import { livePlot } from './plots.js';
import { profilePicker, savedProfileIds, takesProfile, takesProfileIds } from './profilepick.js';
import { renderResult } from './result.js';
import { getRunSummary, runTool } from './transport.js';

function peerNotice() {
  const text = el('span');
  const dismiss = el('button', { type: 'button', class: 'small', 'aria-label': 'Dismiss the notice' }, '×');
  const box = el('div', { id: 'peer-runs', class: 'peer-notice', role: 'status', hidden: true }, [text, dismiss]);
  let count = 0;
  dismiss.addEventListener('click', () => {
    box.hidden = true;
    count = 0;
  });
  return {
    box,
    add(run) {
      count += 1;
      text.replaceChildren(`${run.who} ran this tool `, timeElement(run.created_at_ms), ' — ',
        el('a', { href: `#/run/${run.id}` }, `open run #${run.id}`),
        count > 1 ? ` (${count} runs by others since you opened this page)` : '');
      box.hidden = false;
    },
  };
}

/**
 * Shows `tool`; `fromRun`: a history id whose parameters fill the form; `profile`: a saved
 * profile to pick in the "Model profile" list. Returns the leave hook.
 */
export function toolPage(tool, { fromRun = null, profile = null } = {}) {
  const result = el('section', {
    id: 'result', class: 'result', 'aria-label': 'Result', 'aria-busy': 'false',
  });
  const status = el('p', { id: 'result-status', class: 'result-status', role: 'status', 'aria-live': 'polite' },
    'Set the parameters and press Run.');
  const saved = el('p', { id: 'run-saved', class: 'run-saved', hidden: true });
  const progress = el('progress', { id: 'progress', class: 'progress', 'aria-label': 'Run progress' });
  const cancel = el('button', { type: 'button', id: 'cancel' }, 'Cancel');
  const busy = el('div', { class: 'busy', hidden: true }, [progress, cancel]);
  const notice = peerNotice();
  let controller = null;
  let releasePlots = null;
  // Points a running tool streams (progress `data.append`), shown until its result arrives.
  let live = null;
  // Runs announced while one of ours is in flight: judged once we know our run's id.
  let holder = null;
  let held = [];
  const mine = new Set();

  function setState(state, message) {
    result.dataset.state = state;
    result.setAttribute('aria-busy', String(state === 'running'));
    busy.hidden = state !== 'running';
    status.textContent = message;
    status.className = `result-status ${state}`;
  }

  function dropLive() {
    live?.dispose();
    live = null;
  }

  function clearResult() {
    dropLive();
    releasePlots?.();
    releasePlots = null;
    result.replaceChildren();
    saved.hidden = true;
  }

  function stop() {
    controller?.abort();
    controller = null;
    form.setBusy(false);
  }

  function judge(run) {
    if (run.tool === tool.id && !mine.has(run.id)) notice.add(run);
  }

  // The status line (a live region) changes only with the message or in 10 % steps.
  let announced = '';
  function onProgress({ fraction, message, data }) {
    if (Array.isArray(data?.append)) {
      if (!live) {
        const box = el('section', { id: 'live-plot', class: 'live-plot plots', 'aria-label': 'Live results', 'data-points': '0' });
        result.replaceChildren(el('h3', { class: 'section-title' }, 'Live results'), box);
        live = livePlot(box);
      }
      live.append(data.append);
    }
    if (fraction === null) progress.removeAttribute('value');
    else progress.value = fraction;
    const step = fraction === null ? '' : ` ${Math.floor(fraction * 10) * 10} %`;
    const text = `Running ${tool.title}…${step}${message ? ` — ${message}` : ''}`;
    if (text !== announced) {
      announced = text;
      status.textContent = text;
    }
  }

  async function run(params) {
    stop();
    const own = new AbortController();
    controller = own;
    holder = own;
    held = [];
    clearResult();
    form.setBusy(true);
    progress.removeAttribute('value');
    announced = '';
    setState('running', `Running ${tool.title}…`);
    const started = performance.now();
    try {
      const answer = await runTool(tool.id, params, {
        signal: own.signal,
        onProgress: (p) => controller === own && onProgress(p),
      });
      if (controller !== own) return;
      controller = null;
      if (answer.runId !== null) {
        mine.add(answer.runId);
        saved.replaceChildren(el('a', { href: `#/run/${answer.runId}`, id: 'run-link', 'data-run-id': answer.runId },
          `Saved as run #${answer.runId}`), ' in the history.');
        saved.hidden = false;
      }
      const inHand = performance.now();
      const seconds = ((inHand - started) / 1000).toFixed(2);
      dropLive();
      releasePlots = renderResult(result, answer.result, { runId: answer.runId });
      // Click → result decoded → plots drawn → next frame, for the timing notes of ui/README.md.
      const rendered = performance.now();
      requestAnimationFrame(() => {
        globalThis.__cristalloLastRunTiming = {
          tool: tool.id, resultMs: inHand - started, renderedMs: rendered - started, frameMs: performance.now() - started,
        };
      });
      const warnings = answer.result.warnings?.length;
      setState('done', `Done in ${seconds} s${warnings ? `, ${warnings} warning(s)` : ''}.`);
    } catch (e) {
      if (controller !== own) return;
      controller = null;
      form.showServerError(e);
      setState('error', `Run failed: ${e.message}`);
    } finally {
      if (controller === null) form.setBusy(false);
      if (holder === own) {
        holder = null;
        held.splice(0).forEach(judge);
      }
    }
  }

  function invalid() {
    stop();
    clearResult();
    setState('error', 'Not run: correct the highlighted parameters.');
  }

  const form = buildForm(tool.params, { onRun: (params) => run(picker ? picker.apply(params) : params), onInvalid: invalid });
  const picker = takesProfile(tool.params) ? profilePicker(form, tool.params, { initial: profile }) : null;
  const idList = takesProfileIds(tool.params) ? savedProfileIds() : null;
  if (idList) form.form.append(idList.element);
  const say = (text) => { status.textContent = text; };
  const prepare = (params) => (picker ? picker.apply(params) : params);
  // One download button per artifact the catalogue lists (fea's deck), next to Run.
  addArtifactDownloads(form, tool, { prepare, say });
  // The tool's own additions (extensions.js), e.g. cbc's both curves.
  const extras = el('div', { class: 'tool-extras' });
  const leaveExtension = extensionOf(tool.id).form?.(form, { say, extras, prepare });
  cancel.addEventListener('click', () => {
    stop();
    setState('error', 'Cancelled.');
  });

  const stopLive = onLive((event) => {
    if (event.type !== 'run_added') return;
    if (holder) held.push(event.run);
    else judge(event.run);
  });

  if (fromRun !== null) {
    getRunSummary(fromRun).then((record) => {
      if (record.tool !== tool.id) throw new Error(`run #${fromRun} is of another tool (${record.tool})`);
      picker?.clear();
      form.fill(record.params);
      if (!controller) status.textContent = `The parameters of run #${fromRun} are filled in; press Run.`;
    }).catch((e) => {
      if (!controller) setState('error', `Cannot load the parameters of run #${fromRun}: ${e.message}`);
    });
  }

  show(tool.title,
    el('p', { class: 'crumbs' }, [el('a', { href: '#/' }, 'All tools'), ` › ${tool.category_title}`]),
    heading(tool.title),
    el('p', { class: 'tool-desc' }, tool.description),
    notice.box,
    el('div', { class: 'tool-layout', 'data-tool-page': tool.id }, [
      el('section', { class: 'form-panel', 'aria-label': 'Parameters' }, form.form),
      el('div', { class: 'result-panel' }, [status, busy, saved, result, extras]),
    ]));

  return () => {
    stopLive();
    picker?.dispose();
    idList?.dispose();
    stop();
    clearResult();
    leaveExtension?.();
  };
}

// Hash router: `#/` lists the tools by category, `#/tool/{id}` shows a tool's form and result.

import { el } from './dom.js';
import { buildForm } from './form.js';
import { renderResult } from './result.js';
import { listTools, runTool } from './transport.js';

const TWIN_NAME = 'Cristallo benchtop 3-storey rig';
const view = document.getElementById('view');
let leaveView = null;
let catalogue = null;

function tools() {
  catalogue ??= listTools().catch((e) => {
    catalogue = null;
    throw e;
  });
  return catalogue;
}

function show(title, ...children) {
  document.title = title ? `${title} · ${TWIN_NAME}` : `${TWIN_NAME} · Cristallo-RS`;
  view.replaceChildren(...children);
  view.querySelector('h2')?.focus({ preventScroll: true });
}

function heading(text) {
  return el('h2', { tabindex: '-1' }, text);
}

function failure(message) {
  return el('div', { class: 'page-error', role: 'alert' }, [
    el('p', {}, message),
    el('p', {}, el('a', { href: '#/' }, 'Back to the tool list')),
  ]);
}

function homePage(list) {
  const byCategory = new Map();
  for (const tool of list) {
    if (!byCategory.has(tool.category_title)) byCategory.set(tool.category_title, []);
    byCategory.get(tool.category_title).push(tool);
  }
  const sections = [...byCategory].map(([title, members]) =>
    el('section', { class: 'category', 'aria-label': title }, [
      el('h3', {}, title),
      el('ul', { class: 'cards' }, members.map((t) => el('li', {}, el('a', {
        class: 'card', href: `#/tool/${encodeURIComponent(t.id)}`, 'data-tool': t.id,
      }, [el('span', { class: 'card-title' }, t.title), el('span', { class: 'card-desc' }, t.description)])))),
    ]));
  show('', heading('Tools'), list.length ? el('div', { id: 'tool-list' }, sections)
    : el('p', {}, 'The twin has no tools yet.'));
}

function toolPage(tool) {
  const result = el('section', {
    id: 'result', class: 'result', 'aria-label': 'Result', 'aria-busy': 'false',
  });
  const status = el('p', { id: 'result-status', class: 'result-status', role: 'status', 'aria-live': 'polite' },
    'Set the parameters and press Run.');
  const progress = el('progress', { id: 'progress', class: 'progress', 'aria-label': 'Running' });
  const cancel = el('button', { type: 'button', id: 'cancel' }, 'Cancel');
  const busy = el('div', { class: 'busy', hidden: true }, [progress, cancel]);
  let controller = null;
  let releasePlots = null;

  function setState(state, message) {
    result.dataset.state = state;
    result.setAttribute('aria-busy', String(state === 'running'));
    busy.hidden = state !== 'running';
    status.textContent = message;
    status.className = `result-status ${state}`;
  }

  function clearResult() {
    releasePlots?.();
    releasePlots = null;
    result.replaceChildren();
  }

  function stop() {
    controller?.abort();
    controller = null;
    form.setBusy(false);
  }

  async function run(params) {
    stop();
    const mine = new AbortController();
    controller = mine;
    clearResult();
    form.setBusy(true);
    setState('running', `Running ${tool.title}…`);
    const started = performance.now();
    try {
      const answer = await runTool(tool.id, params, { signal: mine.signal });
      if (controller !== mine) return;
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      releasePlots = renderResult(result, answer);
      const warn = answer.warnings?.length ? `, ${answer.warnings.length} warning(s)` : '';
      setState('done', `Done in ${seconds} s${warn}.`);
    } catch (e) {
      if (controller !== mine) return;
      form.showServerError(e);
      setState('error', `Run failed: ${e.message}`);
    } finally {
      if (controller === mine) stop();
    }
  }

  function invalid() {
    stop();
    clearResult();
    setState('error', 'Not run: correct the highlighted parameters.');
  }

  const form = buildForm(tool.params, { onRun: run, onInvalid: invalid });
  cancel.addEventListener('click', () => {
    stop();
    setState('error', 'Cancelled.');
  });

  show(tool.title,
    el('p', { class: 'crumbs' }, [el('a', { href: '#/' }, 'All tools'), ` › ${tool.category_title}`]),
    heading(tool.title),
    el('p', { class: 'tool-desc' }, tool.description),
    el('div', { class: 'tool-layout' }, [
      el('section', { class: 'form-panel', 'aria-label': 'Parameters' }, form.form),
      el('div', { class: 'result-panel' }, [status, busy, result]),
    ]));

  return () => {
    stop();
    clearResult();
  };
}

async function route() {
  leaveView?.();
  leaveView = null;
  const hash = location.hash || '#/';
  const match = /^#\/tool\/([^/?#]+)$/.exec(hash);
  if (hash !== '#/' && hash !== '#' && !match) {
    show('Not found', heading('Page not found'), failure(`There is no page '${hash}'.`));
    return;
  }
  let list;
  try {
    list = await tools();
  } catch (e) {
    show('Error', heading('Cannot load the tools'), failure(e.message));
    return;
  }
  if (!match) {
    homePage(list);
    return;
  }
  const id = decodeURIComponent(match[1]);
  const tool = list.find((t) => t.id === id);
  if (!tool) {
    show('Unknown tool', heading('Unknown tool'), failure(`The twin has no tool '${id}'.`));
    return;
  }
  leaveView = toolPage(tool);
}

window.addEventListener('hashchange', route);
route();

// The shared run history: `#/history` (list, filter by tool, load more, delete, export; new
// and deleted runs show up live) and `#/run/{id}` (a stored result, read-only, with a link
// that re-runs it with the same parameters).

import { el } from './dom.js';
import { downloadJson } from './export.js';
import { live, onLive } from './live.js';
import { failure, formatDuration, formatTime, heading, keyScalars, show, timeElement } from './page.js';
import { renderResult } from './result.js';
import { deleteRun, exportRuns, getRun, listRuns } from './transport.js';

/** Who ran a run, with the role the server recorded when the name does not say it
 * ("Ann (guest)"; runs recorded before roles were stored show the name alone). */
function whoText(run) {
  return run.role && run.role !== run.who ? `${run.who} (${run.role})` : run.who;
}

const PAGE = 50;

const canModify = () => live.me?.can_modify === true;

/** Asks, deletes run `id` and reports through `say(message, isError)`; true when deleted. */
async function confirmDelete(id, what, say) {
  if (!window.confirm(`Delete run #${id} (${what}) from the shared history? This cannot be undone.`)) return false;
  try {
    await deleteRun(id);
    say(`Run #${id} deleted.`);
    return true;
  } catch (e) {
    say(`Cannot delete run #${id}: ${e.message}`, true);
    return false;
  }
}

function scalarsCell(scalars) {
  return el('td', { class: 'key-scalars' }, keyScalars(scalars).map(([label, text, key]) =>
    el('span', { class: 'kv', 'data-scalar': key }, [el('span', { class: 'k' }, label), ' ', el('span', { class: 'v' }, text)])));
}

/** `#/history`, optionally filtered to tool `filter`. Returns the leave hook. */
export function historyPage(tools, { filter = null } = {}) {
  const titles = new Map(tools.map((t) => [t.id, t.title]));
  const titleOf = (id) => titles.get(id) ?? id;
  const select = el('select', { id: 'history-tool' }, [
    el('option', { value: '' }, 'All tools'),
    ...tools.map((t) => el('option', { value: t.id, selected: t.id === filter }, t.title)),
  ]);
  const exportButton = el('button', { type: 'button', id: 'history-export' }, 'Export history (JSON)');
  const status = el('p', { id: 'history-status', class: 'history-status', role: 'status', 'aria-live': 'polite' });
  const body = el('tbody');
  const table = el('table', { id: 'history', class: 'data-table history' }, [
    el('caption', { class: 'visually-hidden' }, 'Runs, newest first'),
    el('thead', {}, el('tr', {}, ['Run', 'Time', 'Tool', 'Who', 'Duration', 'Key results', 'Warnings', 'Actions']
      .map((h) => el('th', { scope: 'col' }, h)))),
    body,
  ]);
  const empty = el('p', { id: 'history-empty', class: 'empty', hidden: true },
    filter ? `No runs of ${titleOf(filter)} yet.` : 'No runs yet: run a tool and it appears here for everyone connected.');
  const more = el('button', { type: 'button', id: 'history-more', hidden: true }, 'Load more');
  let loading = 0;

  const say = (message, isError = false) => {
    status.textContent = message;
    status.classList.toggle('error', isError);
  };

  function row(run) {
    const what = `${titleOf(run.tool)}, ${formatTime(run.created_at_ms)}`;
    const del = el('button', {
      type: 'button', class: 'small danger', 'data-delete-run': run.id, 'aria-label': `Delete run #${run.id}`, hidden: !canModify(),
    }, 'Delete');
    del.addEventListener('click', async () => {
      if (await confirmDelete(run.id, what, say)) removeRow(run.id, true);
    });
    return el('tr', { 'data-run-id': run.id, 'data-tool': run.tool }, [
      el('td', { class: 'num' }, `#${run.id}`),
      el('td', {}, timeElement(run.created_at_ms)),
      el('td', {}, titleOf(run.tool)),
      el('td', {}, whoText(run)),
      el('td', { class: 'num' }, formatDuration(run.duration_ms)),
      scalarsCell(run.scalars),
      el('td', { class: `num${run.warning_count ? ' has-warnings' : ''}` }, String(run.warning_count)),
      el('td', {}, el('div', { class: 'row-actions' }, [
        el('a', { href: `#/run/${run.id}`, class: 'button-link small', 'aria-label': `Open run #${run.id}` }, 'Open'),
        del,
      ])),
    ]);
  }

  const rowOf = (id) => body.querySelector(`tr[data-run-id="${Number(id)}"]`);

  function refreshEmpty() {
    const none = body.rows.length === 0;
    empty.hidden = !none || loading > 0;
    table.hidden = none;
  }

  function removeRow(id, keepFocus) {
    const tr = rowOf(id);
    if (!tr) return;
    const next = tr.nextElementSibling ?? tr.previousElementSibling;
    const hadFocus = tr.contains(document.activeElement);
    tr.remove();
    if (keepFocus || hadFocus) (next?.querySelector('a') ?? select).focus();
    refreshEmpty();
  }

  async function load(before = null) {
    loading += 1;
    more.disabled = true;
    try {
      const page = await listRuns({ tool: filter, limit: PAGE, before });
      if (before === null) body.replaceChildren();
      for (const run of page) if (!rowOf(run.id)) body.append(row(run));
      more.hidden = page.length < PAGE;
      if (before === null) say('');
    } catch (e) {
      say(`Cannot load the history: ${e.message}`, true);
    } finally {
      loading -= 1;
      more.disabled = false;
      refreshEmpty();
    }
  }

  select.addEventListener('change', () => {
    location.hash = select.value ? `#/history?tool=${encodeURIComponent(select.value)}` : '#/history';
  });
  more.addEventListener('click', () => load(Number(body.lastElementChild?.dataset.runId ?? 0) || null));
  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    try {
      const runs = await exportRuns();
      downloadJson(runs, 'cristallo-history');
      say(`Exported ${runs.length} run(s).`);
    } catch (e) {
      say(`Cannot export the history: ${e.message}`, true);
    } finally {
      exportButton.disabled = false;
    }
  });

  let wasDown = false;
  const stopLive = onLive((event) => {
    switch (event.type) {
      case 'run_added': {
        const run = event.run;
        if ((filter && run.tool !== filter) || rowOf(run.id)) return;
        const tr = row(run);
        tr.classList.add('fresh');
        body.prepend(tr);
        refreshEmpty();
        say(`New run #${run.id}: ${titleOf(run.tool)} by ${whoText(run)}.`);
        break;
      }
      case 'run_deleted':
        removeRow(event.id, false);
        break;
      case 'lagged':
        load();
        break;
      case 'session':
        for (const b of body.querySelectorAll('button[data-delete-run]')) b.hidden = !canModify();
        break;
      case 'connection':
        // Events missed while the stream was down: read the list again.
        if (event.state === 'live' && wasDown) load();
        wasDown = event.state !== 'live';
        break;
      default:
    }
  });

  show('History',
    heading('History'),
    el('p', { class: 'page-intro' }, 'Every run on this twin, by anyone connected, newest first. New runs appear here live.'),
    el('div', { class: 'toolbar' }, [
      el('label', { for: 'history-tool' }, 'Tool'), select, exportButton,
    ]),
    status,
    el('div', { class: 'table-scroll' }, table),
    empty,
    more);
  table.hidden = true;
  load();
  return stopLive;
}

/** `#/run/{id}`: a stored run, read-only. Returns the leave hook. */
export function runPage(tools, id) {
  let releasePlots = null;
  let stopLive = () => {};
  let left = false;
  show(`Run #${id}`, heading(`Run #${id}`), el('p', { class: 'loading' }, 'Loading the run…'));
  getRun(id).then((record) => {
    if (left) return;
    const tool = tools.find((t) => t.id === record.tool);
    const title = tool?.title ?? record.tool;
    const gone = el('p', { id: 'run-gone', class: 'page-error', role: 'alert', hidden: true },
      'This run was just deleted from the history; what you see is no longer stored.');
    const say = el('p', { class: 'history-status', role: 'status', 'aria-live': 'polite' });
    const actions = el('p', { class: 'run-actions' }, [
      tool ? el('a', { id: 'rerun', class: 'button-link', href: `#/tool/${encodeURIComponent(record.tool)}?run=${record.id}` },
        'Re-run with these parameters') : null,
      el('a', { href: `#/history?tool=${encodeURIComponent(record.tool)}` }, `All runs of ${title}`),
    ]);
    const del = el('button', {
      type: 'button', id: 'delete-run', class: 'danger', 'data-delete-run': record.id, hidden: !canModify(),
    }, 'Delete this run');
    del.addEventListener('click', async () => {
      const ok = await confirmDelete(record.id, title, (m, isError) => {
        say.textContent = m;
        say.classList.toggle('error', Boolean(isError));
      });
      if (ok) location.hash = '#/history';
    });
    actions.append(del);
    const result = el('section', { id: 'result', class: 'result', 'aria-label': 'Result', 'data-state': 'done' });
    const warnings = record.warning_count ? `, ${record.warning_count} warning(s)` : '';
    show(`Run #${record.id} · ${title}`,
      el('p', { class: 'crumbs' }, [el('a', { href: '#/history' }, 'History'), ` › run #${record.id}`]),
      heading(`${title} · run #${record.id}`),
      el('p', { class: 'run-meta', id: 'run-meta' }, ['Run by ', el('strong', {}, whoText(record)), ' on ',
        timeElement(record.created_at_ms), `, took ${formatDuration(record.duration_ms)}${warnings}.`]),
      gone, actions, say, result);
    releasePlots = renderResult(result, record.result, { runId: record.id });
    stopLive = onLive((event) => {
      if (event.type === 'run_deleted' && event.id === record.id) {
        gone.hidden = false;
        del.hidden = true;
      }
      if (event.type === 'session') del.hidden = !gone.hidden || !canModify();
    });
  }).catch((e) => {
    if (left) return;
    show(`Run #${id}`, heading(`Run #${id}`),
      failure(`Cannot show run #${id}: ${e.message}`, el('a', { href: '#/history' }, 'Back to the history')));
  });
  return () => {
    left = true;
    stopLive();
    releasePlots?.();
  };
}

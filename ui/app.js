// Start-up and hash router: `#/` tools by category, `#/tool/{id}[?run=N][?profile=ID]` a tool
// (form filled from run N, or with saved profile ID picked), `#/history[?tool=ID]`, `#/run/{id}`
// a stored run, `#/profiles` (hub), `#/profiles/compare`, `#/profiles/{id}` one profile,
// `#/share` (host), `#/settings`. The header
// shows the pages, who you are, whether the live stream is connected and who is online.

import './locale.js';
import { comparePage } from './compare.js';
import { el } from './dom.js';
import { historyPage, runPage } from './history.js';
import { live, onLive, startLive } from './live.js';
import { failure, heading, setTwinName, show } from './page.js';
import { profilesPage } from './profiles.js';
import { profileViewPage } from './profileview.js';
import { settingsPage } from './settings.js';
import { sharePage } from './share.js';
import { toolPage } from './tool.js';
import { listTools, session, twinDescription, whenSignedOut } from './transport.js';
import { twinPanel } from './twin.js';
import { applyTheme } from './units.js';

let leaveView = null;
let catalogue = null;
let twin = null;
let signedOut = false;
let stopLive = () => {};

function tools() {
  catalogue ??= listTools().catch((e) => {
    catalogue = null;
    throw e;
  });
  return catalogue;
}

/** The home page: the twin (drawing, sensors, key figures) with its tools around it. */
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
  const twinBox = el('div', { class: 'twin-slot' });
  show('', el('div', { class: 'home' }, [
    twinBox,
    el('div', { class: 'home-tools' }, [heading('Tools'), list.length ? el('div', { id: 'tool-list' }, sections)
      : el('p', {}, 'The twin has no tools yet.')]),
  ]));
  twin ??= twinDescription().catch((e) => {
    twin = null;
    throw e;
  });
  twin.then((t) => twinBox.replaceChildren(twinPanel(t)))
    .catch((e) => twinBox.replaceChildren(el('p', { class: 'hint' }, `The twin's description could not be loaded: ${e.message}`)));
}

/** The page a browser without a session sees (no or an expired share link, or revoked). */
function signInPage(message) {
  if (signedOut) return;
  signedOut = true;
  stopLive();
  leaveView?.();
  leaveView = null;
  document.getElementById('app-nav').hidden = true;
  document.getElementById('session-info').hidden = true;
  show('Sign-in needed', heading('Open the share link you were given'),
    el('div', { class: 'panel sign-in', role: 'alert' }, [
      el('p', {}, message),
      el('p', {}, 'This twin is shared on the local network and only opens through its share link, '
        + 'which looks like http://…/?token=…. Open that link again, or ask the host of the twin '
        + 'for a new one if it stopped working.'),
    ]));
}

// ---- header -------------------------------------------------------------------------------

const LIVE_TEXT = { live: 'live', connecting: 'connecting…', closed: 'offline' };

function renderHeader() {
  const me = live.me;
  document.querySelector('[data-nav="share"]').hidden = me.role !== 'host';
  const access = me.role === 'host' ? 'host' : `guest, ${me.can_modify ? 'full access' : 'read-only'}`;
  document.getElementById('whoami').textContent = me.name === me.role ? access : `${me.name} (${access})`;
  const dot = document.getElementById('live-status');
  dot.dataset.state = live.connection;
  dot.lastChild.textContent = LIVE_TEXT[live.connection];
  dot.title = live.connection === 'live'
    ? 'Connected: new runs of others appear without reloading' : 'Not connected to the live updates';
  const users = document.getElementById('users-online');
  const online = (live.users ?? []).filter((u) => u.live_streams > 0);
  users.hidden = !me.sharing || live.users === null;
  users.textContent = `${online.length} online`;
  users.title = online.map((u) => `${u.name} (${u.role})`).join(', ');
}

function markNav(hash) {
  const page = hash.startsWith('#/history') || hash.startsWith('#/run/') ? 'history'
    : hash.startsWith('#/share') ? 'share' : hash.startsWith('#/settings') ? 'settings'
      : hash.startsWith('#/profiles') ? 'profiles' : 'tools';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// ---- router -------------------------------------------------------------------------------

async function route() {
  if (signedOut) return;
  leaveView?.();
  leaveView = null;
  const hash = location.hash || '#/';
  markNav(hash);
  const [path, query = ''] = hash.split('?');
  const q = new URLSearchParams(query);
  const toolMatch = /^#\/tool\/([^/]+)$/.exec(path);
  const runMatch = /^#\/run\/(\d+)$/.exec(path);
  const profileMatch = /^#\/profiles\/([^/]+)$/.exec(path);
  const known = toolMatch || runMatch || profileMatch
    || ['#/', '#', '#/history', '#/share', '#/settings', '#/profiles'].includes(path);
  if (!known) {
    show('Not found', heading('Page not found'), failure(`There is no page '${hash}'.`));
    return;
  }
  if (path === '#/share') {
    leaveView = sharePage();
    return;
  }
  if (path === '#/profiles') {
    leaveView = profilesPage();
    return;
  }
  if (profileMatch && profileMatch[1] !== 'compare') {
    leaveView = profileViewPage(decodeURIComponent(profileMatch[1]));
    return;
  }
  if (path === '#/settings') {
    settingsPage(live.me);
    return;
  }
  let list;
  try {
    list = await tools();
  } catch (e) {
    if (e.status !== 401) show('Error', heading('Cannot load the tools'), failure(e.message));
    return;
  }
  if (hash !== (location.hash || '#/') || signedOut) return; // moved on meanwhile
  if (path === '#/history') {
    leaveView = historyPage(list, { filter: q.get('tool') || null });
  } else if (profileMatch) {
    leaveView = comparePage(list);
  } else if (runMatch) {
    leaveView = runPage(list, Number(runMatch[1]));
  } else if (toolMatch) {
    const id = decodeURIComponent(toolMatch[1]);
    const tool = list.find((t) => t.id === id);
    if (!tool) {
      show('Unknown tool', heading('Unknown tool'), failure(`The twin has no tool '${id}'.`));
      return;
    }
    const fromRun = /^\d+$/.test(q.get('run') ?? '') ? Number(q.get('run')) : null;
    leaveView = toolPage(tool, { fromRun, profile: q.get('profile') || null });
  } else {
    homePage(list);
  }
}

async function start() {
  whenSignedOut(() => signInPage(live.me
    ? 'Your access to this twin has ended: the host revoked it or stopped sharing.'
    : 'This browser is not signed in to the twin.'));
  let me;
  try {
    me = await session();
  } catch (e) {
    if (e.status !== 401) show('Error', heading('Cannot reach the twin'), failure(e.message, null));
    return;
  }
  setTwinName(me.twin_name);
  stopLive = startLive(me);
  onLive(renderHeader);
  renderHeader();
  document.getElementById('app-nav').hidden = false;
  document.getElementById('session-info').hidden = false;
  window.addEventListener('hashchange', route);
  route();
}

applyTheme();
window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => applyTheme());
start();

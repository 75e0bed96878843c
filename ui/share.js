// `#/share` (host only): the guest link with its QR code, a new link, what guests may do, the
// connected sessions with Revoke (live), and in the desktop app the "Share on LAN" switch and
// the discovery of other shared twins (docs/platform.md §5).

import { el } from './dom.js';
import { live, onLive } from './live.js';
import { failure, heading, show, timeElement } from './page.js';
import {
  discoverPeers, isDesktop, loadSettings, openExternal, revokeSession, rotateToken, setGuestAccess, shareStart,
  shareStatus, shareStop,
} from './transport.js';

const DISCOVER_SECONDS = 3;

function field(label, control, hint) {
  return el('div', { class: 'field' }, [el('label', { for: control.id }, label), control, hint && el('p', { class: 'hint' }, hint)]);
}

/** The LAN switch, interface and port of the desktop app. */
function lanSwitch(say, apply) {
  const toggle = el('input', { type: 'checkbox', id: 'share-toggle', role: 'switch' });
  const iface = el('select', { id: 'share-interface' });
  const port = el('input', { type: 'number', id: 'share-port', min: 0, max: 65535, step: 1, value: 0, inputmode: 'numeric' });
  const box = el('fieldset', { class: 'panel share-switch' }, [
    el('legend', {}, 'Share on LAN'),
    el('div', { class: 'check-row' }, [toggle, el('label', { for: 'share-toggle' }, 'Share this twin on the local network')]),
    el('div', { class: 'share-bind' }, [
      field('Network interface', iface),
      field('Port', port, '0 = any free port'),
    ]),
  ]);
  toggle.addEventListener('change', async () => {
    const on = toggle.checked;
    const p = Number(port.value);
    if (on && (!Number.isInteger(p) || p < 0 || p > 65535)) {
      toggle.checked = false;
      say('The port must be a whole number from 0 to 65535.', true);
      port.focus();
      return;
    }
    if (on && !iface.value) {
      toggle.checked = false;
      say('There is no network interface to share on.', true);
      return;
    }
    toggle.disabled = true;
    say(on ? 'Starting to share…' : 'Stopping…');
    try {
      if (on) apply(await shareStart(iface.value, p));
      else {
        await shareStop();
        apply(await shareStatus());
      }
      say(on ? 'Shared on the local network.' : 'Sharing stopped; the guest link no longer works.');
    } catch (e) {
      say(`Cannot ${on ? 'start' : 'stop'} sharing: ${e.message}`, true);
      apply(await shareStatus().catch(() => null));
    } finally {
      toggle.disabled = false;
    }
  });
  // The interface and port saved on the Settings page, offered until the user changes them.
  let defaults = null;
  let lastStatus = null;
  let prefilled = false;
  const self = {
    box,
    update(status) {
      lastStatus = status;
      toggle.checked = status.enabled;
      iface.disabled = status.enabled;
      port.disabled = status.enabled;
      const chosen = iface.value;
      iface.replaceChildren(...status.interfaces.map((i) =>
        el('option', { value: i.ip, selected: i.ip === chosen }, `${i.name} — ${i.ip}`)));
      if (status.enabled && status.url) {
        const current = new URL(status.url);
        const host = current.hostname;
        if (status.interfaces.some((i) => i.ip === host)) iface.value = host;
        port.value = current.port;
      } else if (defaults && !prefilled) {
        prefilled = true;
        if (status.interfaces.some((i) => i.ip === defaults.share_interface)) iface.value = defaults.share_interface;
        port.value = String(defaults.share_port);
      }
    },
  };
  loadSettings().then((s) => {
    defaults = s;
    if (lastStatus) self.update(lastStatus);
  }).catch(() => {});
  return self;
}

function sessionsTable(me, say) {
  const body = el('tbody');
  const empty = el('p', { class: 'empty', id: 'sessions-empty' }, 'Nobody has opened the link yet.');
  const table = el('table', { id: 'sessions', class: 'data-table' }, [
    el('caption', {}, 'Connected'),
    el('thead', {}, el('tr', {}, ['Name', 'Role', 'Address', 'Since', 'Status', 'Action'].map((h) => el('th', { scope: 'col' }, h)))),
    body,
  ]);
  return {
    box: el('div', { class: 'table-scroll' }, [table, empty]),
    update(sessions) {
      body.replaceChildren(...sessions.map((s) => {
        const self = s.id === me.session_id;
        const revoke = self ? el('span', { class: 'muted' }, 'you') : el('button', {
          type: 'button', class: 'small danger', 'data-revoke': s.id, 'aria-label': `Revoke ${s.name}`,
        }, 'Revoke');
        if (!self) {
          revoke.addEventListener('click', async () => {
            if (!window.confirm(`Revoke ${s.name} (${s.peer})? Their browser loses access at once; they need the link again to come back.`)) return;
            revoke.disabled = true;
            try {
              await revokeSession(s.id);
              say(`${s.name} was revoked.`);
            } catch (e) {
              revoke.disabled = false;
              say(`Cannot revoke ${s.name}: ${e.message}`, true);
            }
          });
        }
        return el('tr', { 'data-session': s.id }, [
          el('td', {}, s.name),
          el('td', {}, s.role),
          el('td', {}, s.peer),
          el('td', {}, timeElement(s.connected_at_ms)),
          el('td', {}, s.live_streams > 0 ? 'online' : 'idle'),
          el('td', {}, revoke),
        ]);
      }));
      table.hidden = sessions.length === 0;
      empty.hidden = sessions.length > 0;
    },
  };
}

function discovery() {
  const button = el('button', { type: 'button', id: 'discover' }, 'Search the network');
  const list = el('ul', { id: 'peers', class: 'peers', 'aria-label': 'Twins found' });
  const note = el('p', { class: 'discover-status', role: 'status', 'aria-live': 'polite' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    note.textContent = `Looking for shared twins for ${DISCOVER_SECONDS} s…`;
    try {
      const peers = await discoverPeers(DISCOVER_SECONDS);
      list.replaceChildren(...peers.map((p) => {
        const open = el('button', { type: 'button', class: 'small', 'data-open-peer': p.url, 'aria-label': `Open ${p.name}` }, 'Open');
        open.addEventListener('click', () => openExternal(p.url).catch((e) => {
          note.textContent = `Cannot open ${p.url}: ${e.message ?? e}`;
        }));
        return el('li', { 'data-peer': p.name }, [
          el('span', { class: 'peer-name' }, p.twin || p.name),
          el('span', { class: 'muted' }, ` ${p.host}:${p.port} · version ${p.version}`),
          open,
        ]);
      }));
      note.textContent = peers.length ? `Found ${peers.length} twin(s).` : 'No shared twin answered.';
    } catch (e) {
      note.textContent = `Discovery failed: ${e.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return el('section', { class: 'panel', 'aria-labelledby': 'discover-title' }, [
    el('h3', { id: 'discover-title' }, 'Find twins on the network'),
    el('p', { class: 'hint' }, 'Twins others share on this network. To use one you still need its share link (with its token) from its host: opening it without the link shows a sign-in page.'),
    button, note, list,
  ]);
}

/** `#/share`. Returns the leave hook. */
export function sharePage() {
  const me = live.me;
  if (me.role !== 'host') {
    show('Share', heading('Share'), failure('Only the host of this twin can manage sharing.'));
    return null;
  }
  const status = el('p', { id: 'share-status', class: 'history-status', role: 'status', 'aria-live': 'polite' });
  const say = (message, isError = false) => {
    status.textContent = message;
    status.classList.toggle('error', isError);
  };
  const url = el('input', { id: 'share-url', type: 'text', readonly: true, spellcheck: 'false', class: 'share-url' });
  const copy = el('button', { type: 'button', id: 'share-copy' }, 'Copy');
  const rotate = el('button', { type: 'button', id: 'share-rotate' }, 'New link');
  const qr = el('figure', { id: 'share-qr', class: 'share-qr' });
  const radios = ['read_only', 'full'].map((value) => el('input', {
    type: 'radio', name: 'guest-access', id: `guest-access-${value}`, value,
  }));
  const sessions = sessionsTable(me, say);
  const lan = isDesktop() ? lanSwitch(say, (s) => s && apply(s)) : null;
  const off = el('p', { id: 'share-off', class: 'empty' }, isDesktop()
    ? 'Not shared: turn on "Share on LAN" to get a link for others.'
    : 'This twin is not shared. Start it with `cristallo serve --share` to get a guest link.');
  const on = el('div', { class: 'share-on' }, [
    el('section', { class: 'panel share-link', 'aria-labelledby': 'share-link-title' }, [
      el('h3', { id: 'share-link-title' }, 'Guest link'),
      el('div', { class: 'share-link-grid' }, [
        el('div', {}, [
          el('label', { for: 'share-url' }, 'Link for guests'),
          el('div', { class: 'url-row' }, [url, copy, rotate]),
          el('p', { class: 'secret-note' }, ['The link carries a secret token: anyone who has it can use this twin as a guest. ',
            'Give it only to people you trust, in person or over a private channel. ',
            '"New link" makes the old one stop working and signs out every guest connected with it.']),
        ]),
        qr,
      ]),
    ]),
    el('fieldset', { class: 'panel guest-access' }, [
      el('legend', {}, 'What guests may do'),
      el('div', { class: 'check-row' }, [radios[0], el('label', { for: radios[0].id }, 'Read-only: run tools and see every result')]),
      el('div', { class: 'check-row' }, [radios[1], el('label', { for: radios[1].id }, 'Full: also delete history entries and run heavy tools')]),
    ]),
    el('section', { class: 'panel', 'aria-label': 'Connected sessions' }, sessions.box),
  ]);

  function apply(s) {
    lan?.update(s);
    on.hidden = !s.enabled;
    off.hidden = s.enabled;
    url.value = s.url ?? '';
    qr.replaceChildren(...(s.qr_svg ? [
      el('img', { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(s.qr_svg)}`, alt: 'QR code of the guest link', width: 200, height: 200 }),
      el('figcaption', {}, 'Scan to open the guest link'),
    ] : []));
    for (const r of radios) r.checked = r.value === s.guest_access;
    sessions.update(s.sessions);
  }

  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(url.value);
    } catch {
      // No clipboard API outside secure contexts: select the text for Ctrl+C.
      url.select();
      say('Press Ctrl+C to copy the selected link.');
      return;
    }
    say('Link copied.');
  });
  rotate.addEventListener('click', async () => {
    if (!window.confirm('Make a new guest link? The current link stops working at once and connected guests are signed out.')) return;
    try {
      apply(await rotateToken());
      say('New link made; the old one no longer works.');
    } catch (e) {
      say(`Cannot make a new link: ${e.message}`, true);
    }
  });
  for (const r of radios) {
    r.addEventListener('change', async () => {
      try {
        apply(await setGuestAccess(r.value));
        say(r.value === 'full' ? 'Guests now have full access.' : 'Guests are now read-only.');
      } catch (e) {
        say(`Cannot change the guest access: ${e.message}`, true);
      }
    });
  }

  const stopLive = onLive((event) => {
    if (event.type === 'users') sessions.update(event.users);
    if (event.type === 'sharing') shareStatus().then(apply, () => {});
  });

  show('Share', heading('Share on the local network'),
    el('p', { class: 'page-intro' }, 'People on the same network can open this twin in a browser, run tools and see the shared history live.'),
    status, lan?.box, off, on, isDesktop() ? discovery() : null);
  on.hidden = true;
  off.hidden = true;
  shareStatus().then(apply, (e) => say(`Cannot read the share status: ${e.message}`, true));
  return stopLive;
}

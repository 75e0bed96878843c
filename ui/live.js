// Who this client is and the shared live events (docs/platform.md §5 "Multi-user"), for every page:
// pages register with `onLive` and get the server events (run_added, run_deleted, users,
// sharing, lagged) plus `session` (the session was re-read, e.g. the guest access changed)
// and `connection` (the stream went live, is reconnecting or was refused).

import { session, shareStatus, subscribe } from './transport.js';

const listeners = new Set();

/** me: the session; users: the connected sessions (null until known); connection state. */
export const live = { me: null, users: null, connection: 'connecting' };

/** Calls `fn(event)` for every live event; returns the function that stops it. */
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit(event) {
  for (const fn of [...listeners]) fn(event);
}

// Failures are left to transport's sign-out hook (401) or the next attempt.

/** The host learns who is connected at once; guests with the next `users` event. */
function loadUsers() {
  if (live.me.role !== 'host' || !live.me.sharing) return;
  shareStatus().then((s) => {
    live.users = s.sessions;
    emit({ type: 'users', users: live.users });
  }, () => {});
}

function reloadSession() {
  session().then((me) => {
    live.me = me;
    emit({ type: 'session' });
    loadUsers();
  }, () => {});
}

/** Starts following the events for `me`; returns the function that stops it. */
export function startLive(me) {
  live.me = me;
  loadUsers();
  return subscribe((event) => {
    if (event.type === 'users') live.users = event.users;
    emit(event);
    if (event.type === 'sharing') reloadSession();
  }, (state) => {
    live.connection = state;
    emit({ type: 'connection', state });
    if (state === 'closed') reloadSession();
  });
}

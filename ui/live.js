// Who this client is and the shared live events (platform.md §5 "Multi-user"), for every page:
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

async function reloadSession(onSignedOut) {
  try {
    live.me = await session();
    emit({ type: 'session' });
  } catch (e) {
    if (e.status === 401) onSignedOut();
  }
}

/** Starts following the events for `me`; `onSignedOut()` when the session ends (revoked). */
export function startLive(me, { onSignedOut }) {
  live.me = me;
  if (me.role === 'host' && me.sharing) {
    shareStatus().then((s) => {
      live.users ??= s.sessions;
      emit({ type: 'users', users: live.users });
    }, () => {});
  }
  subscribe((event) => {
    if (event.type === 'users') live.users = event.users;
    emit(event);
    if (event.type === 'sharing') reloadSession(onSignedOut);
  }, (state) => {
    live.connection = state;
    emit({ type: 'connection', state });
    if (state === 'closed') reloadSession(onSignedOut);
  });
}

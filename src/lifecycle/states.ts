/**
 * The client's states and every legal move between them, on one screen.
 *
 *            connect               handshake-done
 *   idle ───────────► connecting ─────────────────► ready ◄──────────────┐
 *                      │  ▲ retry/timer    give-up    │ socket-died,      │ handshake-done
 *                      │  │               ┌──────────┐ │ retire            │
 *                      │  └──────┘       ┌────────────┘                   │
 *                      │ give-up         ▼                                │
 *                      └──────────► failed ◄── give-up ── reconnecting ───┘
 *                                     │ connect               ▲ │ retry/timer
 *                                     └──► connecting         └─┘
 *   any state ── close ──► closing ── drained ──► closed;  any state ── destroy ──► closed
 */
export type State = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'failed' | 'closing' | 'closed';

export type LifecycleEvent =
  | 'connect' // the user called connect() (or issued a command while idle)
  | 'handshake-done' // a connection attempt succeeded: socket, TLS, handshake, restore
  | 'retry' // an attempt failed and the policy says try again (after a delay)
  | 'timer' // the backoff delay passed: start the next attempt
  | 'give-up' // an attempt failed and the policy says stop
  | 'socket-died' // the ready connection died
  | 'retire' // the server behind the ready connection is being replaced (a failover): stop sending to it
  | 'close' // the user called close()
  | 'drained' // closing finished: nothing left in flight
  | 'destroy'; // the user called destroy()

export const TRANSITIONS: Readonly<Record<State, Readonly<Partial<Record<LifecycleEvent, State>>>>> = {
  idle: { connect: 'connecting', close: 'closed', destroy: 'closed' },
  connecting: {
    'handshake-done': 'ready',
    retry: 'connecting',
    timer: 'connecting',
    'give-up': 'failed',
    close: 'closing',
    destroy: 'closed',
  },
  ready: { 'socket-died': 'reconnecting', retire: 'reconnecting', close: 'closing', destroy: 'closed' },
  reconnecting: {
    'handshake-done': 'ready',
    retry: 'reconnecting',
    timer: 'reconnecting',
    'give-up': 'failed',
    close: 'closing',
    destroy: 'closed',
  },
  failed: { connect: 'connecting', close: 'closed', destroy: 'closed' },
  closing: { drained: 'closed', 'socket-died': 'closing', destroy: 'closed' },
  closed: {},
};

/** The state that `event` leads to from `from`, or undefined when the move is not legal. */
export function nextState(from: State, event: LifecycleEvent): State | undefined {
  return TRANSITIONS[from][event];
}

/** The states in which the client will send commands again without the user doing anything. */
export function isRecovering(state: State): boolean {
  return state === 'connecting' || state === 'reconnecting';
}

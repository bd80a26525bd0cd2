import { ConnectionError, type FailureKind } from '../errors';
import { CONFIGURATION_KINDS } from './classify';

export type Phase = 'initial' | 'runtime';
export type Decision = 'retry' | 'fail';

/** What the user hook sees for each failure. */
export interface FailureInfo {
  error: ConnectionError;
  kind: FailureKind;
  phase: Phase;
  /** Attempts made since the connection was last stable (1 = the first one failed). */
  attempt: number;
}

export type FailureHook = (info: FailureInfo) => Decision | undefined;

/**
 * The default policy, the table of DESIGN.md:
 *   initial phase (never ready): configuration kinds fail at once, transient kinds retry until
 *     reconnect.initialTimeoutMs; with onInitialFailure 'retry' everything retries.
 *   runtime phase (was ready once): everything retries, until reconnect.maxAttempts.
 * Deadlines and attempt limits are applied by the lifecycle on top of this answer.
 */
export function defaultDecision(kind: FailureKind, phase: Phase, onInitialFailure: 'fail-fast' | 'retry'): Decision {
  if (phase === 'runtime' || onInitialFailure === 'retry') return 'retry';
  return CONFIGURATION_KINDS.has(kind) ? 'fail' : 'retry';
}

/** The whole default table, for docs and tests. */
export function policyTable(): Record<FailureKind, Record<Phase, Decision>> {
  const kinds: FailureKind[] = [
    'network',
    'protected-mode',
    'auth',
    'tls',
    'loading',
    'protocol',
    'health',
    'handshake',
    'readonly',
  ];
  const table = {} as Record<FailureKind, Record<Phase, Decision>>;
  for (const kind of kinds) {
    table[kind] = {
      initial: defaultDecision(kind, 'initial', 'fail-fast'),
      runtime: defaultDecision(kind, 'runtime', 'fail-fast'),
    };
  }
  return table;
}

/**
 * The error connect() rejects with when transient failures were retried until
 * reconnect.initialTimeoutMs: the last attempt's error alone ("nothing accepts connections")
 * hides that the client already waited, and which option bounds the wait. Kind and code are the
 * last attempt's, so code that matches on them keeps working; that error is the `cause`.
 */
export function initialGiveUpError(
  last: ConnectionError,
  attempts: number,
  elapsedMs: number,
  initialTimeoutMs: number,
  onInitialFailure: 'fail-fast' | 'retry',
): ConnectionError {
  const longer =
    onInitialFailure === 'retry'
      ? 'raise reconnect.initialTimeoutMs (Infinity: wait as long as it takes)'
      : "raise reconnect.initialTimeoutMs, or set reconnect: { onInitialFailure: 'retry' } (no deadline) for a service that may start before its Redis";
  return new ConnectionError(
    last.kind,
    `connect() gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${(elapsedMs / 1000).toFixed(1)} s ` +
      `(reconnect.initialTimeoutMs: ${initialTimeoutMs} ms); the last one failed: ${last.message.replace(/\.$/, '')}. To wait longer, ${longer}.`,
    { cause: last, code: last.code },
  );
}

import {
  AuthError,
  ConnectionError,
  ProtectedModeError,
  ProtocolError,
  ReplyError,
  RomaineError,
  type FailureKind,
} from '../errors';
import { AttemptFailure } from '../connection/connection';
import { diagnoseTls, tlsPortDiagnosis, type TlsDiagnosis } from '../transport/tls-failure';

const NETWORK_HINTS: Record<string, string> = {
  ECONNREFUSED: 'nothing accepts connections there: is the server running, and on this port?',
  ECONNRESET: 'the connection was reset by the peer',
  EPIPE: 'the peer closed the connection while we were writing',
  ETIMEDOUT: 'the network timed out',
  EHOSTUNREACH: 'the host is unreachable from here',
  ENETUNREACH: 'the network is unreachable from here',
  ENOTFOUND: 'the host name did not resolve (check the spelling and DNS)',
  EAI_AGAIN: 'the host name could not be resolved right now (DNS is not answering)',
  ENOENT: 'no Unix socket exists at that path',
  EACCES: 'permission denied (for a Unix socket, check its file permissions)',
  EADDRNOTAVAIL: 'the address is not available on this machine',
};

export interface ClassifyContext {
  endpoint: string;
  /** Whether a password was sent, to tell "wrong password" from "password missing". */
  sentPassword: boolean;
}

/** One line saying what is wrong and what to fix; OpenSSL's multi-line text stays in `cause`. */
export function tlsError(endpoint: string, d: TlsDiagnosis, cause: unknown): ConnectionError {
  return new ConnectionError('tls', `TLS with ${endpoint} failed: ${d.what}. Fix: ${d.fix}.`, { cause });
}

/**
 * Turns whatever ended a connection attempt or a connection into a ConnectionError of one kind.
 * Server answers are recognised by their error code (DENIED, WRONGPASS, NOAUTH, NOPERM, LOADING),
 * never by searching message text for words — except the two legacy AUTH messages that Redis
 * sends with the generic ERR code.
 */
export function classifyFailure(raw: unknown, ctx: ClassifyContext): ConnectionError {
  let cause = raw;
  let endpoint = ctx.endpoint;
  if (raw instanceof AttemptFailure) {
    cause = raw.cause;
    endpoint = raw.endpoint;
    if (raw.portSpeaksTls) {
      const d = tlsPortDiagnosis(
        'it closed the plain-text handshake without a word, and a TLS handshake on it succeeds',
      );
      return tlsError(endpoint, d, cause);
    }
  }
  if (cause instanceof ConnectionError) return cause;
  if (cause instanceof ReplyError) return classifyReply(cause, endpoint, ctx.sentPassword);
  if (cause instanceof ProtocolError) {
    // A TLS record where RESP was expected: a plain-text client on a TLS port.
    if (cause.looksLikeTls) return tlsError(endpoint, tlsPortDiagnosis('it answered with a TLS record'), cause);
    return new ConnectionError('protocol', `${endpoint} sent something that is not RESP: ${cause.message}`, { cause });
  }
  if (cause instanceof RomaineError) return new ConnectionError('network', cause.message, { cause });
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  const tls = typeof code === 'string' ? diagnoseTls(code, (cause as { host?: string }).host) : undefined;
  if (tls !== undefined) return tlsError(endpoint, tls, cause);
  const hint = typeof code === 'string' ? NETWORK_HINTS[code] : undefined;
  // A plain-text client on a TLS port: the server resets the handshake before sending a byte.
  const silentReset =
    raw instanceof AttemptFailure && raw.stage === 'handshake' && raw.bytesRead === 0 && code === 'ECONNRESET';
  return new ConnectionError(
    'network',
    `${endpoint}: ${hint !== undefined ? `${hint} (${code as string})` : message}` +
      (silentReset ? ' before answering anything (if this port serves TLS, use rediss://)' : ''),
    { cause },
  );
}

function classifyReply(err: ReplyError, endpoint: string, sentPassword: boolean): ConnectionError {
  switch (err.code) {
    case 'DENIED':
      return withCause(new ProtectedModeError(err.message, endpoint), err);
    case 'WRONGPASS':
      return withCause(
        new AuthError(
          err.message,
          endpoint,
          'The username or password is wrong, or the user is disabled. If the password is being rotated, pass a `credentials` function that returns the current one: it is asked again on every attempt.',
        ),
        err,
      );
    case 'NOAUTH':
      return withCause(
        new AuthError(
          err.message,
          endpoint,
          sentPassword
            ? 'The server asked for authentication that did not succeed.'
            : 'The server requires a password and none was given: set `password` (and `username` for an ACL user) or `credentials`.',
        ),
        err,
      );
    case 'NOPERM':
      return withCause(
        new AuthError(
          err.message,
          endpoint,
          'The user lacks permission for a command the handshake needs (HELLO, SELECT, CLIENT SETNAME): grant it with ACL SETUSER.',
        ),
        err,
      );
    case 'LOADING':
      return new ConnectionError('loading', `${endpoint} is loading its dataset into memory; waiting for it`, {
        cause: err,
      });
    default:
      break;
  }
  if (err.code === 'ERR' && /invalid (username-)?password|called without any password configured/i.test(err.message)) {
    const hint = /without any password configured/i.test(err.message)
      ? 'The server has no password set, but the client sent one: remove it from the client, or set requirepass on the server.'
      : 'The password is wrong.';
    return withCause(new AuthError(err.message, endpoint, hint), err);
  }
  return new ConnectionError('handshake', `${endpoint} refused the connection handshake: ${err.message}`, {
    cause: err,
  });
}

function withCause<E extends ConnectionError>(error: E, cause: unknown): E {
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return error;
}

/** Kinds that mean "the deployment is misconfigured" when they happen before the first ready. */
export const CONFIGURATION_KINDS: ReadonlySet<FailureKind> = new Set<FailureKind>([
  'protected-mode',
  'auth',
  'tls',
  'protocol',
  'handshake',
]);

/**
 * Whether an error reply means the server refused the command without running it, so that it may
 * go to another server with no risk of running twice. `READONLY` is such a refusal: a replica (a
 * primary demoted by a failover) checks it before executing the write. Unlike a reply lost with
 * its socket (ConnectionLostError, `maybeExecuted: true`), the command is known not to have run.
 */
export function refusedUnrun(reply: unknown): boolean {
  return reply instanceof ReplyError && reply.code === 'READONLY';
}

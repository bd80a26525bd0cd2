/**
 * The doctor's connection steps, each timed and judged on its own: name resolution, TCP connect,
 * then (after the TLS step, doctor-tls.ts) HELLO/AUTH. Each step returns its result and,
 * when it succeeded, what the next step needs (an address, a socket, a RESP session).
 */
import { lookup } from 'node:dns/promises';
import * as net from 'node:net';
import { ReplyError } from '../errors';
import { parseHello } from '../connection/handshake';
import type { ServerInfo } from '../connection/handshake';
import { problems } from './doctor-problems';
import { failed, skipped, step, type StepResult } from './doctor-report';
import { RespProbe, type Exchange } from './resp-probe';
import type { Target } from './target';
import { connectSocket, errCode, where, withTimeout } from './doctor-net';
import { speaksTls } from '../transport/tls-probe';
import { diagnoseTls } from '../transport/tls-failure';

/** How long to listen before writing, so that a refusal sent on accept (-DENIED) is heard. */
const LISTEN_FIRST_MS = 60;

export interface Outcome<T> {
  step: StepResult;
  value?: T;
}

function tcpTitle(t: Target): string {
  return t.path !== undefined ? 'socket connect' : 'TCP connect';
}

export async function resolveStep(t: Target): Promise<Outcome<string>> {
  if (t.path !== undefined) return { step: skipped('resolve', 'a Unix socket: nothing to resolve'), value: t.path };
  if (net.isIP(t.host) !== 0) {
    return {
      step: step('resolve', 'ok', `${t.host} is an IP address`, { ms: 0, details: { addresses: [t.host] } }),
      value: t.host,
    };
  }
  const t0 = performance.now();
  try {
    const found = await withTimeout(lookup(t.host, { all: true }), t.timeoutMs, 'ETIMEOUT');
    const ms = performance.now() - t0;
    const addresses = found.map((a) => a.address);
    return {
      step: step(
        'resolve',
        'ok',
        `${t.host} -> ${addresses.slice(0, 3).join(', ')}${addresses.length > 3 ? ', ...' : ''}`,
        {
          ms,
          details: { addresses },
        },
      ),
      value: addresses[0],
    };
  } catch (err) {
    const code = errCode(err);
    return {
      step: failed(
        'resolve',
        performance.now() - t0,
        `${t.host} does not resolve (${code})`,
        problems.notResolved(t.host, code),
      ),
    };
  }
}

export async function tcpStep(t: Target, address: string): Promise<Outcome<net.Socket>> {
  const t0 = performance.now();
  const label =
    t.path !== undefined ? `unix:${t.path}` : `${address.includes(':') ? `[${address}]` : address}:${t.port}`;
  try {
    const socket = await connectSocket(
      t.path !== undefined ? { path: t.path } : { host: address, port: t.port },
      t.timeoutMs,
    );
    return {
      step: step('tcp', 'ok', `connected to ${label}`, { ms: performance.now() - t0, title: tcpTitle(t) }),
      value: socket,
    };
  } catch (err) {
    const ms = performance.now() - t0;
    const code = errCode(err);
    if (t.path !== undefined) {
      const result = failed('tcp', ms, `cannot connect to ${label} (${code})`, problems.noSocket(t.path, code));
      return { step: { ...result, title: tcpTitle(t) } };
    }
    if (code === 'ECONNREFUSED')
      return { step: failed('tcp', ms, `${label} refused the connection`, problems.refused(label)) };
    if (code === 'ETIMEOUT') {
      return {
        step: failed(
          'tcp',
          ms,
          `no answer from ${label} in ${t.timeoutMs} ms`,
          problems.connectTimeout(label, t.timeoutMs),
        ),
      };
    }
    return { step: failed('tcp', ms, `cannot reach ${label} (${code})`, problems.unreachable(label, code)) };
  }
}

export interface Session {
  probe: RespProbe;
  server: ServerInfo;
}

/** HELLO (with AUTH when a password is given) and a PING in one write, after listening briefly. */
export async function handshakeStep(t: Target, socket: net.Socket, address: string): Promise<Outcome<Session>> {
  const t0 = performance.now();
  const probe = new RespProbe(socket);
  const fail = async (summary: string, ex: Exchange | undefined): Promise<Outcome<Session>> => {
    probe.close();
    return { step: await explainSilence(t, address, summary, ex, probe, performance.now() - t0) };
  };
  await probe.listen(LISTEN_FIRST_MS);
  const early = probe.unsolicited.find((r) => r instanceof ReplyError);
  if (early !== undefined) return { step: refusal(t, early, 'HELLO', performance.now() - t0) };
  if (probe.closed !== undefined) return fail('closed before the handshake', undefined);

  const user = t.username ?? 'default';
  const auth = t.password !== undefined ? ['AUTH', user, t.password] : [];
  let protocol: 2 | 3 = t.clientOptions.protocol ?? 3;
  let ex = await probe.exchange([['HELLO', protocol, ...auth, 'SETNAME', 'romaine-doctor'], ['PING']], t.timeoutMs);
  let first = ex.replies[0];
  if (first instanceof ReplyError && first.code === 'NOPROTO' && protocol === 3) {
    protocol = 2;
    ex = await probe.exchange([['HELLO', 2, ...auth, 'SETNAME', 'romaine-doctor'], ['PING']], t.timeoutMs);
    first = ex.replies[0];
  }
  let expected = 2;
  let legacyServer = false;
  if (first instanceof ReplyError && first.code === 'ERR' && /unknown command/i.test(first.message)) {
    // A server before 6.0: RESP2, AUTH with the password alone (or user and password on 6.x ACLs).
    const legacy =
      t.password === undefined ? [] : [['AUTH', ...(t.username === undefined ? [] : [t.username]), t.password]];
    ex = await probe.exchange([...legacy, ['PING']], t.timeoutMs);
    expected = legacy.length + 1;
    legacyServer = true;
  }
  const refused = ex.replies.find((r) => r instanceof ReplyError);
  if (refused !== undefined) {
    probe.close();
    return { step: refusal(t, refused, legacyServer ? 'AUTH' : 'HELLO', performance.now() - t0) };
  }
  if (ex.replies.length < expected) return fail(`no reply to ${legacyServer ? 'AUTH/PING' : 'HELLO'}`, ex);
  const server: ServerInfo = legacyServer ? { version: '', protocol: 2 } : parseHello(ex.replies[0], protocol);
  // The step's time is the handshake's round trip; the listening window before it is in details.
  const ms = ex.ms;
  const who = t.password !== undefined ? `authenticated as ${user}` : 'no password (default user)';
  return {
    step: step('handshake', 'ok', `RESP${server.protocol}, ${who}`, {
      ms,
      details: {
        listenedFirstMs: LISTEN_FIRST_MS,
        protocol: server.protocol,
        user: t.password !== undefined ? user : 'default',
        authenticated: t.password !== undefined,
        clientId: server.id,
      },
    }),
    value: { probe, server },
  };
}

function refusal(t: Target, err: ReplyError, command: string, ms: number): StepResult {
  const msg = t.scrub(err.message);
  switch (err.code) {
    case 'DENIED':
      return failed('handshake', ms, 'DENIED: the server runs in protected mode', problems.protectedMode(msg));
    case 'WRONGPASS':
      return failed(
        'handshake',
        ms,
        'WRONGPASS: the credentials were refused',
        problems.wrongPassword(msg, t.username ?? 'default'),
      );
    case 'NOAUTH':
      return failed('handshake', ms, 'NOAUTH: the server requires a password', problems.passwordNeeded(msg));
    case 'NOPERM':
      return failed('handshake', ms, `NOPERM: the user may not run ${command}`, problems.noPermission(msg, command));
    case 'LOADING':
      return failed('handshake', ms, 'LOADING: the server is loading its dataset', problems.loading());
    default:
      break;
  }
  if (/without any password configured/i.test(err.message)) {
    return failed('handshake', ms, 'the server has no password, but one was given', problems.passwordNotNeeded(msg));
  }
  if (/invalid (username-)?password/i.test(err.message)) {
    return failed(
      'handshake',
      ms,
      'the credentials were refused',
      problems.wrongPassword(msg, t.username ?? 'default'),
    );
  }
  return failed('handshake', ms, `${err.code}: the handshake was refused`, problems.handshakeRefused(msg));
}

/** The server closed, said nothing, or said something that is not RESP: find out which and why. */
async function explainSilence(
  t: Target,
  address: string,
  summary: string,
  ex: Exchange | undefined,
  probe: RespProbe,
  ms: number,
): Promise<StepResult> {
  const protocolError = ex?.protocolError;
  if (protocolError !== undefined && !/TLS record/.test(protocolError.message)) {
    return failed('handshake', ms, 'the answer is not RESP', problems.notResp(where(t), protocolError.message));
  }
  const closed = ex?.closed ?? probe.closed;
  const tlsCause = closed !== undefined ? diagnoseTls(closed) : undefined;
  if (closed !== undefined && tlsCause !== undefined && tlsCause.reason.startsWith('client-certificate')) {
    // TLS 1.3: the server judges the client certificate after our handshake is done, so its
    // refusal arrives as the first thing read on the RESP session.
    const problem = problems.tls(closed, t.host);
    return failed('handshake', ms, problem.what.replace(/\.$/, ''), problem);
  }
  const silent = protocolError !== undefined || (closed !== undefined && probe.bytesRead === 0);
  if (
    silent &&
    t.tls === undefined &&
    t.path === undefined &&
    (await speaksTls(address, t.port, Math.min(2000, t.timeoutMs)))
  ) {
    return failed('handshake', ms, 'the port expects TLS', problems.plainOnTlsPort(where(t)));
  }
  if (ex?.timedOut === true)
    return failed('handshake', ms, `no answer in ${t.timeoutMs} ms`, problems.noAnswer(where(t), t.timeoutMs));
  return failed('handshake', ms, `${summary} (${closed ?? 'closed'})`, problems.silentClose(where(t), closed ?? 'EOF'));
}

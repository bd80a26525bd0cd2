/**
 * Small network helpers of the doctor: a connect with a deadline, and the two questions it asks a
 * port on the side when a handshake goes wrong — "do you answer plain RESP?", "do you speak TLS?".
 */
import * as net from 'node:net';
import { RespProbe } from './resp-probe';
import type { Target } from './target';

export function where(t: Target): string {
  return t.path !== undefined ? `unix:${t.path}` : `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

export function connectSocket(opts: net.NetConnectOpts, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(opts);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      // Whoever reads the socket next listens for errors itself; this keeps a late one from throwing.
      socket.on('error', () => undefined);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

export function errCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message : String(err);
}

/** Does host:port answer a plain-text PING with RESP? (+PONG, -NOAUTH, -DENIED all count.) */
export async function speaksPlainResp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  let socket: net.Socket;
  try {
    socket = await connectSocket({ host, port }, timeoutMs);
  } catch {
    return false;
  }
  const probe = new RespProbe(socket);
  try {
    const ex = await probe.exchange([['PING']], timeoutMs);
    const answers = [...probe.unsolicited, ...ex.replies];
    return answers.length > 0 && ex.protocolError === undefined;
  } finally {
    probe.close();
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, code: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

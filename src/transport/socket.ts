import * as net from 'node:net';
import * as tls from 'node:tls';
import { ConnectionError } from '../errors';

/** Where a server is: TCP (optionally TLS) or a Unix socket. */
export interface Endpoint {
  host: string;
  port: number;
  /** Unix socket path; when set, host and port are ignored. */
  path?: string;
  /** TLS options; undefined = plain TCP. Certificates are verified unless the user turns it off. */
  tls?: tls.ConnectionOptions;
}

export interface TransportOptions extends Endpoint {
  /** Deadline for TCP connect plus TLS handshake. */
  connectTimeoutMs: number;
  /** Idle time before TCP keepalive probes start. */
  keepAliveMs: number;
}

export function describeEndpoint(e: Endpoint): string {
  if (e.path !== undefined) return `unix:${e.path}`;
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  return `${e.tls ? 'rediss' : 'redis'}://${host}:${e.port}`;
}

/**
 * Opens a socket and resolves once it is connected (and, for TLS, the handshake verified the
 * certificate). Rejects with the socket's own error (classified later by lifecycle/) or with a
 * ConnectionError of kind 'network' when `connectTimeoutMs` passes. The socket is destroyed on
 * every failure: nothing is left behind.
 */
export function openSocket(opts: TransportOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    const readyEvent = opts.tls !== undefined && opts.path === undefined ? 'secureConnect' : 'connect';
    if (opts.path !== undefined) {
      socket = net.createConnection({ path: opts.path });
    } else if (opts.tls !== undefined) {
      const servername = opts.tls.servername ?? (net.isIP(opts.host) === 0 ? opts.host : undefined);
      socket = tls.connect({ ...opts.tls, host: opts.host, port: opts.port, servername });
    } else {
      socket = net.createConnection({ host: opts.host, port: opts.port });
    }
    // TCP connected but no TLS handshake: most likely a plain-text port, which waits for a newline
    // that a ClientHello rarely contains, so it never answers. Say so instead of "timed out".
    let tcpConnected = false;
    if (readyEvent === 'secureConnect') socket.once('connect', () => (tcpConnected = true));
    const timer = setTimeout(() => {
      done(
        tcpConnected
          ? new ConnectionError(
              'tls',
              `${describeEndpoint(opts)} accepted the TCP connection but completed no TLS handshake within ${opts.connectTimeoutMs} ms (connectTimeoutMs): ` +
                "the server does not seem to speak TLS on this port. Use redis:// (not rediss://), or the server's tls-port.",
            )
          : new ConnectionError(
              'network',
              `connecting to ${describeEndpoint(opts)} timed out after ${opts.connectTimeoutMs} ms (connectTimeoutMs)`,
            ),
      );
    }, opts.connectTimeoutMs);

    const onReady = (): void => done(undefined);
    const onError = (err: Error): void => done(err);
    const onClose = (): void =>
      done(new ConnectionError('network', `${describeEndpoint(opts)} closed the connection while connecting`));
    function done(err: Error | undefined): void {
      clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (err !== undefined) {
        socket.destroy();
        reject(err);
        return;
      }
      socket.setNoDelay(true);
      socket.setKeepAlive(true, opts.keepAliveMs);
      resolve(socket);
    }
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

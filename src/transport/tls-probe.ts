import * as net from 'node:net';
import * as tls from 'node:tls';

/**
 * Whether `host:port` completes a TLS handshake (certificate not checked: the question is only
 * "does this port speak TLS?"). A TLS port says nothing to a plain-text client and resets it
 * once it has read a few bytes that are not a ClientHello; one handshake on the side tells that
 * reset apart from a server that went away. Resolves false on any error or after `timeoutMs`.
 */
export function speaksTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      servername: net.isIP(host) === 0 ? host : undefined,
    });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('secureConnect', () => done(true));
    s.once('error', () => done(false));
  });
}

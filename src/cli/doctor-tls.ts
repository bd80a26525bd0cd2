/**
 * The doctor's TLS step: the handshake on the socket the TCP step opened, the certificate's
 * subject, issuer and expiry, and a verification verdict of its own (the handshake itself never
 * rejects, so that an untrusted certificate can still be shown and explained). A slow handshake
 * gets a plain-RESP probe on the side: a plain port never answers a ClientHello.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { problems } from './doctor-problems';
import { failed, skipped, step } from './doctor-report';
import { errCode, sleep, speaksPlainResp, where } from './doctor-net';
import type { Outcome } from './doctor-connect';
import type { Target } from './target';
import { formatDuration } from './terminal';

/** A TLS handshake that has not finished after this long gets a plain-RESP probe on the side. */
const TLS_SUSPICION_MS = 800;
/** Certificates closer than this to their expiry are a warning. */
const EXPIRY_WARNING_DAYS = 14;

export async function tlsStep(t: Target, socket: net.Socket, address: string): Promise<Outcome<tls.TLSSocket>> {
  if (t.tls === undefined) {
    return {
      step: skipped('tls', `not used (${t.path !== undefined ? 'a Unix socket' : 'redis://'})`),
      value: undefined,
    };
  }
  const t0 = performance.now();
  const servername = t.tls.servername ?? (net.isIP(t.host) === 0 ? t.host : undefined);
  const secure = tls.connect({ ...t.tls, socket, host: t.host, servername, rejectUnauthorized: false });
  secure.on('error', () => undefined); // judged below and by the RESP session; never thrown
  const handshake = new Promise<string>((resolve) => {
    secure.once('secureConnect', () => resolve('done'));
    secure.once('error', (err) => resolve(errCode(err)));
    secure.once('close', () => resolve('EOF'));
  });
  // A plain-text port never answers a ClientHello (it waits for a newline). Rather than wait for
  // the whole timeout, ask the same port a plain PING on the side once the handshake is slow.
  let outcome = await Promise.race([handshake, sleep(TLS_SUSPICION_MS).then(() => 'slow')]);
  if (outcome === 'slow' || (outcome !== 'done' && /^(ERR_SSL_|EPROTO|ECONNRESET|EOF)/.test(outcome))) {
    const plain = await speaksPlainResp(address, t.port, Math.min(2000, t.timeoutMs));
    if (plain) {
      secure.destroy();
      const ms = performance.now() - t0;
      return { step: failed('tls', ms, 'the port speaks plain RESP, not TLS', problems.tlsOnPlainPort(where(t))) };
    }
    if (outcome === 'slow') {
      const left = Math.max(0, t.timeoutMs - (performance.now() - t0));
      outcome = await Promise.race([handshake, sleep(left).then(() => 'ETIMEOUT')]);
    }
  }
  const ms = performance.now() - t0;
  if (outcome === 'ETIMEOUT') {
    secure.destroy();
    return {
      step: failed('tls', ms, `no TLS handshake within ${t.timeoutMs} ms`, problems.tlsTimeout(where(t), t.timeoutMs)),
    };
  }
  if (outcome !== 'done') {
    secure.destroy();
    const problem = problems.tls(outcome, servername ?? t.host);
    return { step: failed('tls', ms, problem.what.replace(/\.$/, ''), problem) };
  }
  return certificateVerdict(t, secure, ms, servername ?? t.host);
}

function certificateVerdict(t: Target, secure: tls.TLSSocket, ms: number, checkedName: string): Outcome<tls.TLSSocket> {
  const cert = secure.getPeerCertificate();
  const subject = oneName(cert.subject?.CN) ?? Object.values(cert.subject ?? {}).join(', ');
  const issuer = oneName(cert.issuer?.CN) ?? Object.values(cert.issuer ?? {}).join(', ');
  const validTo = new Date(cert.valid_to);
  const daysLeft = (validTo.getTime() - Date.now()) / 86_400_000;
  const names = (cert.subjectaltname ?? '').replace(/IP Address:/g, '').replace(/DNS:/g, '');
  const verifyError = secure.authorized ? undefined : String(secure.authorizationError ?? 'unknown');
  const details = {
    protocol: secure.getProtocol(),
    cipher: secure.getCipher()?.name,
    subject,
    subjectAltNames: names,
    issuer,
    validFrom: new Date(cert.valid_from).toISOString(),
    validTo: validTo.toISOString(),
    daysLeft: Math.floor(daysLeft),
    fingerprint256: cert.fingerprint256,
    verified: verifyError === undefined,
    verifyError,
    checkedName,
  };
  const date = validTo.toISOString().slice(0, 10);
  const expiry =
    daysLeft < 0
      ? `expired ${date} (${formatDuration(-daysLeft * 86400)} ago)`
      : `expires ${date} (in ${formatDuration(daysLeft * 86400)})`;
  const summary = `${details.protocol ?? 'TLS'}, certificate CN=${subject} (issuer ${issuer}), ${expiry}, ${
    verifyError === undefined ? 'verified' : `NOT verified: ${verifyError}`
  }`;
  if (verifyError !== undefined && !t.insecure) {
    secure.destroy();
    return { step: failed('tls', ms, summary, problems.tls(verifyError, checkedName, names)) };
  }
  const notes: string[] = [];
  if (verifyError !== undefined)
    notes.push(
      `The certificate was not verified (--insecure): ${verifyError}. Anyone in the path could impersonate the server.`,
    );
  if (daysLeft >= 0 && daysLeft < EXPIRY_WARNING_DAYS)
    notes.push(
      `The certificate expires in ${Math.floor(daysLeft)} days (${validTo.toISOString().slice(0, 10)}): renew it.`,
    );
  return { step: step('tls', notes.length > 0 ? 'warn' : 'ok', summary, { ms, details, notes }), value: secure };
}

/** A certificate field may repeat (string[]); show the first. */
function oneName(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

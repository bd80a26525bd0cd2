/**
 * What went wrong in a TLS handshake, told from the error code Node gives (its own, or
 * OpenSSL's, or the alert the server sent). One table for the client (lifecycle/classify.ts) and
 * for `romaine doctor` (cli/doctor-tls.ts), so that both name the same cause for the same failure.
 * OpenSSL's own text is multi-line and names source files: callers keep it in `cause`, never in
 * the message.
 */

export type TlsFailureReason =
  /** The server wants a client certificate (Redis: tls-auth-clients, on by default with a CA). */
  | 'client-certificate-required'
  /** The server did not accept the client certificate we sent. */
  | 'client-certificate-rejected'
  /** The server's certificate chain ends at a CA we do not trust. */
  | 'untrusted-ca'
  /** The server's certificate signs itself. */
  | 'self-signed'
  /** The server's certificate does not name the host we connected to. */
  | 'wrong-host'
  | 'expired'
  | 'not-yet-valid'
  /** A TLS client on a port that speaks plain RESP. */
  | 'plain-port'
  /** A plain-text client on a port that speaks TLS. */
  | 'tls-port'
  /** No TLS version (or cipher) both sides accept. */
  | 'protocol-version'
  | 'other';

export interface TlsDiagnosis {
  reason: TlsFailureReason;
  /** What happened, one line, no OpenSSL text. */
  what: string;
  /** What to do, in terms of the client's options. */
  fix: string;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);

/** OpenSSL's names for "those bytes are not TLS": what a plain-text server answers a ClientHello with. */
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_RECORD_LENGTH_MISMATCH',
  'ERR_SSL_HTTP_REQUEST',
]);

const VERSION = new Set([
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_NO_SHARED_CIPHER',
  'ERR_SSL_NO_CIPHERS_AVAILABLE',
  'ERR_SSL_TLSV1_ALERT_INSUFFICIENT_SECURITY',
]);

const CLIENT_CERT_REJECTED = new Set([
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);

/** Whether a Node error code comes from TLS (verification, OpenSSL, or Node's TLS layer). */
export function isTlsCode(code: string): boolean {
  return diagnoseTls(code) !== undefined;
}

/**
 * Maps a TLS error code to its cause; undefined when the code is not a TLS one (ECONNRESET, ...).
 * `host` is the name the certificate was checked against, for the wrong-host message.
 */
export function diagnoseTls(code: string, host?: string): TlsDiagnosis | undefined {
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || code === 'CERTIFICATE_REQUIRED') {
    return {
      reason: 'client-certificate-required',
      what: 'the server requires a client certificate (tls-auth-clients) and none was sent',
      fix: 'give one signed by a CA the server trusts in tls.cert and tls.key, or set tls-auth-clients no (or optional) on the server',
    };
  }
  if (CLIENT_CERT_REJECTED.has(code)) {
    return {
      reason: 'client-certificate-rejected',
      what: `the server did not accept the client certificate (${code})`,
      fix: 'give a client certificate signed by the CA in the server\u2019s tls-ca-cert-file, and not expired, in tls.cert and tls.key',
    };
  }
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return {
      reason: 'self-signed',
      what: `the server\u2019s certificate is self-signed and not trusted here (${code})`,
      fix: 'give that certificate itself in tls.ca, or have the server use one signed by a CA you trust',
    };
  }
  if (UNTRUSTED.has(code)) {
    return {
      reason: 'untrusted-ca',
      what: `the server\u2019s certificate was not accepted: it is not signed by a CA this client trusts (${code})`,
      fix: 'give the CA that signed it in tls.ca',
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return {
      reason: 'wrong-host',
      what: `the server\u2019s certificate is not for ${host ?? 'the host connected to'} (${code})`,
      fix: 'connect with a name the certificate lists, give the name to check in tls.servername, or reissue the certificate with this name in its subjectAltName',
    };
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return {
      reason: 'expired',
      what: `the server\u2019s certificate has expired (${code})`,
      fix: 'renew the server\u2019s certificate and reload it (CONFIG SET tls-cert-file, or a restart); check this machine\u2019s clock',
    };
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return {
      reason: 'not-yet-valid',
      what: `the server\u2019s certificate is not valid yet (${code})`,
      fix: 'check the clocks of this machine and of the machine that issued the certificate',
    };
  }
  if (NOT_TLS.has(code)) {
    return {
      reason: 'plain-port',
      what: `the server answered the TLS handshake with bytes that are not TLS (${code}): this port speaks plain RESP`,
      fix: "use redis:// (not rediss://) for this port, or the server's tls-port with rediss://",
    };
  }
  if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
    // The generic alert: on TLS 1.2 it is also how a server asks for the certificate it did not get.
    return {
      reason: 'protocol-version',
      what: `the server refused the TLS handshake (${code}): no TLS version or cipher in common, or (TLS 1.2) a client certificate is required`,
      fix: 'compare tls.minVersion / tls.maxVersion / tls.ciphers with the server\u2019s tls-protocols and tls-ciphers; if it has tls-auth-clients on, give tls.cert and tls.key',
    };
  }
  if (VERSION.has(code)) {
    return {
      reason: 'protocol-version',
      what: `the client and the server share no TLS version or cipher (${code})`,
      fix: 'compare tls.minVersion / tls.maxVersion / tls.ciphers with the server\u2019s tls-protocols and tls-ciphers',
    };
  }
  if (/^(CERT_|UNABLE_TO_|ERR_TLS_|ERR_SSL_|INVALID_PURPOSE)/.test(code)) {
    return {
      reason: 'other',
      what: `the TLS handshake failed (${code})`,
      fix: "check the server's TLS configuration and its log for the reason it gave",
    };
  }
  return undefined;
}

/** A plain-text client on a TLS port: found by the bytes it sent back, or by a TLS probe. */
export function tlsPortDiagnosis(evidence: string): TlsDiagnosis {
  return {
    reason: 'tls-port',
    what: `this port speaks TLS (${evidence})`,
    fix: 'use rediss:// (not redis://), with tls.ca if its certificate is signed by your own CA',
  };
}

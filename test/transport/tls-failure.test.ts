// The one TLS classifier the client and `romaine doctor` share: each error code Node or OpenSSL
// gives maps to its real cause, with a one-line message and a fix in terms of the options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseTls } from '../../src/transport/tls-failure';
import { classifyFailure } from '../../src/lifecycle/classify';
import { ProtocolError } from '../../src/errors';
import { checkNotTls } from '../../src/protocol/decode-errors';

const cases: Array<[string, string, RegExp]> = [
  ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'client-certificate-required', /tls\.cert and tls\.key/],
  ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'client-certificate-rejected', /tls\.cert and tls\.key/],
  ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted-ca', /tls\.ca/],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted-ca', /tls\.ca/],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed', /tls\.ca/],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'wrong-host', /tls\.servername/],
  ['CERT_HAS_EXPIRED', 'expired', /renew/],
  ['CERT_NOT_YET_VALID', 'not-yet-valid', /clock/],
  ['ERR_SSL_WRONG_VERSION_NUMBER', 'plain-port', /use redis:\/\//],
  ['ERR_SSL_PACKET_LENGTH_TOO_LONG', 'plain-port', /use redis:\/\//],
  ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'protocol-version', /tls\.minVersion/],
  ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'protocol-version', /tls\.cert/],
  ['ERR_SSL_SOMETHING_NEW', 'other', /server's TLS configuration/],
];

test('every TLS error code maps to its real cause and a fix', () => {
  for (const [code, reason, fix] of cases) {
    const d = diagnoseTls(code, 'db.example');
    assert.ok(d, code);
    assert.equal(d.reason, reason, code);
    assert.match(d.fix, fix, code);
    assert.doesNotMatch(`${d.what} ${d.fix}`, /\n/, code);
  }
  assert.match(diagnoseTls('ERR_TLS_CERT_ALTNAME_INVALID', 'db.example')?.what ?? '', /not for db\.example/);
});

test('codes that are not TLS are left to the network classifier', () => {
  for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']) {
    assert.equal(diagnoseTls(code), undefined, code);
  }
});

test('the client keeps OpenSSL text out of the message and in cause', () => {
  const openssl = Object.assign(
    new Error(
      '80CC462EBE7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n',
    ),
    { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' },
  );
  const e = classifyFailure(openssl, { endpoint: 'rediss://h:1', sentPassword: false });
  assert.equal(e.kind, 'tls');
  assert.match(e.message, /^TLS with rediss:\/\/h:1 failed: the server requires a client certificate/);
  assert.doesNotMatch(e.message, /\n|SSL routines|rec_layer/);
  assert.equal(e.cause, openssl);
});

test('a TLS record where RESP was expected is a plain-text client on a TLS port (kind tls)', () => {
  let thrown: unknown;
  try {
    checkNotTls(0x15);
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown instanceof ProtocolError && thrown.looksLikeTls);
  const e = classifyFailure(thrown, { endpoint: 'redis://h:1', sentPassword: false });
  assert.equal(e.kind, 'tls');
  assert.match(e.message, /this port speaks TLS.*use rediss:\/\//);
});

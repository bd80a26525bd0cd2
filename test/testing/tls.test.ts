// Self-tests of src/testing/tls.ts: each cert makes a real redis-server's TLS
// port fail (or pass) Node's verification the way its name says.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tlsFixtures, type CertFiles } from '../../src/testing/tls';
import { RedisServer, stopAll } from '../../src/testing/redis-server';
import { rawExchange, resp } from '../support/raw';

after(stopAll);

test('fixtures: generated once per process, files and PEMs agree', () => {
  const t = tlsFixtures();
  assert.equal(tlsFixtures(), t);
  for (const c of [t.ca, t.server, t.client, t.otherCa, t.untrusted, t.selfSigned, t.expired, t.wrongHost]) {
    assert.ok(existsSync(c.certPath) && existsSync(c.keyPath));
    assert.match(c.pem, /BEGIN CERTIFICATE/);
    assert.match(c.keyPem, /PRIVATE KEY/);
  }
  const server = new X509Certificate(t.server.pem);
  assert.ok(server.verify(new X509Certificate(t.ca.pem).publicKey));
  assert.match(server.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  assert.ok(new Date(new X509Certificate(t.expired.pem).validTo) < new Date());
});

async function tlsPing(
  cert: CertFiles | undefined,
  clientOpts: object = {},
  serverOpts: { tlsAuthClients?: boolean } = {},
) {
  const s = await RedisServer.start({ tls: true, tlsCert: cert, ...serverOpts });
  try {
    return await rawExchange(
      { port: s.tlsPort },
      { send: resp('PING'), tls: { ca: tlsFixtures().ca.pem, ...clientOpts } },
    );
  } finally {
    await s.stop();
  }
}

test('the good server cert verifies for 127.0.0.1 and localhost', async () => {
  assert.equal((await tlsPing(undefined)).data, '+PONG\r\n');
  assert.equal((await tlsPing(undefined, { host: 'localhost', servername: 'localhost' })).data, '+PONG\r\n');
});

test('bad certs fail verification with the expected codes', async () => {
  const t = tlsFixtures();
  assert.equal((await tlsPing(t.untrusted)).error, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.equal((await tlsPing(t.selfSigned)).error, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.equal((await tlsPing(t.expired)).error, 'CERT_HAS_EXPIRED');
  assert.equal((await tlsPing(t.wrongHost)).error, 'ERR_TLS_CERT_ALTNAME_INVALID');
  // Trusting the other CA makes the untrusted cert fine: the chain is the only problem.
  assert.equal((await tlsPing(t.untrusted, { ca: t.otherCa.pem })).data, '+PONG\r\n');
});

test('tlsAuthClients: the server wants the client cert signed by the test CA', async () => {
  const t = tlsFixtures();
  const without = await tlsPing(undefined, {}, { tlsAuthClients: true });
  assert.notEqual(without.data, '+PONG\r\n');
  assert.ok(without.error, 'the handshake fails without a client cert');
  const withCert = await tlsPing(undefined, { cert: t.client.pem, key: t.client.keyPem }, { tlsAuthClients: true });
  assert.equal(withCert.data, '+PONG\r\n');
});

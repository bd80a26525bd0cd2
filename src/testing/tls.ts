// TLS material for tests, generated once per process with the `openssl` CLI.
//
// Why generate instead of committing PEMs: committed certs expire and then
// every TLS test fails on some future day for no reason in the code. EC P-256
// keys make the whole set take a fraction of a second.
//
// Debian's redis-server 7.0 is built with TLS (it links libssl): use
// RedisServer.start({ tls: true }) or pass the paths below yourself:
//   --tls-port P --tls-cert-file server.certPath --tls-key-file server.keyPath
//   --tls-ca-cert-file ca.certPath --tls-auth-clients no
// and give clients `ca: tlsFixtures().ca.pem`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit, PHASE_FILES } from './cleanup';

export interface CertFiles {
  certPath: string;
  keyPath: string;
  /** PEM text of the certificate. */
  pem: string;
  /** PEM text of the private key. */
  keyPem: string;
}

export interface TlsFixtures {
  dir: string;
  /** The CA that clients should trust. */
  ca: CertFiles;
  /** Server cert for 127.0.0.1, ::1 and localhost, signed by `ca`. */
  server: CertFiles;
  /** Client cert signed by `ca` (for --tls-auth-clients yes). */
  client: CertFiles;
  /** Another CA, which clients do not trust. */
  otherCa: CertFiles;
  /** Server cert for 127.0.0.1/localhost signed by `otherCa`: fails verification against `ca`. */
  untrusted: CertFiles;
  /** Self-signed server cert for 127.0.0.1/localhost: DEPTH_ZERO_SELF_SIGNED_CERT. */
  selfSigned: CertFiles;
  /** Signed by `ca`, for 127.0.0.1/localhost, but expired yesterday: CERT_HAS_EXPIRED. */
  expired: CertFiles;
  /** Signed by `ca` but only for wrong.example: ERR_TLS_CERT_ALTNAME_INVALID on 127.0.0.1. */
  wrongHost: CertFiles;
}

// A config of our own, so that the system openssl.cnf cannot change the result.
const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = romaine-test
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_self]
basicConstraints = critical, CA:FALSE
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
`;

const EXT = {
  server:
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n' +
    'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n',
  wrongHost:
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n' +
    'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:wrong.example\n',
  client:
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n' +
    'extendedKeyUsage=clientAuth\n',
};

let cached: TlsFixtures | undefined;

/** Generate (once per process) and return the TLS fixtures. Synchronous, ~0.1 s. */
export function tlsFixtures(): TlsFixtures {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'romaine-tls-'));
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }), PHASE_FILES);
  const cfg = join(dir, 'openssl.cnf');
  writeFileSync(cfg, CONFIG);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const key = (name: string) =>
    ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  const files = (name: string): CertFiles => ({
    certPath: join(dir, `${name}.crt`),
    keyPath: join(dir, `${name}.key`),
    pem: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    keyPem: readFileSync(join(dir, `${name}.key`), 'utf8'),
  });
  const makeCa = (name: string, cn: string) => {
    key(name);
    ssl(
      'req',
      '-config',
      cfg,
      '-new',
      '-x509',
      '-key',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '3650',
      '-subj',
      `/CN=${cn}`,
      '-extensions',
      'v3_ca',
    );
  };
  const sign = (name: string, cn: string, ca: string, ext: string, days: string) => {
    key(name);
    ssl('req', '-config', cfg, '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    // -days -1: notAfter is yesterday, which is how we get an expired cert
    // without `openssl ca` and its database (OpenSSL 3.0 has no -not_after).
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      days,
      '-extfile',
      `${name}.ext`,
    );
  };
  makeCa('ca', 'romaine test CA');
  makeCa('other-ca', 'romaine other CA');
  sign('server', 'localhost', 'ca', EXT.server, '3650');
  sign('client', 'romaine-client', 'ca', EXT.client, '3650');
  sign('untrusted', 'localhost', 'other-ca', EXT.server, '3650');
  sign('expired', 'localhost', 'ca', EXT.server, '-1');
  sign('wrong-host', 'wrong.example', 'ca', EXT.wrongHost, '3650');
  key('self-signed');
  ssl(
    'req',
    '-config',
    cfg,
    '-new',
    '-x509',
    '-key',
    'self-signed.key',
    '-out',
    'self-signed.crt',
    '-days',
    '3650',
    '-subj',
    '/CN=localhost',
    '-extensions',
    'v3_self',
  );
  cached = {
    dir,
    ca: files('ca'),
    server: files('server'),
    client: files('client'),
    otherCa: files('other-ca'),
    untrusted: files('untrusted'),
    selfSigned: files('self-signed'),
    expired: files('expired'),
    wrongHost: files('wrong-host'),
  };
  return cached;
}

/**
 * redis-server args serving TLS on `tlsPort` with the given server cert
 * (default: the good one), for tests that want a bad cert on the server.
 */
export function redisTlsArgs(tlsPort: number, cert: CertFiles = tlsFixtures().server, authClients = false): string[] {
  const t = tlsFixtures();
  return [
    '--tls-port',
    String(tlsPort),
    '--tls-cert-file',
    cert.certPath,
    '--tls-key-file',
    cert.keyPath,
    '--tls-ca-cert-file',
    t.ca.certPath,
    '--tls-auth-clients',
    authClients ? 'yes' : 'no',
  ];
}

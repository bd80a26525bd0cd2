/**
 * What the doctor says when a step fails: what happened, in plain words, and how to fix it.
 * One function per failure the doctor can recognise, so that the wording lives in one place
 * (docs/cli.md shows them). No text here ever includes a password.
 */

import { diagnoseTls, type TlsFailureReason } from '../transport/tls-failure';

export interface Problem {
  /** Stable identifier, for --json readers: 'protected-mode', 'wrong-password', 'refused', ... */
  code: string;
  /** What happened, in one or two sentences. */
  what: string;
  /** What to do, most likely fix first. */
  fix: string[];
}

/** The server's message, quoted: its first sentence (Redis' refusals go on to explain at length). */
function quote(serverMessage: string): string {
  const end = serverMessage.search(/\.\s/);
  let text = end > 20 ? serverMessage.slice(0, end + 1) : serverMessage;
  if (text.length > 300) text = `${text.slice(0, 299)}…`;
  return `"${text}"`;
}

export const problems = {
  notResolved: (host: string, code: string): Problem => ({
    code: 'not-resolved',
    what:
      code === 'EAI_AGAIN'
        ? `The name ${host} could not be resolved right now: the DNS server did not answer (${code}).`
        : `The name ${host} does not resolve to any address (${code}).`,
    fix: [
      'Check the spelling of the host name.',
      'Check that this machine can resolve it: `getent hosts ' + host + '` (DNS, /etc/hosts, a VPN that is down).',
    ],
  }),

  refused: (where: string): Problem => ({
    code: 'refused',
    what: `Nothing accepts connections at ${where}: the connection was refused (ECONNREFUSED).`,
    fix: [
      'Is redis-server running? (`systemctl status redis-server`, `ps aux | grep redis-server`)',
      'Is it listening on this port? Compare with `port` in redis.conf, or run `ss -ltnp | grep redis`.',
      'Is it listening on this address? A server with `bind 127.0.0.1` refuses connections to its other addresses.',
    ],
  }),

  connectTimeout: (where: string, ms: number): Problem => ({
    code: 'connect-timeout',
    what: `The TCP connection to ${where} got no answer within ${ms} ms: packets are being dropped on the way, or the host is down.`,
    fix: [
      'Check the address and port.',
      'Check firewalls and security groups between here and the server (the port must be open for TCP).',
      'Check that the host is up and reachable (`ping`, `traceroute`).',
    ],
  }),

  unreachable: (where: string, code: string): Problem => ({
    code: 'unreachable',
    what: `${where} cannot be reached from this machine (${code}): there is no route to it.`,
    fix: ['Check the address, this machine\u2019s network and routes (`ip route get <address>`), and any VPN.'],
  }),

  noSocket: (path: string, code: string): Problem => ({
    code: code === 'EACCES' ? 'socket-permission' : 'no-socket',
    what:
      code === 'EACCES'
        ? `This user may not connect to the Unix socket ${path} (EACCES).`
        : `There is no Unix socket at ${path} (${code}).`,
    fix:
      code === 'EACCES'
        ? ['Run as a user in the socket\u2019s group, or widen `unixsocketperm` in redis.conf (e.g. 770).']
        : ['Check `unixsocket` in redis.conf, and that the server is running.'],
  }),

  tlsOnPlainPort: (where: string): Problem => ({
    code: 'tls-on-plain-port',
    what: `${where} speaks plain RESP, not TLS: it answered a plain-text PING, and the TLS handshake got no answer.`,
    fix: [
      'Use redis:// instead of rediss:// for this port, or',
      'connect to the server\u2019s TLS port (`tls-port` in redis.conf) with rediss://.',
    ],
  }),

  plainOnTlsPort: (where: string): Problem => ({
    code: 'plain-on-tls-port',
    what: `${where} expects TLS: it closed the plain-text connection without a word, and a TLS handshake on the same port succeeds.`,
    fix: [
      'Use rediss:// instead of redis:// (and --tls-ca <file> if the certificate is signed by your own CA), or',
      'connect to the server\u2019s plain port (`port` in redis.conf), if it has one.',
    ],
  }),

  tlsTimeout: (where: string, ms: number): Problem => ({
    code: 'tls-timeout',
    what: `${where} accepted the TCP connection but completed no TLS handshake within ${ms} ms.`,
    fix: [
      'If this is the server\u2019s plain port, use redis:// (or its `tls-port` with rediss://).',
      'Otherwise something between here and the server holds the handshake: check proxies and load balancers.',
    ],
  }),

  /**
   * A TLS failure, told by the classifier the client uses too (transport/tls-failure.ts): the same
   * cause in the same words, with the fix in command-line flags as well as options.
   */
  tls: (code: string, host: string, names?: string): Problem => {
    const d = diagnoseTls(code, host) ?? {
      reason: 'other' as const,
      what: `the TLS handshake failed (${code})`,
      fix: '',
    };
    let what = `${d.what.charAt(0).toUpperCase()}${d.what.slice(1)}.`;
    if (d.reason === 'wrong-host') what += ` It names ${names || 'no host at all'}.`;
    return { code: TLS_PROBLEM_CODES[d.reason], what, fix: TLS_FIXES[d.reason] };
  },

  protectedMode: (serverMessage: string): Problem => ({
    code: 'protected-mode',
    what:
      'The server refused the connection: Redis is running in protected mode. While its default user has no password, ' +
      'it only accepts clients on its own machine (loopback), and this client is not one. ' +
      `It said: ${quote(serverMessage)}`,
    fix: [
      'Set a password (`requirepass`, or an ACL user) and put it in the URL (redis://:PASSWORD@host) or ROMAINE_PASSWORD — the right fix: the server stays safe on any interface.',
      'Or bind the server to the interface clients use (`bind 10.0.0.5` in redis.conf), so that you chose who can reach it.',
      'Or turn protected mode off (`protected-mode no`) — only on a network you fully trust: it exposes a server anyone there can use.',
    ],
  }),

  wrongPassword: (serverMessage: string, username: string): Problem => ({
    code: 'wrong-password',
    what:
      `The server refused the credentials given for user '${username}' (the password is not shown). ` +
      `It said: ${quote(serverMessage)}`,
    fix: [
      'Check the password (and the user name: without one, romaine uses `default`).',
      'Check that the user exists and is enabled: `ACL LIST` on the server.',
      'If the password is being rotated, give the client a `credentials` function that returns the current one: it is asked again on every reconnect.',
    ],
  }),

  passwordNeeded: (serverMessage: string): Problem => ({
    code: 'password-required',
    what: `The server requires a password and none was given. It said: ${quote(serverMessage)}`,
    fix: [
      'Give it in the URL (redis://:PASSWORD@host, or redis://USER:PASSWORD@host for an ACL user)',
      'or in the ROMAINE_PASSWORD environment variable (kept out of the process list).',
    ],
  }),

  passwordNotNeeded: (serverMessage: string): Problem => ({
    code: 'password-not-configured',
    what: `A password was given, but the server has none configured. It said: ${quote(serverMessage)}`,
    fix: ['Remove the password from the URL, or set `requirepass` on the server if it should have one.'],
  }),

  noPermission: (serverMessage: string, command: string): Problem => ({
    code: 'no-permission',
    what: `The user may not run ${command}, which the connection handshake needs. It said: ${quote(serverMessage)}`,
    fix: [`Grant it: \`ACL SETUSER <user> +${command.toLowerCase()}\` (or +@connection).`],
  }),

  loading: (): Problem => ({
    code: 'loading',
    what: 'The server is loading its dataset into memory and answers -LOADING until it is done.',
    fix: [
      'Wait: a restart with a large RDB or AOF file takes a while (see `loading_eta_seconds` in INFO persistence).',
      'romaine clients wait for it on their own.',
    ],
  }),

  handshakeRefused: (serverMessage: string): Problem => ({
    code: 'handshake-refused',
    what: `The server refused the connection handshake. It said: ${quote(serverMessage)}`,
    fix: ['Check the server log and its configuration (maxclients, ACL rules, a proxy in front of it).'],
  }),

  silentClose: (where: string, code: string): Problem => ({
    code: 'closed-without-answer',
    what: `${where} closed the connection without sending anything (${code}).`,
    fix: [
      'If the port serves TLS, use rediss://.',
      'A proxy or firewall may be dropping the connection; check its logs.',
      'The server may have hit maxclients (it usually says so): check `INFO clients` and the server log.',
    ],
  }),

  notResp: (where: string, detail: string): Problem => ({
    code: 'not-redis',
    what: `${where} answered with bytes that are not RESP: ${detail}.`,
    fix: ['Check the port: this looks like another service, not Redis.'],
  }),

  noAnswer: (where: string, ms: number): Problem => ({
    code: 'no-answer',
    what: `${where} accepted the connection but answered nothing within ${ms} ms.`,
    fix: [
      'The server may be blocked by a long command (a slow script, KEYS on a big dataset) or paused (CLIENT PAUSE).',
      'Check that this is a Redis port and, if it serves TLS, use rediss://.',
    ],
  }),
};

/** The doctor's problem codes (stable, for --json readers) for each cause the classifier knows. */
const TLS_PROBLEM_CODES: Record<TlsFailureReason, string> = {
  'client-certificate-required': 'client-certificate-required',
  'client-certificate-rejected': 'client-certificate-rejected',
  'untrusted-ca': 'certificate-untrusted',
  'self-signed': 'certificate-untrusted',
  'wrong-host': 'certificate-wrong-host',
  expired: 'certificate-expired',
  'not-yet-valid': 'certificate-not-yet-valid',
  'plain-port': 'tls-on-plain-port',
  'tls-port': 'plain-on-tls-port',
  'protocol-version': 'tls-version',
  other: 'tls-failed',
};

const TLS_FIXES: Record<TlsFailureReason, string[]> = {
  'client-certificate-required': [
    'Give one signed by a CA the server trusts: --tls-cert client.pem --tls-key client.key (in code, `tls.cert` and `tls.key`).',
    'Or, if clients need not prove who they are, set `tls-auth-clients no` (or `optional`) on the server.',
  ],
  'client-certificate-rejected': [
    'Give a client certificate signed by the CA in the server\u2019s `tls-ca-cert-file`, and not expired: --tls-cert client.pem --tls-key client.key (in code, `tls.cert` and `tls.key`).',
  ],
  'untrusted-ca': [
    'Give the CA that signed it: --tls-ca ca.pem (in code, the `tls.ca` option).',
    'For a throwaway test server only: --insecure (in code, `tls.rejectUnauthorized: false`).',
  ],
  'self-signed': [
    'Give that certificate itself as the CA: --tls-ca server.pem (in code, the `tls.ca` option), or have the server use one signed by a CA you trust.',
    'For a throwaway test server only: --insecure (in code, `tls.rejectUnauthorized: false`).',
  ],
  'wrong-host': [
    'Connect with a name the certificate lists, or',
    'give the name to check with --tls-servername (in code: tls: { servername }), or',
    'reissue the certificate with this name in its subjectAltName.',
  ],
  expired: [
    'Renew the certificate and reload it on the server (`CONFIG SET tls-cert-file ...` or a restart).',
    'If it should still be valid, check this machine\u2019s clock.',
  ],
  'not-yet-valid': ['Check the clocks of this machine and of the machine that issued the certificate.'],
  'plain-port': [
    'Use redis:// instead of rediss:// for this port, or',
    'connect to the server\u2019s TLS port (`tls-port` in redis.conf) with rediss://.',
  ],
  'tls-port': ['Use rediss:// instead of redis:// (and --tls-ca <file> if the certificate is signed by your own CA).'],
  'protocol-version': [
    'Compare the server\u2019s `tls-protocols` and `tls-ciphers` with what this Node.js accepts (in code, `tls.minVersion`, `tls.maxVersion`, `tls.ciphers`).',
    'On TLS 1.2 the same alert means a client certificate is required: --tls-cert / --tls-key.',
  ],
  other: [
    'Check that this port serves TLS (`tls-port` in redis.conf).',
    'Check the server log for the reason it gave (protocol versions, ciphers).',
  ],
};

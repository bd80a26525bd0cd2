/**
 * The server a command is pointed at: a redis://, rediss:// or unix:// URL plus the TLS options
 * of the command line, read once into what both the step-by-step probe and the real client need.
 * The password never leaves this object in clear: `display` is the URL with it replaced, and
 * `scrub()` removes it from any text that might echo it (a server message, an error).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { parseUrl } from '../client/options';
import { redactUrl } from '../client/redact-url';
import type { ClientOptions } from '../client/options';
import { UsageError, type OptionKind, type ParsedArgs } from './argv';
import { createClient, type RedisClient } from '../client/client';

/** Options every command that talks to a server accepts. */
export const TARGET_OPTIONS: Readonly<Record<string, OptionKind>> = {
  'tls-ca': 'string',
  'tls-cert': 'string',
  'tls-key': 'string',
  'tls-servername': 'string',
  insecure: 'boolean',
  timeout: 'number',
};

export const TARGET_HELP = `Connection options:
  --tls-ca <file>          PEM file of the CA that signed the server's certificate (rediss://)
  --tls-cert <file>        client certificate, for a server with tls-auth-clients yes
  --tls-key <file>         the client certificate's private key
  --tls-servername <name>  the name to verify the certificate against (default: the URL's host)
  --insecure               do not verify the server's certificate (reported as a warning)
  --timeout <ms>           deadline for each connection step (default 5000)

The password may be given in the URL (redis://user:password@host) or, to keep it out of the
process list and your shell history, in the ROMAINE_PASSWORD environment variable. It is never
printed: the URL is shown as redis://user:***@host.`;

export interface Target {
  /** The URL as it may be shown: the password replaced by ***. */
  display: string;
  host: string;
  port: number;
  path: string | undefined;
  username: string | undefined;
  password: string | undefined;
  database: number;
  /** undefined: plain TCP. The probe verifies by itself, so rejectUnauthorized is not set here. */
  tls: TlsOptions | undefined;
  /** --insecure: certificate problems are warnings, not failures. */
  insecure: boolean;
  timeoutMs: number;
  /** Options for createClient() equivalent to this target. */
  clientOptions: ClientOptions;
  /** Replaces the password (raw and URL-encoded) wherever it occurs in `text`. */
  scrub(text: string): string;
}

/** Reads the URL and the connection options. Throws UsageError for a bad URL or an unreadable file. */
export function readTarget(url: string, args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): Target {
  let parsed: ClientOptions;
  try {
    parsed = parseUrl(url);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const password = parsed.password ?? (env.ROMAINE_PASSWORD !== '' ? env.ROMAINE_PASSWORD : undefined);
  const secrets = password === undefined ? [] : [password, encodeURIComponent(password)].filter((s) => s.length > 0);
  const scrub = (text: string): string => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };
  let tls: TlsOptions | undefined;
  if (parsed.tls === true) {
    tls = {};
    const ca = args.values.get('tls-ca');
    const cert = args.values.get('tls-cert');
    const key = args.values.get('tls-key');
    if (ca !== undefined) tls.ca = readPem(ca, '--tls-ca');
    if (cert !== undefined) tls.cert = readPem(cert, '--tls-cert');
    if (key !== undefined) tls.key = readPem(key, '--tls-key');
    const servername = args.values.get('tls-servername');
    if (servername !== undefined) tls.servername = servername;
  } else {
    for (const name of ['tls-ca', 'tls-cert', 'tls-key', 'tls-servername']) {
      if (args.values.has(name)) throw new UsageError(`--${name} needs a rediss:// URL (TLS)`);
    }
  }
  const insecure = args.flags.has('insecure');
  const timeoutMs = args.numbers.get('timeout') ?? 5000;
  const clientOptions: ClientOptions = {
    host: parsed.host ?? '127.0.0.1',
    port: parsed.port ?? 6379,
    path: parsed.path,
    username: parsed.username,
    password,
    database: parsed.database,
    protocol: parsed.protocol,
    tls: tls === undefined ? undefined : { ...tls, rejectUnauthorized: !insecure },
    connectTimeoutMs: timeoutMs,
  };
  return {
    display: scrub(redactUrl(url)),
    host: clientOptions.host as string,
    port: clientOptions.port as number,
    path: parsed.path,
    username: parsed.username,
    password,
    database: parsed.database ?? 0,
    tls,
    insecure,
    timeoutMs,
    clientOptions,
    scrub,
  };
}

function readPem(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${option} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The URL with the password replaced by *** (the client's own redaction: see src/client/redact-url.ts). */
export { redactUrl as redact };

/**
 * A client for one of the doctor's checks: `options` (the target's, or another node's), named
 * romaine-doctor, giving up after the target's timeout, with no health check and no error event.
 */
export function doctorClient(t: Target, options: ClientOptions): RedisClient {
  const client = createClient({
    ...options,
    clientName: 'romaine-doctor',
    reconnect: { initialTimeoutMs: t.timeoutMs, baseDelayMs: 50, maxDelayMs: 500 },
    healthCheck: false,
    commandTimeoutMs: t.timeoutMs,
    connectTimeoutMs: t.timeoutMs,
  });
  client.on('error', () => undefined);
  return client;
}

// The errors of `romaine/testing`: typed like the client's (a stable `code`, `name` = class name).
import { spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import { InvalidArgumentError, RomaineError } from '../errors';

/**
 * `redis-server` (or `redis-cli`, which the harness uses to talk to its servers) is not on PATH.
 * The message is one line naming the install command.
 */
export class RedisNotInstalledError extends RomaineError {
  /** The program that is missing: 'redis-server' or 'redis-cli'. */
  readonly program: string;
  constructor(program: string) {
    super(
      'EREDISNOTINSTALLED',
      `${program} is not on PATH: install Redis (apt-get install redis-server, or brew install redis) or add its directory to PATH`,
    );
    this.program = program;
  }
}

/**
 * `protectedModeServer()` cannot run here: it needs root and `ip netns` (Linux network namespaces).
 * `reason` is a one-line skip reason, e.g. for `t.skip(err.reason)` or `test.skip`.
 */
export class ProtectedModeUnavailableError extends RomaineError {
  /** Why the server cannot be started here, as a test runner's skip reason. */
  readonly reason: string;
  constructor(reason: string) {
    super('EPROTECTEDMODEUNAVAILABLE', `protectedModeServer() is unavailable: ${reason}`);
    this.reason = reason;
  }
}

/**
 * A server of the harness could not listen on its port (or its cluster bus port, port + 10000):
 * something else held it for as long as the start or restart was allowed to wait
 * (`startTimeoutMs`). `holder` says what, as far as this machine lets us see.
 */
export class PortInUseError extends RomaineError {
  /** The port that was taken: the server's own, its TLS port, or its cluster bus port. */
  readonly port: number;
  /** What holds it, e.g. "pid 4242 (node) listens on it". */
  readonly holder: string;
  constructor(host: string, port: number, holder: string, waitedMs: number, log: string) {
    super(
      'EPORTINUSE',
      `redis-server cannot listen on ${host}:${port} (Address already in use), still taken after ${waitedMs} ms: ${holder}\n${log}`,
    );
    this.port = port;
    this.holder = holder;
  }
}

let installed: string | undefined;

/** Throws RedisNotInstalledError unless redis-server and redis-cli run (checked once per process). */
export function requireRedis(): void {
  if (installed === 'yes') return;
  for (const program of ['redis-server', 'redis-cli']) {
    const r = spawnSync(program, ['--version'], { stdio: 'ignore' });
    if (r.error !== undefined) throw new RedisNotInstalledError(program);
  }
  installed = 'yes';
}

/**
 * Checks a public function's options object: undefined or a plain object whose keys are all
 * known. Unknown keys are refused with the nearest known name, as the client does.
 */
export function checkOptions(fn: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${fn}: options must be an object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || closeTo(k, key));
      throw new InvalidArgumentError(
        `${fn}: unknown option '${key}'` +
          (near !== undefined ? ` (did you mean '${near}'?)` : ` (known: ${known.join(', ')})`),
      );
    }
  }
  return value as Record<string, unknown>;
}

/** An integer option within [min, max], or undefined. */
export function intOption(fn: string, name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${fn}: '${name}' must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** A string[] option (server arguments), or undefined. */
export function argsOption(fn: string, name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((a) => typeof a === 'string')) {
    throw new InvalidArgumentError(
      `${fn}: '${name}' must be an array of strings (redis-server arguments, e.g. ['--maxmemory', '10mb']), got ${describe(value)}`,
    );
  }
  return [...value];
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function') return 'a function';
  return inspect(v);
}

// One edit apart (a typo): a cheap "did you mean".
function closeTo(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}

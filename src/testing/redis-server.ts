// A real redis-server per test, on a free loopback port, in its own temp dir.
//
// Why real servers: the client's lifecycle is about what real servers do on
// the wire (DENIED, LOADING, restarts, pauses); a mock would only replay our
// own assumptions. Every server started here is killed by pid when the test
// process exits, even if a test forgets to stop it (see cleanup.ts).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, openSync, closeSync, readFileSync, statSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import { once } from 'node:events';
import { onProcessExit, PHASE_PROCESS, PHASE_FILES } from './cleanup';
import { tlsFixtures, type CertFiles } from './tls';
import { PortInUseError } from './errors';
import { canBind, reservePort, type PortReservation } from './ports';
import { describePortHolder } from './port-holder';

export { freePort } from './ports';

export interface RedisServerOptions {
  /** Extra redis-server args, e.g. ['--requirepass', 's3cret']. Later args win over ours. */
  args?: string[];
  /**
   * true: plain TCP on `port` AND TLS on `tlsPort` (certs from tls.ts, tls-auth-clients no).
   * 'only': TLS only, on `port` (`url` is then rediss://).
   */
  tls?: boolean | 'only';
  /** The server's cert (default tlsFixtures().server); e.g. tlsFixtures().expired. */
  tlsCert?: CertFiles;
  /** --tls-auth-clients yes (clients must show a cert signed by the test CA). Default no. */
  tlsAuthClients?: boolean;
  /** Also listen on a unix socket in the server's dir (`socketPath`). */
  unixSocket?: boolean;
  /** Start inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** Space-separated bind addresses; the first one becomes `host`. Default 127.0.0.1. */
  bind?: string;
  /** Use this port instead of a free one (no retry and no reservation: PortInUseError if taken). */
  port?: number;
  /** 'ready' (default): wait for "Ready to accept connections", i.e. after any RDB load.
   *  'listening': return as soon as a TCP connect succeeds (use it to observe -LOADING). */
  wait?: 'ready' | 'listening';
  /**
   * Give up starting after this long (default 15 s). A restart also waits this long for its port
   * (or cluster bus port) to be free again before it rejects with PortInUseError.
   */
  startTimeoutMs?: number;
  /**
   * A config file's text, written to `redis.conf` in the server's dir and passed first. Sentinel
   * needs one (it rewrites it with what it learns, so a restart remembers the deployment).
   */
  config?: string;
  /** Run as a sentinel (`redis-server redis.conf --sentinel`; needs `config`). */
  sentinel?: boolean;
}

export interface RestartOptions {
  /** Replace the extra args (default: keep the previous ones). */
  args?: string[];
  wait?: 'ready' | 'listening';
}

const live = new Set<RedisServer>();
const dirs = new Set<string>();

onProcessExit(() => {
  for (const s of live) {
    try {
      process.kill(s.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}, PHASE_PROCESS);
onProcessExit(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, PHASE_FILES);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RedisServer {
  readonly dir: string;
  readonly host: string;
  readonly socketPath?: string;
  readonly netns?: string;
  private _port: number;
  private _tlsPort?: number;
  private child?: ChildProcess;
  private opts: RedisServerOptions;
  private args: string[];
  private logPath: string;
  private configPath?: string;

  private constructor(opts: RedisServerOptions, port: number) {
    this.opts = opts;
    this.args = opts.args ?? [];
    this.dir = mkdtempSync(join(tmpdir(), 'romaine-redis-'));
    dirs.add(this.dir);
    this.logPath = join(this.dir, 'redis.log');
    this.host = (opts.bind ?? '127.0.0.1').split(/\s+/)[0];
    this.netns = opts.netns;
    if (opts.unixSocket) this.socketPath = join(this.dir, 'redis.sock');
    this._port = port;
    if (opts.config !== undefined) {
      this.configPath = join(this.dir, 'redis.conf');
      writeFileSync(this.configPath, opts.config);
    }
  }

  /**
   * Start a server: own temp dir, --save "" --appendonly no, and (without `port`) a port reserved
   * for it until destroy() (ports.ts), so that nobody takes it while it is stopped.
   */
  static async start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    const s = new RedisServer(opts, opts.port ?? 0);
    const t0 = Date.now();
    const tries = opts.port === undefined ? 8 : 1;
    for (let i = 1; ; i++) {
      if (opts.port === undefined) {
        s.releasePorts();
        s.reserved.push(await reservePort());
        s._port = s.reserved[0].port;
        if (opts.tls === true) {
          s.reserved.push(await reservePort());
          s._tlsPort = s.reserved[1].port;
        }
      }
      try {
        await s.spawnAndWait(opts.wait ?? 'ready');
        return s;
      } catch (err) {
        // Something outside the harness took a reserved port before redis-server bound it: pick again.
        if (err instanceof AddressInUse && i < tries) continue;
        s.releasePorts();
        throw err instanceof AddressInUse ? s.portInUse(err, Date.now() - t0) : err;
      }
    }
  }

  /** The ports reserved for this server (none when started on a given port). */
  private reserved: PortReservation[] = [];
  private releasePorts(): void {
    for (const r of this.reserved) r.release();
    this.reserved = [];
  }

  private portInUse(err: AddressInUse, waitedMs: number): PortInUseError {
    // Inside a network namespace, /proc/net of this one says nothing about the port.
    const holder = this.netns === undefined ? describePortHolder(err.port) : `something in netns ${this.netns}`;
    return new PortInUseError(this.host, err.port, holder, waitedMs, err.log);
  }

  get port(): number {
    return this._port;
  }
  /** The TLS port when started with `tls: true` (with 'only' it is `port`). */
  get tlsPort(): number | undefined {
    return this.opts.tls === 'only' ? this._port : this._tlsPort;
  }
  get url(): string {
    return `${this.opts.tls === 'only' ? 'rediss' : 'redis'}://${this.host}:${this._port}`;
  }
  get tlsUrl(): string | undefined {
    const p = this.tlsPort;
    return p === undefined ? undefined : `rediss://${this.host}:${p}`;
  }
  get pid(): number {
    if (!this.child?.pid) throw new Error('redis-server is not running');
    return this.child.pid;
  }
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }
  /** The current extra args (the password for cli() is read from them). */
  get currentArgs(): readonly string[] {
    return this.args;
  }

  private buildArgs(once: string[]): string[] {
    const head = this.configPath === undefined ? [] : [this.configPath];
    if (this.opts.sentinel) head.push('--sentinel');
    const a = [...head, '--dir', this.dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', ''];
    a.push('--bind', ...(this.opts.bind ?? '127.0.0.1').split(/\s+/));
    if (this.socketPath) a.push('--unixsocket', this.socketPath, '--unixsocketperm', '700');
    if (this.opts.tls) {
      const t = tlsFixtures();
      if (this.opts.tls === 'only') a.push('--port', '0', '--tls-port', String(this._port));
      else a.push('--port', String(this._port), '--tls-port', String(this._tlsPort));
      const cert = this.opts.tlsCert ?? t.server;
      a.push('--tls-cert-file', cert.certPath, '--tls-key-file', cert.keyPath, '--tls-ca-cert-file', t.ca.certPath);
      a.push('--tls-auth-clients', this.opts.tlsAuthClients ? 'yes' : 'no');
    } else {
      a.push('--port', String(this._port));
    }
    return [...a, ...this.args, ...once];
  }

  private async spawnAndWait(wait: 'ready' | 'listening', once: string[] = []): Promise<void> {
    // Log to stdout, appended to one file: it also catches FATAL CONFIG errors,
    // which redis prints before it would open a --logfile. No pipe to drain.
    const offset = existsSync(this.logPath) ? statSync(this.logPath).size : 0;
    const fd = openSync(this.logPath, 'a');
    const cmd = this.netns ? 'ip' : 'redis-server';
    // `ip netns exec` execs in place (no fork), so child.pid is redis-server's pid.
    const argv = this.netns
      ? ['netns', 'exec', this.netns, 'redis-server', ...this.buildArgs(once)]
      : this.buildArgs(once);
    let child: ChildProcess;
    try {
      child = spawn(cmd, argv, { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    if (child.pid) live.add(this);
    // Unref so a forgotten server cannot keep the test process alive (the exit
    // hook kills it); waits below keep the loop alive with their own timers.
    child.unref();
    child.once('exit', () => {
      if (this.child === child) live.delete(this);
    });
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 15000);
    for (;;) {
      if (!this.running || !child.pid) {
        const log = this.logSince(offset, 20);
        const busy = busyPort(log, this._port);
        const message = `redis-server failed to start on port ${this._port}:\n${log}`;
        throw busy === undefined ? new Error(message) : new AddressInUse(busy, log, message);
      }
      // A sentinel never logs "Ready to accept connections": it is ready once it listens.
      if (
        wait === 'ready' && !this.opts.sentinel
          ? /Ready to accept connections/.test(this.logSince(offset))
          : await this.tcpConnects()
      )
        return;
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`redis-server did not become ${wait} within the timeout:\n${this.logSince(offset, 20)}`);
      }
      await sleep(20);
    }
  }

  private tcpConnects(): Promise<boolean> {
    return new Promise((resolve) => {
      const sock = net.connect({ host: this.host, port: this._port });
      sock.setTimeout(500);
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
      sock.once('timeout', () => {
        sock.destroy();
        resolve(false);
      });
    });
  }

  private logSince(offset: number, lines?: number): string {
    let text: string;
    try {
      text = readFileSync(this.logPath, 'utf8').slice(offset);
    } catch {
      return '';
    }
    return lines === undefined
      ? text
      : text
          .split('\n')
          .slice(-lines - 1)
          .join('\n');
  }

  /** The last lines of the server's log (across restarts). */
  logTail(lines = 30): string {
    return this.logSince(0, lines);
  }

  /** Stop (if running), then start again on the same port and dir (an RDB in it gets loaded). */
  async restart(opts: RestartOptions = {}): Promise<void> {
    await this.restartWith(opts, []);
  }

  private async restartWith(opts: RestartOptions, once: string[]): Promise<void> {
    await this.stop();
    if (opts.args) this.args = opts.args;
    // The port is reserved for us (ports.ts), but something outside the harness may hold it (or the
    // bus port) for a while, e.g. a process that binds ports of its own choosing: wait until it is
    // free, within the start timeout, rather than fail the restart.
    const t0 = Date.now();
    const deadline = t0 + (this.opts.startTimeoutMs ?? 15000);
    for (;;) {
      try {
        await this.spawnAndWait(opts.wait ?? 'ready', once);
        return;
      } catch (err) {
        if (!(err instanceof AddressInUse)) throw err;
        if (!(await this.waitFree(err.port, deadline))) throw this.portInUse(err, Date.now() - t0);
      }
    }
  }

  /** Polls until `port` can be bound again; false once `deadline` passed. */
  private async waitFree(port: number, deadline: number): Promise<boolean> {
    for (;;) {
      if (Date.now() >= deadline) return false;
      await sleep(100);
      // In a namespace the host's view of the port is not the server's: just try again.
      if (this.netns !== undefined || (await canBind(port, '127.0.0.1'))) return Date.now() < deadline;
    }
  }

  /** SIGTERM (with --save "" redis exits without saving), wait for exit; SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    if (!(await this.waitExit(10000))) await this.kill();
  }

  /** SIGKILL and wait for exit. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.waitExit(10000);
  }

  private async waitExit(ms: number): Promise<boolean> {
    const child = this.child!;
    if (!this.running) return true;
    // The timer also keeps the loop alive while the child is unref'd; it must be
    // cleared, or every stop() would hold the test process open for `ms`.
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      child.once('exit', () => resolve());
    });
    clearTimeout(timer);
    return !this.running;
  }

  /** redis-cli arguments to reach this server (inside its namespace, via loopback there). */
  private cliArgs(): { cmd: string; argv: string[]; env: NodeJS.ProcessEnv } {
    const host = this.netns ? '127.0.0.1' : this.host;
    const argv = ['-h', host, '-p', String(this._port)];
    if (this.opts.tls === 'only') {
      // redis-cli verifies the server cert: skip that (--insecure) so it also works with bad certs.
      const t = tlsFixtures();
      argv.push('--tls', '--insecure', '--cert', t.client.certPath, '--key', t.client.keyPath);
    }
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.REDISCLI_AUTH;
    const pw = this.password();
    if (pw !== undefined) env.REDISCLI_AUTH = pw; // env, not -a: keeps it off ps output
    return this.netns
      ? { cmd: 'ip', argv: ['netns', 'exec', this.netns, 'redis-cli', ...argv], env }
      : { cmd: 'redis-cli', argv, env };
  }

  /** The --requirepass in effect, if any (the last one wins, as in redis). */
  private password(): string | undefined {
    let pw: string | undefined;
    this.args.forEach((a, i) => {
      if (a === '--requirepass') pw = this.args[i + 1];
    });
    return pw === '' ? undefined : pw;
  }

  /**
   * Run redis-cli against this server and return its stdout without the last
   * newline. Authenticates with the current --requirepass. Note: redis-cli prints
   * error replies ("ERR ...", "NOAUTH ...") on stdout and still exits 0.
   */
  cli(...args: string[]): Promise<string> {
    const { cmd, argv, env } = this.cliArgs();
    return new Promise((resolve, reject) => {
      execFile(cmd, [...argv, ...args], { env, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`redis-cli ${args.join(' ')} failed: ${err.message} ${stderr}`));
        else resolve(stdout.replace(/\n$/, ''));
      });
    });
  }

  /**
   * Make the server hold every client's commands for `ms` (CLIENT PAUSE ms ALL).
   * There is no early unpause: CLIENT UNPAUSE from any client is held too.
   * stop()/kill()/restart() still work (signals are not paused).
   */
  async pause(ms: number): Promise<void> {
    const r = await this.cli('CLIENT', 'PAUSE', String(ms), 'ALL');
    if (r !== 'OK') throw new Error(`CLIENT PAUSE failed: ${r}`);
  }

  /**
   * Fill the server with about `mb` MiB of string values (keys `big:N`) through
   * `redis-cli --pipe`, then SAVE, so that the next restart() loads dump.rdb and
   * answers -LOADING meanwhile. Use restart({ wait: 'listening' }) to see it.
   * Measured here (1 KiB values): 10 MiB loads in ~65 ms, 50 MiB ~0.4 s,
   * 100 MiB ~0.75 s (filling + SAVE of 100 MiB takes ~2.4 s); 200 MiB of
   * 64 KiB values ~1.4 s. Too fast to rely on: prefer restartLoading(ms).
   */
  async loadBigDataset(mb: number, opts: { valueBytes?: number } = {}): Promise<{ keys: number; rdbBytes: number }> {
    const valueBytes = opts.valueBytes ?? 1024;
    const keys = Math.max(1, Math.ceil((mb * 1024 * 1024) / valueBytes));
    const { cmd, argv, env } = this.cliArgs();
    const child = spawn(cmd, [...argv, '--pipe'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const value = 'v'.repeat(valueBytes);
    const batch = 1000;
    for (let i = 0; i < keys; i += batch) {
      let chunk = '';
      for (let k = i; k < Math.min(keys, i + batch); k++) {
        const key = `big:${k}`;
        chunk += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${valueBytes}\r\n${value}\r\n`;
      }
      if (!child.stdin.write(chunk)) await once(child.stdin, 'drain');
    }
    child.stdin.end();
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0 || !/errors: 0, replies: \d+/.test(out)) throw new Error(`redis-cli --pipe failed: ${out}`);
    // Uncompressed, so the RDB really is ~mb MiB: redis processes events (and so
    // answers -LOADING) per 2 MiB of RDB read, and 'vvvv...' compresses to nothing.
    await this.cli('CONFIG', 'SET', 'rdbcompression', 'no');
    const saved = await this.cli('SAVE');
    if (saved !== 'OK') throw new Error(`SAVE failed: ${saved}`);
    return { keys, rdbBytes: statSync(join(this.dir, 'dump.rdb')).size };
  }

  /**
   * Restart so that the server spends about `ms` answering -LOADING, then
   * serves normally. Adds a 2 MiB dataset (keys big:0..2047) the first time.
   * Resolves as soon as the port accepts connections, i.e. while loading.
   * The slow-loading args apply to this one start only.
   */
  async restartLoading(ms = 2000): Promise<void> {
    if (this.slowKeys === undefined) this.slowKeys = (await this.loadBigDataset(2)).keys;
    await this.restartWith({ wait: 'listening' }, loadingArgs(ms, this.slowKeys));
  }
  private slowKeys?: number;

  /** Stop and forget this server's temp dir (also done at process exit). */
  async destroy(): Promise<void> {
    await this.kill();
    this.releasePorts();
    rmSync(this.dir, { recursive: true, force: true });
    dirs.delete(this.dir);
  }
}

/**
 * Extra args that make a restart spend about `ms` in LOADING with an RDB of
 * `keys` keys: redis' own test knob `key-load-delay` (microseconds of sleep
 * per key; a hidden config, not DEBUG) and event processing every 1 KiB of RDB
 * so that -LOADING is answered promptly. Each key also costs ~200 us of
 * usleep and event-loop overhead here, which is subtracted. Approximate (+-25%).
 */
export function loadingArgs(ms: number, keys: number): string[] {
  const perKeyUs = Math.max(1, Math.round((ms * 1000) / Math.max(1, keys)) - LOAD_OVERHEAD_US);
  return ['--key-load-delay', String(perKeyUs), '--loading-process-events-interval-bytes', '1024'];
}
const LOAD_OVERHEAD_US = 200;

/** redis-server could not listen on `port` (its own, TLS or cluster bus port): it exited at start. */
class AddressInUse extends Error {
  constructor(
    readonly port: number,
    readonly log: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The port redis-server's log says it could not bind ("Could not create server TCP listening
 * socket 127.0.0.1:21234: bind: Address already in use"), or `fallback` when the log says it
 * without naming one; undefined when the start failed for another reason.
 */
export function busyPort(log: string, fallback: number): number | undefined {
  const m = /listening socket (\S+): bind: Address already in use/i.exec(log);
  if (m !== null) return Number(m[1].slice(m[1].lastIndexOf(':') + 1));
  return /Address already in use/i.test(log) ? fallback : undefined;
}

/** Stop every server this process started (for an after() hook). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()));
}

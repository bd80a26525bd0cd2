import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const INSTALL_HINT =
  'redis-server is not on PATH: install it with `sudo apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis` (macOS).';

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error === undefined;
}

export interface ThrowawayOptions {
  /** Extra redis-server arguments, kept across restarts unless a restart replaces them. */
  args?: string[];
  /** Run inside this network namespace, listening on `host` there (and its loopback). */
  netns?: { name: string; host: string };
}

/**
 * A redis-server of our own on a free port, in a temp dir, killed by pid when done — and, should
 * the process end first, killed by pid from a synchronous exit hook (see `killNow()`).
 */
export class ThrowawayServer {
  private child: ChildProcess | undefined;
  private args: string[];
  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly dir: string,
    private readonly opts: ThrowawayOptions,
  ) {
    this.args = opts.args ?? [];
  }

  static async start(opts: ThrowawayOptions = {}): Promise<ThrowawayServer> {
    const port = await freePort();
    const host = opts.netns?.host ?? '127.0.0.1';
    const server = new ThrowawayServer(host, port, mkdtempSync(join(tmpdir(), 'romaine-demo-')), opts);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  private async launch(): Promise<void> {
    const bind = this.opts.netns !== undefined ? [this.host, '127.0.0.1'] : ['127.0.0.1'];
    const argv = [
      '--port',
      String(this.port),
      '--bind',
      ...bind,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      ...this.args,
    ];
    // `ip netns exec` execs in place, so the child's pid is redis-server's own.
    const child =
      this.opts.netns !== undefined
        ? spawn('ip', ['netns', 'exec', this.opts.netns.name, 'redis-server', ...argv], { stdio: 'ignore' })
        : spawn('redis-server', argv, { stdio: 'ignore' });
    this.child = child;
    child.once('error', () => undefined);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} while starting`))),
    );
    exited.catch(() => undefined);
    for (let i = 0; i < 100; i++) {
      if (await accepts(this.host, this.port)) return;
      await Promise.race([sleep(50), exited]);
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /**
   * Kill (SIGKILL: the server vanishes as in a crash), wait `downMs`, start again on the same port
   * and dir. `args` replaces the extra arguments for this start and the ones after it.
   */
  async restart(opts: { args?: string[]; downMs?: number } = {}): Promise<void> {
    await this.kill();
    if (opts.args !== undefined) this.args = opts.args;
    if ((opts.downMs ?? 0) > 0) await sleep(opts.downMs ?? 0);
    await this.launch();
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  /** Synchronous, for exit hooks: SIGKILL by pid and remove the dir. */
  killNow(): void {
    const pid = this.pid;
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A throwaway redis-server for the benchmark: loopback only, a free port (never 6379), no
 * persistence, and stopped by its pid (never by name).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HOST = '127.0.0.1';

/** A port nothing listens on right now (the OS picks it; 6379 is refused). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, HOST, () => {
        const address = srv.address();
        const p = typeof address === 'object' && address !== null ? address.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port !== 6379 && port !== 0) return port;
  }
}

export interface RedisServer {
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: HOST, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function redisServerVersion(): string {
  const out = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (out.error !== undefined || out.status !== 0) {
    throw new Error(
      'redis-server is not installed or not on PATH: the benchmark starts its own server (apt-get install redis-server)',
    );
  }
  return /v=(\S+)/.exec(out.stdout)?.[1] ?? out.stdout.trim();
}

export async function startRedis(): Promise<RedisServer> {
  const version = redisServerVersion();
  const dir = mkdtempSync(join(tmpdir(), 'romaine-bench-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      HOST,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start redis-server');
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (!exited) {
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) process.kill(pid, 'SIGKILL');
      }, 3000);
      await exitPromise;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Whatever happens to the benchmark, the server goes with it.
  process.once('exit', () => {
    if (!exited) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  });
  const deadline = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, pid, version, stop };
}

/** Sends one inline command and waits for its reply line (FLUSHALL between clients). */
export function rawCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: HOST, port });
    let buf = '';
    s.once('connect', () => s.write(`${command}\r\n`));
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\r\n')) {
        s.destroy();
        resolve(buf.trim());
      }
    });
    s.once('error', reject);
  });
}

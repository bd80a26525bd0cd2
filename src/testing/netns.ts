// A redis-server in its own network namespace, reached over a veth pair.
//
// Why: protected mode only refuses non-loopback clients, and every address of
// the root namespace is "local" to a server there. From the root namespace,
// 10.x.y.2 inside a namespace is a real remote peer, so `--protected-mode yes`
// answers `-DENIED ...` exactly as in production. Needs root (`ip netns`);
// tests elsewhere should skip with a message (canUseNetns()).
//
// Collision-free across parallel test processes: a namespace name is claimed
// atomically by `ip netns add` (it fails if the name exists), and the /30
// subnet is derived from the same slot number, so name and subnet are unique
// together. Interface names (`rmn<slot>-h`/`-n`) stay under 15 chars.
import { execFileSync, spawnSync } from 'node:child_process';
import { RedisServer, type RedisServerOptions } from './redis-server';
import { onProcessExit, PHASE_NETNS } from './cleanup';

const SLOTS = 1 << 16; // 10.180.0.0/14 cut into /30s
const live = new Set<string>();

onProcessExit(() => {
  for (const name of live) removeNetns(name);
}, PHASE_NETNS);

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function removeNetns(name: string): void {
  // Deleting one end of the veth pair deletes both; do it explicitly because
  // the namespace (and so its end) lives on while any process is still inside.
  spawnSync('ip', ['link', 'del', `${name}-h`], { stdio: 'ignore' });
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  live.delete(name);
}

let usable: boolean | undefined;
/** True when this process can create network namespaces (root with a working `ip netns`). */
export function canUseNetns(): boolean {
  if (usable !== undefined) return usable;
  usable = false;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return usable;
  const probe = `rmnprobe${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { stdio: 'ignore' });
  if (r.status === 0) {
    spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
    usable = true;
  }
  return usable;
}

let iptablesOk: boolean | undefined;
/** True when `iptables` is installed (Debian package `iptables`) and works in a namespace. */
export function hasIptables(): boolean {
  if (iptablesOk === undefined) {
    iptablesOk = spawnSync('iptables', ['--version'], { stdio: 'ignore' }).status === 0;
  }
  return iptablesOk;
}

/** The reason to give test.skip() when netns tests cannot run here. */
export function netnsSkipReason(needIptables = false): string | false {
  if (!canUseNetns()) return 'needs root and `ip netns` (network namespaces) to run a real non-loopback peer';
  if (needIptables && !hasIptables()) return 'needs iptables (apt-get install -y iptables) for a real black hole';
  return false;
}

export interface Netns {
  /** Namespace name, e.g. rmn1234. */
  readonly name: string;
  /** Address of the root-namespace end of the veth (the client's source address). */
  readonly hostIp: string;
  /** Address inside the namespace: connect here from the test. */
  readonly nsIp: string;
  /** Run a command inside the namespace (synchronously); returns stdout. */
  exec(cmd: string, ...args: string[]): string;
  /** iptables DROP of all traffic to/from `port` on the veth (both directions): a real half-open peer. */
  blackhole(port: number, on: boolean): void;
  destroy(): void;
}

let counter = 0;

/** Create a namespace with a veth pair to the root namespace, both ends up. */
export function createNetns(): Netns {
  if (!canUseNetns()) throw new Error(netnsSkipReason() as string);
  const start = (process.pid * 97 + counter++ * 7919) % SLOTS;
  for (let i = 0; i < 256; i++) {
    const slot = (start + i) % SLOTS;
    const name = `rmn${slot}`;
    if (spawnSync('ip', ['netns', 'add', name], { stdio: 'ignore' }).status !== 0) continue; // taken
    live.add(name);
    const base = [10, 180 + (slot >> 14), (slot >> 6) & 0xff, (slot & 0x3f) << 2];
    const hostIp = [base[0], base[1], base[2], base[3] + 1].join('.');
    const nsIp = [base[0], base[1], base[2], base[3] + 2].join('.');
    const h = `${name}-h`;
    const n = `${name}-n`;
    try {
      ip('link', 'add', h, 'type', 'veth', 'peer', 'name', n);
    } catch {
      removeNetns(name); // a stale veth from a dead process holds this slot: next
      continue;
    }
    try {
      ip('link', 'set', n, 'netns', name);
      ip('addr', 'add', `${hostIp}/30`, 'dev', h);
      ip('link', 'set', h, 'up');
      ip('netns', 'exec', name, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', n);
      ip('netns', 'exec', name, 'ip', 'link', 'set', n, 'up');
      ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    } catch (err) {
      removeNetns(name);
      throw err;
    }
    const exec = (cmd: string, ...args: string[]) =>
      execFileSync('ip', ['netns', 'exec', name, cmd, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const blocked = new Set<number>();
    return {
      name,
      hostIp,
      nsIp,
      exec,
      blackhole(port: number, on: boolean) {
        if (!hasIptables()) throw new Error('iptables is not installed (apt-get install -y iptables)');
        if (on === blocked.has(port)) return;
        const op = on ? '-I' : '-D';
        // Only on the veth: the namespace's own loopback (server.cli()) keeps working.
        exec('iptables', op, 'INPUT', '-i', n, '-p', 'tcp', '--dport', String(port), '-j', 'DROP');
        exec('iptables', op, 'OUTPUT', '-o', n, '-p', 'tcp', '--sport', String(port), '-j', 'DROP');
        if (on) blocked.add(port);
        else blocked.delete(port);
      },
      destroy: () => removeNetns(name),
    };
  }
  throw new Error('no free network namespace slot (rmn*): stale namespaces? see `ip netns list`');
}

export interface NetnsRedisOptions extends Omit<RedisServerOptions, 'netns' | 'bind'> {
  /** --protected-mode (default true: a client from the root namespace gets -DENIED). */
  protectedMode?: boolean;
}

export interface NetnsRedis {
  /** The server's address inside the namespace (a non-loopback peer for us). */
  readonly host: string;
  readonly port: number;
  /** redis://host:port */
  readonly url: string;
  readonly server: RedisServer;
  readonly netns: Netns;
  /** Black-hole the server's port on the veth (needs iptables). */
  blackhole(on: boolean): void;
  /** Kill the server, delete its dir and the namespace. Also done at process exit. */
  destroy(): Promise<void>;
}

/**
 * Start a redis-server inside a fresh namespace, listening on the namespace's
 * address and its loopback (so `server.cli()` works even in protected mode).
 * server.restart({ args: ['--protected-mode', 'no'] }) switches it live.
 */
export async function startNetnsRedis(opts: NetnsRedisOptions = {}): Promise<NetnsRedis> {
  const ns = createNetns();
  try {
    const pm = ['--protected-mode', opts.protectedMode === false ? 'no' : 'yes'];
    const server = await RedisServer.start({
      ...opts,
      netns: ns.name,
      bind: `${ns.nsIp} 127.0.0.1`,
      args: [...pm, ...(opts.args ?? [])],
    });
    return {
      host: ns.nsIp,
      port: server.port,
      url: `redis://${ns.nsIp}:${server.port}`,
      server,
      netns: ns,
      blackhole: (on: boolean) => ns.blackhole(server.port, on),
      async destroy() {
        await server.destroy();
        ns.destroy();
      },
    };
  } catch (err) {
    ns.destroy();
    throw err;
  }
}

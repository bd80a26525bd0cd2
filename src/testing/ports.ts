// Ports for the harness' servers: picked where nothing else will take them, and held until the
// server is destroyed, across restarts and across test processes.
//
// Why: a server that is restarted on its own port loses it if anything binds it in between.
// Three things did, on a loaded CI machine:
// - another test process picking the same "free" port (the port looks free while the server is
//   stopped): every port the harness hands out is reserved with a lock file per port in the
//   system temp dir, which every harness process on the machine honours, until destroy();
// - the kernel giving the port to an outgoing connection as its local (ephemeral) port: ports are
//   picked outside /proc/sys/net/ipv4/ip_local_port_range;
// - the same two for a cluster node's bus port, which is the port + 10000: it is reserved and kept
//   outside the ephemeral range along with the port, for every server (any may be a cluster node).
//
// A lock file holds the pid of the process that reserved the port. It is removed on release and
// at process exit; a lock left by a process that was SIGKILLed (its pid is gone) is reclaimed.
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import { once } from 'node:events';
import { onProcessExit, PHASE_FILES } from './cleanup';

/** A Redis Cluster node listens for its peers on its port + 10000 (the cluster bus). */
export const CLUSTER_BUS_OFFSET = 10000;

/** The lowest port the harness picks (well above the well-known and registered low ports). */
const LOWEST = 10000;

/** The kernel's range of local ports for outgoing connections and bind(0). */
export function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi) && lo > 0 && hi >= lo) return [lo, hi];
  } catch {
    // not Linux: below
  }
  // Linux' default starts at 32768; macOS and Windows use IANA's 49152-65535.
  return [32768, 65535];
}

let pickable: number[] | undefined;

/**
 * The ports p the harness may hand out: p and p + 10000 are both outside the ephemeral range
 * (10000-22767 with Linux' default range). If the range leaves none, any p in [10000, 55535].
 */
export function pickablePorts(): readonly number[] {
  if (pickable !== undefined) return pickable;
  const [lo, hi] = ephemeralRange();
  const outside = (p: number) => p < lo || p > hi;
  const all: number[] = [];
  const ok: number[] = [];
  for (let p = LOWEST; p + CLUSTER_BUS_OFFSET <= 65535; p++) {
    all.push(p);
    if (outside(p) && outside(p + CLUSTER_BUS_OFFSET)) ok.push(p);
  }
  pickable = ok.length >= 100 ? ok : all;
  return pickable;
}

/** A port (and its bus port) held for one server until release(). */
export interface PortReservation {
  readonly port: number;
  /** Frees the port and its bus port for others. Idempotent. */
  release(): void;
}

// The lock dir is per user: another user's files in the shared temp dir could not be removed.
const lockDir = join(tmpdir(), `romaine-ports-${userInfo().uid}`);
let lockDirUsable: boolean | undefined;
/** Ports reserved by this process, with their lock file (undefined: the lock dir is unusable). */
const held = new Map<number, string | undefined>();

onProcessExit(() => {
  for (const path of held.values()) {
    if (path === undefined) continue;
    try {
      unlinkSync(path);
    } catch {
      /* gone */
    }
  }
  held.clear();
}, PHASE_FILES);

function usableLockDir(): boolean {
  if (lockDirUsable === undefined) {
    try {
      mkdirSync(lockDir, { recursive: true, mode: 0o700 });
      lockDirUsable = true;
    } catch {
      lockDirUsable = false; // then reservations hold within this process only
    }
  }
  return lockDirUsable;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockOwner(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Is `port` reserved by this process or, per its lock file, by a live process? */
export function isReserved(port: number): boolean {
  if (held.has(port)) return true;
  if (!usableLockDir()) return false;
  const path = join(lockDir, String(port));
  const pid = lockOwner(path);
  if (pid !== undefined) return alive(pid);
  try {
    readFileSync(path);
    return true; // being written right now
  } catch {
    return false;
  }
}

/**
 * Removes the lock file at `path` if the process that wrote it is gone. The file is first renamed
 * to a name of our own (atomic: of two processes reclaiming it, one gets it), then its owner is
 * read again from the renamed file: if a live process had created a fresh lock in between, it is
 * linked back.
 */
function reclaimStale(path: string): boolean {
  const pid = lockOwner(path);
  if (pid === undefined || alive(pid)) return false;
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  const owner = lockOwner(aside);
  if (owner !== undefined && alive(owner)) {
    try {
      linkSync(aside, path);
    } catch {
      /* someone holds it again */
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}

/** Takes the lock of one port for this process; false if anyone holds it. */
function lock(port: number): boolean {
  if (held.has(port)) return false;
  if (!usableLockDir()) {
    held.set(port, undefined);
    return true;
  }
  const path = join(lockDir, String(port));
  for (let i = 0; i < 2; i++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      held.set(port, path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !reclaimStale(path)) return false;
    }
  }
  return false;
}

function unlock(port: number): void {
  const path = held.get(port);
  held.delete(port);
  if (path === undefined) return;
  try {
    unlinkSync(path);
  } catch {
    /* gone */
  }
}

/** Can something listen on `port` right now (as redis-server would, with SO_REUSEADDR)? */
export function canBind(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * Reserves `port` and its bus port (port + 10000) for this process if nobody holds either;
 * undefined otherwise. Does not check that they can be bound.
 */
export function tryReserve(port: number): PortReservation | undefined {
  const bus = port + CLUSTER_BUS_OFFSET;
  if (!lock(port)) return undefined;
  if (!lock(bus)) {
    unlock(port);
    return undefined;
  }
  let released = false;
  return {
    port,
    release: () => {
      if (released) return;
      released = true;
      unlock(port);
      unlock(bus);
    },
  };
}

/**
 * Reserves a port that nobody holds and that can be bound now, together with its bus port
 * (port + 10000), both outside the ephemeral range. Held until release() or process exit.
 */
export async function reservePort(host = '127.0.0.1'): Promise<PortReservation> {
  const ports = pickablePorts();
  for (let i = 0; i < 500; i++) {
    const r = tryReserve(ports[Math.floor(Math.random() * ports.length)]);
    if (r === undefined) continue;
    if ((await canBind(r.port, host)) && (await canBind(r.port + CLUSTER_BUS_OFFSET, host))) return r;
    r.release();
  }
  throw new Error(`no free port to reserve on ${host} after 500 tries (lock files in ${lockDir})`);
}

/**
 * A port that is free right now and reserved by nobody (not reserved for the caller either): for
 * a port where nothing listens, or a listener of the caller's own. Picked like reservePort()'s.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const ports = pickablePorts();
  for (let i = 0; i < 200; i++) {
    const port = ports[Math.floor(Math.random() * ports.length)];
    if (!isReserved(port) && !isReserved(port + CLUSTER_BUS_OFFSET) && (await canBind(port, host))) return port;
  }
  // Fallback: let the kernel choose (ephemeral range).
  const srv = net.createServer();
  srv.listen(0, host);
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

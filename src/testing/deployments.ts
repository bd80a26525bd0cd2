// startCluster() and startSentinel(): the cluster and sentinel harnesses behind small handles.
import { RedisCluster } from './cluster';
import { RedisSentinel } from './sentinel';
import { processHandle, type RedisProcess } from './start-redis';
import { argsOption, checkOptions, intOption, requireRedis } from './errors';
import { InvalidArgumentError } from '../errors';

/** A `{ host, port }` pair, as cluster seeds and sentinel lists take them. */
export interface HostPort {
  host: string;
  port: number;
}

/** What a switch of primary cost, as the harness saw it. */
export interface FailoverResult {
  /** The node that was primary before. */
  oldPrimary: RedisProcess;
  /** The node that is primary now. */
  newPrimary: RedisProcess;
  /** From the fault (kill, failover command) until the switch was seen everywhere, in ms. */
  tookMs: number;
}

/** Options of `killPrimary()`. */
export interface KillPrimaryOptions {
  /**
   * Before the SIGKILL, hold the primary's writes (CLIENT PAUSE WRITE) and wait until its replicas
   * have everything it acknowledged, so that asynchronous replication loses nothing: writes sent
   * meanwhile die unanswered with it. Default false: a plain SIGKILL, which may lose the last
   * acknowledged writes (as in production).
   */
  replicated?: boolean;
}

/** Options of `startCluster()`. */
export interface StartClusterOptions {
  /** Primaries (default 3, at least 3 as `redis-cli --cluster create` wants): the 16384 slots are split evenly. */
  primaries?: number;
  /** Replicas of each primary (default 1). */
  replicasPerPrimary?: number;
  /** Extra redis-server arguments for every node. */
  args?: string[];
  /** `requirepass` and `masterauth` on every node. */
  password?: string;
  /** `cluster-node-timeout` in ms (default 1000): how long a silent node takes to count as failed. */
  nodeTimeoutMs?: number;
  /** How long the start and each wait may take before giving up (default 30000 ms). */
  timeoutMs?: number;
  /**
   * `'only'`: every node serves TLS only (`urls` are `rediss://`) and the nodes talk TLS to each
   * other (cluster bus, replication), with the harness' self-signed test certificates: the client
   * needs `tls: { rejectUnauthorized: false }`. Default: plain TCP.
   */
  tls?: 'only';
}

/** A running Redis Cluster on loopback. */
export interface ClusterHandle {
  /** Every node, primaries and replicas, in start order. */
  readonly nodes: readonly RedisProcess[];
  /** `{ host, port }` of every node: what a cluster client takes as seeds. */
  readonly seeds: HostPort[];
  /** `redis://host:port` of every node. */
  readonly urls: string[];
  /** The node serving `slot` now. */
  primaryFor(slot: number): Promise<RedisProcess>;
  /**
   * A graceful switch: `CLUSTER FAILOVER` on a replica of the primary of `slot` (default 0);
   * resolves once every node sees the replica as primary and the cluster is healthy.
   */
  failover(slot?: number): Promise<FailoverResult>;
  /**
   * SIGKILLs the primary of `slot` (default 0) and resolves once a replica has taken over its slots
   * and the cluster is healthy. The killed node stays down: `oldPrimary.restart()` then
   * `waitHealthy()` bring it back as a replica.
   */
  killPrimary(slot?: number, options?: KillPrimaryOptions): Promise<FailoverResult>;
  /** Stops every node, starts them all again (same ports), waits until the cluster is healthy. Data survives only with persistence in `args`. */
  restartAll(): Promise<void>;
  /** Resolves once every running node says `cluster_state:ok`, knows every other node, and every replica is linked. */
  waitHealthy(): Promise<void>;
  /** Kills every node and removes their directories. Idempotent. Also done at process exit. */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const CLUSTER_OPTIONS = [
  'primaries',
  'replicasPerPrimary',
  'args',
  'password',
  'nodeTimeoutMs',
  'timeoutMs',
  'tls',
] as const;

function slotArg(fn: string, slot: unknown): number {
  if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0 || slot > 16383) {
    throw new InvalidArgumentError(`${fn}: slot must be an integer from 0 to 16383, got ${String(slot)}`);
  }
  return slot;
}

function killOptions(fn: string, options: unknown): { replicated?: boolean } {
  const o = checkOptions(fn, options, ['replicated']);
  if (o.replicated !== undefined && typeof o.replicated !== 'boolean') {
    throw new InvalidArgumentError(`${fn}: 'replicated' must be a boolean`);
  }
  return o.replicated === true ? { replicated: true } : {};
}

function passwordOption(fn: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new InvalidArgumentError(`${fn}: 'password' must be a non-empty string`);
  return v;
}

/**
 * Starts a Redis Cluster of `primaries` x (1 + `replicasPerPrimary`) redis-servers on free loopback
 * ports, joined with `redis-cli --cluster create`, and resolves once it is healthy (about 6-12 s).
 * Start one per test file and share it between the tests that leave it healthy.
 *
 * @throws {@link RedisNotInstalledError} when redis-server or redis-cli is not on PATH.
 * @throws InvalidArgumentError (from `romaine`) for an unknown or ill-typed option.
 */
export async function startCluster(options?: StartClusterOptions): Promise<ClusterHandle> {
  const fn = 'startCluster()';
  const o = checkOptions(fn, options, CLUSTER_OPTIONS);
  const primaries = intOption(fn, 'primaries', o.primaries, 3, 50);
  const replicas = intOption(fn, 'replicasPerPrimary', o.replicasPerPrimary, 0, 10);
  const args = argsOption(fn, 'args', o.args);
  const password = passwordOption(fn, o.password);
  const nodeTimeoutMs = intOption(fn, 'nodeTimeoutMs', o.nodeTimeoutMs, 100, 600_000);
  const timeoutMs = intOption(fn, 'timeoutMs', o.timeoutMs, 1, 3_600_000);
  if (o.tls !== undefined && o.tls !== 'only') {
    throw new InvalidArgumentError(`${fn}: 'tls' must be 'only' (every node serves TLS only) or absent`);
  }
  requireRedis();
  const c = await RedisCluster.start({
    ...(o.tls === 'only' ? { tls: true } : {}),
    ...(primaries === undefined ? {} : { primaries }),
    ...(replicas === undefined ? {} : { replicas }),
    ...(args === undefined ? {} : { args }),
    ...(password === undefined ? {} : { password }),
    ...(nodeTimeoutMs === undefined ? {} : { nodeTimeoutMs }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= c.destroy());
  return {
    get nodes() {
      return c.servers.map(processHandle);
    },
    get seeds() {
      return c.seeds;
    },
    get urls() {
      return c.servers.map((s) => s.url);
    },
    primaryFor: async (slot: number) => processHandle(await c.primaryFor(slotArg('primaryFor()', slot))),
    failover: async (slot = 0) => {
      const t0 = Date.now();
      const r = await c.failover(slotArg('failover()', slot));
      return {
        oldPrimary: processHandle(r.oldPrimary),
        newPrimary: processHandle(r.newPrimary),
        tookMs: Date.now() - t0,
      };
    },
    killPrimary: async (slot = 0, opts?: KillPrimaryOptions) => {
      const r = await c.killPrimary(slotArg('killPrimary()', slot), killOptions('killPrimary()', opts));
      return { oldPrimary: processHandle(r.killed), newPrimary: processHandle(r.promoted), tookMs: r.recoveredMs };
    },
    restartAll: () => c.restartAll(),
    waitHealthy: () => c.waitHealthy({ skipDown: true }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Options of `startSentinel()`. */
export interface StartSentinelOptions {
  /** Replicas of the primary (default 2). */
  replicas?: number;
  /** Sentinels (default 3); the quorum is a majority of them. */
  sentinels?: number;
  /** The master name the sentinels monitor (default `'mymaster'`). */
  masterName?: string;
  /** Extra redis-server arguments for the primary and its replicas. */
  args?: string[];
  /** `down-after-milliseconds` (default 1000): how long a silent primary takes to count as down. */
  downAfterMs?: number;
  /** How long the start and each wait may take before giving up (default 30000 ms). */
  timeoutMs?: number;
}

/** A running Sentinel deployment on loopback: one primary, its replicas, the sentinels. */
export interface SentinelHandle {
  /** The name the sentinels know the primary by (`sentinel monitor <masterName> ...`). */
  readonly masterName: string;
  /** `{ host, port }` of every sentinel: what a sentinel client is configured with. */
  readonly sentinels: HostPort[];
  /** The data nodes (the first was the primary at start). */
  readonly nodes: readonly RedisProcess[];
  /** The sentinel processes. */
  readonly sentinelNodes: readonly RedisProcess[];
  /** The data node the sentinels name as primary now. */
  primary(): Promise<RedisProcess>;
  /** `SENTINEL FAILOVER`: a graceful switch; resolves once every sentinel names the new primary and the deployment is healthy. */
  failover(): Promise<FailoverResult>;
  /**
   * SIGKILLs the primary and resolves once every sentinel names a new one. The killed node stays
   * down: `oldPrimary.restart()` then `waitHealthy()` bring it back (the sentinels make it a replica).
   */
  killPrimary(options?: KillPrimaryOptions): Promise<FailoverResult>;
  /** Stops every process, starts them all again (same ports), waits until the deployment is healthy. */
  restartAll(): Promise<void>;
  /** Resolves once every running sentinel agrees on the primary and knows every running replica and sentinel. */
  waitHealthy(): Promise<void>;
  /** Kills every process and removes their directories. Idempotent. Also done at process exit. */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const SENTINEL_OPTIONS = ['replicas', 'sentinels', 'masterName', 'args', 'downAfterMs', 'timeoutMs'] as const;

/**
 * Starts a Sentinel deployment on free loopback ports: a primary, `replicas` replicas and
 * `sentinels` sentinels (`redis-server --sentinel`), and resolves once every sentinel knows the
 * primary, every replica and every other sentinel (about 6-8 s).
 *
 * @throws {@link RedisNotInstalledError} when redis-server or redis-cli is not on PATH.
 * @throws InvalidArgumentError (from `romaine`) for an unknown or ill-typed option.
 */
export async function startSentinel(options?: StartSentinelOptions): Promise<SentinelHandle> {
  const fn = 'startSentinel()';
  const o = checkOptions(fn, options, SENTINEL_OPTIONS);
  const replicas = intOption(fn, 'replicas', o.replicas, 0, 10);
  const sentinels = intOption(fn, 'sentinels', o.sentinels, 1, 9);
  if (o.masterName !== undefined && (typeof o.masterName !== 'string' || !/^[\w.-]+$/.test(o.masterName))) {
    throw new InvalidArgumentError(`${fn}: 'masterName' must be a word (letters, digits, _ . -)`);
  }
  const args = argsOption(fn, 'args', o.args);
  const downAfterMs = intOption(fn, 'downAfterMs', o.downAfterMs, 100, 600_000);
  const timeoutMs = intOption(fn, 'timeoutMs', o.timeoutMs, 1, 3_600_000);
  requireRedis();
  const d = await RedisSentinel.start({
    ...(replicas === undefined ? {} : { replicas }),
    ...(sentinels === undefined ? {} : { sentinels }),
    ...(o.masterName === undefined ? {} : { name: o.masterName }),
    ...(args === undefined ? {} : { args }),
    ...(downAfterMs === undefined ? {} : { downAfterMs }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const result = (r: {
    oldPrimary: Parameters<typeof processHandle>[0];
    newPrimary: Parameters<typeof processHandle>[0];
    switchedMs: number;
  }): FailoverResult => ({
    oldPrimary: processHandle(r.oldPrimary),
    newPrimary: processHandle(r.newPrimary),
    tookMs: r.switchedMs,
  });
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= d.destroy());
  return {
    masterName: d.name,
    get sentinels() {
      return d.sentinels;
    },
    get nodes() {
      return d.servers.map(processHandle);
    },
    get sentinelNodes() {
      return d.sentinelServers.map(processHandle);
    },
    primary: async () => processHandle(await d.primary()),
    failover: async () => result(await d.failover()),
    killPrimary: async (opts?: KillPrimaryOptions) => result(await d.killPrimary(killOptions('killPrimary()', opts))),
    restartAll: () => d.restartAll(),
    waitHealthy: () => d.waitHealthy({ skipDown: true }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

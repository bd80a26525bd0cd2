// A real Sentinel deployment on loopback: one primary, N replicas and M sentinels, every process a
// RedisServer (so each is killed by pid and its temp dir removed at process exit, see cleanup.ts).
//
// Why real processes: what a sentinel client must survive (a switch while writes are in flight,
// a primary that still says OK after it was replaced, a sentinel that answers "no such master")
// is timing and wire behaviour of real sentinels; a mock would only replay our reading of the docs.
//
// Starting one costs a few seconds (sentinels find each other through hello messages on the
// primary, sent every 2 s): start one per test file and share it between tests that leave it
// healthy. Issue 13 makes this the public `romaine/testing` startSentinel: keep the API small.
import { RedisServer } from './redis-server';
import { holdWritesAndSync, type KillOptions } from './replication';
import { pollUntil } from './wait';

export interface SentinelDeploymentOptions {
  /** The master name the sentinels monitor (default 'mymaster'). */
  name?: string;
  /** Replicas of the primary (default 2). */
  replicas?: number;
  /** Sentinels (default 3). */
  sentinels?: number;
  /** Sentinels that must agree the primary is down (default: a majority). */
  quorum?: number;
  /** down-after-milliseconds (default 1000): how long a silent primary takes to count as down. */
  downAfterMs?: number;
  /** failover-timeout (default 3000): also bounds how long replicas take to follow a new primary. */
  failoverTimeoutMs?: number;
  /** Extra redis-server args for the data nodes (primary and replicas). */
  args?: string[];
  /** Extra config lines for every sentinel (e.g. 'requirepass s3cret'). */
  sentinelConfig?: string[];
  /** How long start() and the waits may take before they give up (default 30 s). */
  timeoutMs?: number;
}

export interface Address {
  host: string;
  port: number;
}

/** What a switch of primary cost, as the harness saw it. */
export interface SwitchResult {
  oldPrimary: RedisServer;
  /**
   * The primary once the deployment is healthy again: on a loaded machine the sentinels may have
   * replaced the promoted node too, before it answered their first PINGs.
   */
  newPrimary: RedisServer;
  /** From the fault (kill, SENTINEL FAILOVER) until every running sentinel names the new primary. */
  switchedMs: number;
}

export class RedisSentinel {
  readonly name: string;
  /** The data nodes, in start order (the first one was the primary at start). */
  readonly servers: RedisServer[] = [];
  /** The sentinel processes. */
  readonly sentinelServers: RedisServer[] = [];
  private readonly opts: Required<Omit<SentinelDeploymentOptions, 'name'>>;

  private constructor(opts: SentinelDeploymentOptions) {
    this.name = opts.name ?? 'mymaster';
    const sentinels = opts.sentinels ?? 3;
    this.opts = {
      replicas: opts.replicas ?? 2,
      sentinels,
      quorum: opts.quorum ?? Math.floor(sentinels / 2) + 1,
      downAfterMs: opts.downAfterMs ?? 1000,
      failoverTimeoutMs: opts.failoverTimeoutMs ?? 3000,
      args: opts.args ?? [],
      sentinelConfig: opts.sentinelConfig ?? [],
      timeoutMs: opts.timeoutMs ?? 30_000,
    };
  }

  /**
   * Starts the primary, its replicas and the sentinels, and resolves once every sentinel knows the
   * primary, every replica (link up) and every other sentinel.
   */
  static async start(opts: SentinelDeploymentOptions = {}): Promise<RedisSentinel> {
    const d = new RedisSentinel(opts);
    try {
      const primary = await RedisServer.start({ args: d.opts.args });
      d.servers.push(primary);
      const replicas = await Promise.all(
        Array.from({ length: d.opts.replicas }, () =>
          RedisServer.start({ args: ['--replicaof', primary.host, String(primary.port), ...d.opts.args] }),
        ),
      );
      d.servers.push(...replicas);
      const conf = [
        `sentinel monitor ${d.name} ${primary.host} ${primary.port} ${d.opts.quorum}`,
        `sentinel down-after-milliseconds ${d.name} ${d.opts.downAfterMs}`,
        `sentinel failover-timeout ${d.name} ${d.opts.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${d.name} ${d.opts.replicas}`,
        ...d.opts.sentinelConfig,
        '',
      ].join('\n');
      const sentinels = await Promise.all(
        Array.from({ length: d.opts.sentinels }, () => RedisServer.start({ config: conf, sentinel: true })),
      );
      d.sentinelServers.push(...sentinels);
      await d.waitHealthy();
      return d;
    } catch (err) {
      await d.destroy();
      throw err;
    }
  }

  /** `[{ host, port }]` of every sentinel: what a client is configured with. */
  get sentinels(): Address[] {
    return this.sentinelServers.map((s) => ({ host: s.host, port: s.port }));
  }

  /** The data node or sentinel with this port or pid. */
  server(portOrPid: number): RedisServer {
    const s = [...this.servers, ...this.sentinelServers].find(
      (x) => x.port === portOrPid || (x.running && x.pid === portOrPid),
    );
    if (s === undefined) throw new Error(`no process of this deployment has port or pid ${portOrPid}`);
    return s;
  }

  /** The primary's address as a running sentinel announces it (SENTINEL GET-MASTER-ADDR-BY-NAME). */
  async primaryAddress(from?: RedisServer): Promise<Address> {
    const s = from ?? this.sentinelServers.find((x) => x.running);
    if (s === undefined) throw new Error('no sentinel of the deployment is running');
    const reply = await sentinelJson(s, 'GET-MASTER-ADDR-BY-NAME', this.name);
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new Error(`sentinel 127.0.0.1:${s.port} does not know '${this.name}': ${JSON.stringify(reply)}`);
    }
    return { host: String(reply[0]), port: Number(reply[1]) };
  }

  /** The data node the sentinels announce as primary. */
  async primary(): Promise<RedisServer> {
    return this.server((await this.primaryAddress()).port);
  }

  /** The data nodes that are running and not the announced primary. */
  async replicas(): Promise<RedisServer[]> {
    const p = await this.primaryAddress();
    return this.servers.filter((s) => s.running && s.port !== p.port);
  }

  /** SENTINEL FAILOVER: a graceful switch; waits until every running sentinel names the new primary. */
  async failover(): Promise<SwitchResult> {
    const oldPrimary = await this.primary();
    const s = this.sentinelServers.find((x) => x.running)!;
    const t0 = Date.now();
    // A sentinel refuses while it has no replica it considers fit (e.g. just after a previous
    // switch, before it has refreshed their INFO): retry that for a while.
    await this.waitFor('SENTINEL FAILOVER to be accepted', async () => {
      const r = await s.cli('SENTINEL', 'FAILOVER', this.name);
      if (r === 'OK') return true;
      if (/NOGOODSLAVE|INPROG/.test(r)) return undefined;
      throw new Error(`SENTINEL FAILOVER ${this.name}: ${r}`);
    });
    await this.waitSwitch(oldPrimary);
    const switchedMs = Date.now() - t0;
    await this.waitHealthy();
    // The primary once healthy: on a loaded machine the sentinels may have replaced the new primary
    // too (it did not answer their first PINGs within down-after-milliseconds).
    return { oldPrimary, newPrimary: await this.primary(), switchedMs };
  }

  /**
   * SIGKILLs the primary and waits until every running sentinel names a new one. The killed node
   * stays down (bring it back with restart(): the sentinels turn it into a replica).
   */
  async killPrimary(opts: KillOptions = {}): Promise<SwitchResult> {
    const oldPrimary = await this.primary();
    if (opts.replicated === true) await holdWritesAndSync(oldPrimary, await this.replicas());
    const t0 = Date.now();
    await oldPrimary.kill();
    await this.waitSwitch(oldPrimary);
    const switchedMs = Date.now() - t0;
    await this.waitHealthy({ skipDown: true });
    return { oldPrimary, newPrimary: await this.primary(), switchedMs };
  }

  /** Starts a stopped or killed process again (same port and dir) and waits for the deployment to be healthy. */
  async restart(server: RedisServer): Promise<void> {
    await server.restart();
    await this.waitHealthy({ skipDown: true });
  }

  /**
   * Stops every process (SIGTERM), starts them all again on the same ports and waits until the
   * deployment is healthy. The node that is primary now comes back as the primary, the others as
   * its replicas; the sentinels remember the deployment from their rewritten config files.
   */
  async restartAll(): Promise<void> {
    const primary = await this.primary();
    await Promise.all([...this.sentinelServers, ...this.servers].map((s) => s.stop()));
    const own = (args: readonly string[]) => {
      const out: string[] = [];
      for (let i = 0; i < args.length; i++) {
        if (args[i] === '--replicaof') i += 2;
        else out.push(args[i]);
      }
      return out;
    };
    await primary.restart({ args: own(primary.currentArgs) });
    await Promise.all(
      this.servers
        .filter((s) => s !== primary)
        .map((s) => s.restart({ args: ['--replicaof', primary.host, String(primary.port), ...own(s.currentArgs)] })),
    );
    await Promise.all(this.sentinelServers.map((s) => s.restart()));
    await this.waitHealthy();
  }

  private async waitSwitch(old: RedisServer): Promise<RedisServer> {
    return this.waitFor(`the sentinels to announce a new primary instead of 127.0.0.1:${old.port}`, async () => {
      let port: number | undefined;
      for (const s of this.sentinelServers.filter((x) => x.running)) {
        const a = await this.primaryAddress(s);
        if (a.port === old.port || (port !== undefined && a.port !== port)) return undefined;
        port = a.port;
      }
      const p = this.server(port!);
      return /^master/.test(await p.cli('ROLE')) ? p : undefined;
    });
  }

  /**
   * Resolves when every running sentinel names the same running primary with no down flag, knows
   * every running replica (link up, no down flag) and every other running sentinel, and every
   * running replica's link to the primary is up. `skipDown`: nodes that are stopped are ignored
   * (the sentinels may list them as down).
   */
  async waitHealthy(opts: { skipDown?: boolean } = {}): Promise<void> {
    await this.waitFor('the sentinel deployment to be healthy', async () => {
      const sentinels = this.sentinelServers.filter((x) => x.running);
      const nodes = this.servers.filter((x) => x.running);
      let primaryPort: number | undefined;
      for (const s of sentinels) {
        const master = toRecord(await sentinelJson(s, 'MASTER', this.name));
        if (master.flags !== 'master') return undefined;
        const port = Number(master.port);
        if (primaryPort !== undefined && port !== primaryPort) return undefined;
        primaryPort = port;
        if (Number(master['num-other-sentinels']) < sentinels.length - 1) return undefined;
        const replicas = asArray(await sentinelJson(s, 'REPLICAS', this.name)).map(toRecord);
        for (const n of nodes) {
          if (n.port === port) continue;
          const r = replicas.find((x) => Number(x.port) === n.port);
          if (r === undefined || r.flags !== 'slave' || r['master-link-status'] !== 'ok') return undefined;
        }
        if (!opts.skipDown && replicas.some((r) => r.flags !== 'slave')) return undefined;
      }
      const primary = nodes.find((n) => n.port === primaryPort);
      if (primary === undefined || !/^master/.test(await primary.cli('ROLE'))) return undefined;
      for (const n of nodes) {
        if (n === primary) continue;
        const info = await n.cli('INFO', 'replication');
        if (!info.includes(`master_port:${primaryPort}`) || !/master_link_status:up/.test(info)) return undefined;
      }
      return true;
    });
  }

  private waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    return pollUntil(what, probe, this.opts.timeoutMs);
  }

  /** SIGTERM every process, waiting for each to exit. */
  async stop(): Promise<void> {
    await Promise.all([...this.sentinelServers, ...this.servers].map((s) => s.stop()));
  }

  /** Kills every process and removes their dirs (also done at process exit). */
  async destroy(): Promise<void> {
    await Promise.all([...this.sentinelServers, ...this.servers].map((s) => s.destroy()));
  }
}

/** `SENTINEL <args>` through redis-cli --json (RESP3: maps come back as objects). */
async function sentinelJson(s: RedisServer, ...args: string[]): Promise<unknown> {
  const out = await s.cli('--json', 'SENTINEL', ...args);
  try {
    return JSON.parse(out) as unknown;
  } catch {
    throw new Error(`SENTINEL ${args.join(' ')} on 127.0.0.1:${s.port}: ${out}`);
  }
}

function asArray(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new Error(`expected an array from the sentinel, got ${JSON.stringify(v)}`);
  return v;
}

/** A sentinel's description of an instance: a RESP3 map, or a RESP2 flat field/value list. */
function toRecord(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = String(v[i + 1]);
    return out;
  }
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  }
  throw new Error(`expected an instance description from the sentinel, got ${JSON.stringify(v)}`);
}

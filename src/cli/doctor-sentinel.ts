/**
 * `romaine doctor <url> --sentinel <name>`: the URL is one sentinel. Says who the primary is,
 * whether the sentinels agree (every sentinel the given one knows is asked), and whether this
 * machine reaches what they announce (the primary and each replica, with its ROLE). The URL's
 * credentials are the sentinels'; the data nodes get ROMAINE_NODE_PASSWORD (or none).
 */
import type { ClientOptions } from '../client/options';
import type { RedisClient } from '../client/client';
import { failed, step, type DoctorReport, type StepResult, type Verdict } from './doctor-report';
import { doctorClient, type Target } from './target';

interface Node {
  host: string;
  port: number;
}

const at = (n: Node): string => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`);

function record(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v instanceof Map) for (const [k, x] of v) out[String(k)] = String(x);
  else if (Array.isArray(v)) for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = String(v[i + 1]);
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

export async function diagnoseSentinel(t: Target, name: string, env: NodeJS.ProcessEnv): Promise<DoctorReport> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const steps: StepResult[] = [];
  const quick = (o: ClientOptions): RedisClient => doctorClient(t, o);
  const given: Node = { host: t.host, port: t.port };
  const sentinelOpts = (n: Node): ClientOptions => ({
    host: n.host,
    port: n.port,
    username: t.username,
    password: t.password,
    tls: t.clientOptions.tls,
  });
  const ask = async (n: Node, ...args: string[]): Promise<unknown> => {
    const c = quick(sentinelOpts(n));
    try {
      await c.connect();
      return await c.call('SENTINEL', ...args);
    } finally {
      c.destroy();
    }
  };

  // ---- the sentinels: who they are, and whether they agree
  let s0 = performance.now();
  let primary: Node | undefined;
  try {
    const addr = (await ask(given, 'GET-MASTER-ADDR-BY-NAME', name)) as unknown[] | null;
    if (addr === null || addr === undefined) {
      const masters = ((await ask(given, 'MASTERS')) as unknown[]).map((m) => record(m).name);
      steps.push(
        failed('sentinels', performance.now() - s0, `the sentinel at ${at(given)} does not monitor '${name}'`, {
          code: 'unknown-master',
          what: `No master named '${name}' is monitored by the sentinel at ${at(given)}; it monitors: ${masters.length === 0 ? 'none' : masters.map((m) => `'${m}'`).join(', ')}.`,
          fix: [
            'Check the master name (`--sentinel`, `sentinel.name` in the client), and the `sentinel monitor` lines of the sentinels.',
          ],
        }),
      );
      return finish(t, startedAt, t0, steps);
    }
    const named: Node = { host: String(addr[0]), port: Number(addr[1]) };
    const master = record(await ask(given, 'MASTER', name));
    const others = ((await ask(given, 'SENTINELS', name)) as unknown[])
      .map(record)
      .map((r) => ({ host: r.ip, port: Number(r.port) }));
    const views: Record<string, string> = { [at(given)]: at(named) };
    const notes: string[] = [];
    let disagree = false;
    for (const o of others) {
      try {
        const a = (await ask(o, 'GET-MASTER-ADDR-BY-NAME', name)) as unknown[] | null;
        const view = a === null ? 'does not know the name' : at({ host: String(a[0]), port: Number(a[1]) });
        views[at(o)] = view;
        if (view !== at(named)) disagree = true;
      } catch (err) {
        views[at(o)] = `unreachable: ${t.scrub(err instanceof Error ? err.message : String(err))}`;
        notes.push(
          `The sentinel at ${at(o)} (announced by ${at(given)}) cannot be reached from here: a client that loses ${at(given)} needs it.`,
        );
      }
    }
    if (disagree) {
      notes.push(
        `The sentinels do not name the same primary (${Object.entries(views)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; ')}): a failover is under way, or they are partitioned. Run the doctor again in a few seconds.`,
      );
    }
    const flags = master.flags ?? '';
    if (/o_down|s_down/.test(flags)) notes.push(`The sentinel at ${at(given)} flags the primary as ${flags}.`);
    const total = others.length + 1;
    const verdict: Verdict = notes.length > 0 ? 'warn' : 'ok';
    steps.push(
      step(
        'sentinels',
        verdict,
        disagree
          ? `${total} sentinels disagree about '${name}'`
          : `${total} sentinels name ${at(named)} as the primary of '${name}' (quorum ${master.quorum ?? '?'})`,
        {
          ms: performance.now() - s0,
          details: { name, primary: named, views, quorum: Number(master.quorum), flags },
          notes,
        },
      ),
    );
    primary = named;
  } catch (err) {
    steps.push(
      failed('sentinels', performance.now() - s0, `the sentinel at ${at(given)} could not be asked`, {
        code: 'sentinel-unreachable',
        what: `Asking the sentinel at ${at(given)} failed: ${t.scrub(err instanceof Error ? err.message : String(err))}`,
        fix: ['Check the address of the sentinel (its port is usually 26379), and its password (in the URL).'],
      }),
    );
    return finish(t, startedAt, t0, steps);
  }

  // ---- the nodes they announce: reachable from here, and what they say they are
  const nodePassword = env.ROMAINE_NODE_PASSWORD !== '' ? env.ROMAINE_NODE_PASSWORD : undefined;
  const roleOf = async (n: Node): Promise<string> => {
    const c = quick({ host: n.host, port: n.port, password: nodePassword });
    try {
      await c.connect();
      const role = (await c.call('ROLE')) as unknown[];
      return String(role[0]);
    } finally {
      c.destroy();
    }
  };
  s0 = performance.now();
  try {
    const role = await roleOf(primary);
    if (role !== 'master') {
      steps.push(
        failed('primary', performance.now() - s0, `${at(primary)} says it is a ${role}`, {
          code: 'primary-not-master',
          what: `The sentinels announce ${at(primary)} as the primary, but it says it is a ${role}: a failover is under way, or the sentinels' view is stale.`,
          fix: ['Run the doctor again in a few seconds; if it persists, check `SENTINEL MASTER` on each sentinel.'],
        }),
      );
    } else
      steps.push(
        step('primary', 'ok', `${at(primary)} answers, role master`, {
          ms: performance.now() - s0,
          details: { primary },
        }),
      );
  } catch (err) {
    steps.push(
      failed('primary', performance.now() - s0, `${at(primary)} cannot be reached from here`, {
        code: 'primary-unreachable',
        what: `The sentinels announce ${at(primary)}, and connecting to it failed: ${t.scrub(err instanceof Error ? err.message : String(err))}`,
        fix: [
          'The sentinels announce the address the nodes report: behind NAT or in containers, set `replica-announce-ip`/`sentinel announce-ip` to an address clients reach.',
          "If the node needs a password, give it in ROMAINE_NODE_PASSWORD (the URL holds the sentinels').",
        ],
      }),
    );
  }
  s0 = performance.now();
  const replicas = ((await ask(given, 'REPLICAS', name).catch(() => [])) as unknown[]).map(record);
  const seen: Record<string, string> = {};
  const notes: string[] = [];
  for (const r of replicas) {
    const n = { host: r.ip, port: Number(r.port) };
    if (/s_down|o_down|disconnected/.test(r.flags ?? '')) {
      seen[at(n)] = `flagged ${r.flags}`;
      notes.push(`The replica ${at(n)} is flagged ${r.flags} by the sentinels.`);
      continue;
    }
    try {
      seen[at(n)] = await roleOf(n);
    } catch (err) {
      seen[at(n)] = 'unreachable';
      notes.push(
        `The replica ${at(n)} cannot be reached from here: ${t.scrub(err instanceof Error ? err.message : String(err))}`,
      );
    }
  }
  if (replicas.length === 0) notes.push(`'${name}' has no replica: the sentinels cannot fail over.`);
  steps.push(
    step(
      'replicas',
      notes.length > 0 ? 'warn' : 'ok',
      `${replicas.length} replica${replicas.length === 1 ? '' : 's'}, ${Object.values(seen).filter((v) => v === 'slave').length} reachable`,
      {
        ms: performance.now() - s0,
        details: { replicas: seen },
        notes,
      },
    ),
  );
  return finish(t, startedAt, t0, steps);
}

function finish(t: Target, startedAt: string, t0: number, steps: StepResult[]): DoctorReport {
  const counts: Record<Verdict, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const s of steps) counts[s.verdict]++;
  const clean = JSON.parse(t.scrub(JSON.stringify(steps))) as StepResult[];
  for (const s of clean) if (s.ms !== undefined) s.ms = Math.round(s.ms * 1000) / 1000;
  return {
    target: t.display,
    startedAt,
    totalMs: Math.round((performance.now() - t0) * 1000) / 1000,
    healthy: counts.fail === 0,
    counts,
    steps: clean,
  };
}

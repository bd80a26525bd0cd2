// The seed phase of a cluster client (connect() before the first slot map): every seed is asked
// at once, the first slot map wins. The seed's phase rules of DESIGN.md at the cluster level: a
// seed without cluster support or one refusing us for a configuration reason (protected mode,
// auth, TLS) rejects at once; when no seed can be reached (within each seed client's own initial
// deadline), the error names every seed and why.
import type { RedisClient } from '../client/client';
import { ClientClosedError, ClusterDisabledError, ConnectionError, ReplyError } from '../errors';
import type { ResolvedClusterOptions } from './options';
import { nodeKey } from './slot-map';
import { fetchView, type Topology } from './topology';

/** Kinds of seed failure that are a deployment mistake: connect() rejects at once. */
const CONFIG_KINDS = new Set(['protected-mode', 'auth', 'tls', 'protocol', 'handshake']);

export interface SeedPhaseHost {
  /** The cluster client was closed meanwhile. */
  closed(): boolean;
  /** The seeds' clients while the phase runs (close/destroy must end them too); [] once done. */
  seedClients(clients: RedisClient[]): void;
}

/**
 * Resolves once a seed gave a slot map (applied to `topo`; a seed that is a primary of the map
 * is adopted as that primary's client, the others are destroyed).
 */
export function discoverSeeds(topo: Topology, opts: ResolvedClusterOptions, host: SeedPhaseHost): Promise<void> {
  const seeds = opts.seeds;
  const clients = seeds.map((s) => topo.makeClient(s, true));
  host.seedClients(clients);
  const why: string[] = seeds.map((s) => `${nodeKey(s)} (not answered)`);
  let pending = seeds.length;
  let done = false;
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error, keep?: RedisClient) => {
      if (done) return;
      done = true;
      host.seedClients([]);
      for (const c of clients) if (c !== keep) c.destroy();
      if (err === undefined) resolve();
      else reject(err);
    };
    seeds.forEach((seed, i) => {
      const c = clients[i];
      c.connect()
        .then(() => fetchView(c, seed, opts.tls))
        .then(
          (view) => {
            if (done) return;
            if (view.map.shards.length === 0) throw new ReplyError(`ERR no slot is assigned on ${nodeKey(seed)}`);
            const key = nodeKey(seed);
            const isPrimary = view.map.shards.some((s) => s.primary.key === key);
            if (isPrimary) topo.adopt(key, c);
            topo.apply(view.map, 'connected');
            finish(undefined, isPrimary ? c : undefined);
          },
          (err: unknown) => {
            if (done) return;
            if (host.closed())
              return finish(new ClientClosedError('the cluster client was closed before it connected'));
            if (err instanceof ReplyError && /cluster support disabled/i.test(err.message)) {
              return finish(new ClusterDisabledError(nodeKey(seed)));
            }
            if (err instanceof ConnectionError && CONFIG_KINDS.has(err.kind)) return finish(err);
            why[i] = `${nodeKey(seed)} (${err instanceof Error ? err.message : String(err)})`;
            if (--pending === 0) {
              finish(
                new ConnectionError('network', `no seed node of the cluster could be reached: ${why.join('; ')}`, {
                  cause: err,
                }),
              );
            }
          },
        )
        .catch((err: unknown) => {
          // A seed that answered with no slots: counts as a failed seed.
          if (done) return;
          why[i] = `${nodeKey(seed)} (${err instanceof Error ? err.message : String(err)})`;
          if (--pending === 0)
            finish(new ConnectionError('network', `no seed node gave a slot map: ${why.join('; ')}`));
        });
    });
  });
}

// cluster.node(addr) / cluster.nodes(role): one node of the cluster, addressed directly. A handle
// has the typed command methods, call() and the scan iterator, bound to the connection the
// cluster keeps to that node; it has no close(), destroy(), connect() or duplicate(), so a user
// cannot end or reshape the cluster's own connection through it (the cluster closes its nodes).
// It looks the node's client up on every command: after a failover the node may be served by a
// new client (a replica promoted) or be gone from the cluster (then its commands reject).
import type { BufferCommands, ClientCommands, RedisClient } from '../client/client';
import type { CommandDef } from '../client/command-def';
import { buildError } from '../client/args';
import { callError, checkFrom } from '../client/call-check';
import { COMMANDS } from '../client/commands';
import { scanIterator, type KeyScanIteratorOptions } from '../client/scan';
import { ClusterUnavailableError, InvalidArgumentError } from '../errors';
import type { Arg } from '../protocol/types';
import { callOn, dispatchDef } from './node-seam';
import type { Replicas } from './replicas';
import { nodeKey, type NodeAddress } from './slot-map';
import type { Topology } from './topology';

/** A node's role in the slot map when its handle was made. */
export type NodeRole = 'primary' | 'replica';

/** Which nodes `cluster.nodes()` returns. */
export type NodeSelection = NodeRole | 'all';

/** How a handle finds its node's client now (undefined: the node left the cluster, or changed role). */
export type NodeLookup = (key: string, role: NodeRole) => RedisClient | undefined;

export interface ClusterNodeHandle extends ClientCommands {} // eslint-disable-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging

/**
 * One node of the cluster (from `cluster.node('host:port')` or `cluster.nodes()`): the typed
 * command methods, `call()` and `scanIterator()` run on that node, on the cluster's own
 * connection to it (a replica's has READONLY). Closing is the cluster's job: a handle has no
 * `close()`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ClusterNodeHandle {
  /** `host:port`. */
  readonly address: string;
  /** Same methods, with bulk string replies as Buffers. */
  readonly buffers: BufferCommands;

  /** @internal */
  constructor(
    readonly host: string,
    readonly port: number,
    /** The node's role in the slot map when this handle was made. */
    readonly nodeRole: NodeRole,
    private readonly lookup: NodeLookup,
  ) {
    this.address = `${host}:${port}`;
    this.buffers = new NodeBufferView(this) as unknown as BufferCommands;
  }

  /** Any command on this node: `node.call('INFO', 'replication')`. */
  call(name: string, ...args: Arg[]): Promise<unknown> {
    return this.with((c) => callOn(c, name, args, false, 'call'));
  }

  /** Like call(), with bulk strings in the reply as Buffers. */
  callBuffer(name: string, ...args: Arg[]): Promise<unknown> {
    return this.with((c) => callOn(c, name, args, true, 'callBuffer'));
  }

  /** Every key of this node (matching the options), one SCAN page at a time. */
  scanIterator(opts?: KeyScanIteratorOptions): AsyncGenerator<string, void, undefined> {
    return scanIterator(this, opts);
  }

  /** Runs `fn` on the node's client, or rejects when the node is no longer what the handle was made for. @internal */
  with(fn: (client: RedisClient) => Promise<unknown>): Promise<unknown> {
    const c = this.lookup(this.address, this.nodeRole);
    if (c === undefined)
      return Promise.reject(
        new ClusterUnavailableError(
          'node',
          undefined,
          0,
          `${this.address} is no longer a ${this.nodeRole} of the cluster: ask cluster.nodes() again`,
        ),
      );
    try {
      return fn(c);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  toJSON(): { address: string; nodeRole: NodeRole } {
    return { address: this.address, nodeRole: this.nodeRole };
  }
}

class NodeBufferView {
  constructor(readonly handle: ClusterNodeHandle) {}
}

for (const [method, d] of Object.entries(COMMANDS as Record<string, CommandDef>)) {
  const from = checkFrom(d);
  const run = (handle: ClusterNodeHandle, args: unknown[], buffers: boolean): Promise<unknown> => {
    if (args.length > from) {
      const invalid = callError(method, d, args);
      if (invalid !== undefined) return Promise.reject(invalid);
    }
    return handle.with((c) => {
      try {
        return dispatchDef(c, d, args, buffers);
      } catch (err) {
        return Promise.reject(buildError(method, err));
      }
    });
  };
  (ClusterNodeHandle.prototype as unknown as Record<string, unknown>)[method] = function (
    this: ClusterNodeHandle,
    ...args: unknown[]
  ) {
    return run(this, args, false);
  };
  (NodeBufferView.prototype as unknown as Record<string, unknown>)[method] = function (
    this: NodeBufferView,
    ...args: unknown[]
  ) {
    return run(this.handle, args, true);
  };
}

/** cluster.nodes(role): a handle per node of the current map, primaries first. */
export function nodeHandles(
  topo: Topology,
  replicas: Replicas,
  role: NodeSelection,
  closed: () => boolean,
): ClusterNodeHandle[] {
  if (role !== 'primary' && role !== 'replica' && role !== 'all')
    throw new InvalidArgumentError(`cluster.nodes() takes 'primary', 'replica' or 'all', got ${JSON.stringify(role)}`);
  const map = topo.map;
  if (map === undefined) return [];
  // The client behind a handle, looked up per command, while the node keeps that role in the map.
  const lookup: NodeLookup = (key, r) => {
    const now = topo.map;
    if (now === undefined || closed()) return undefined;
    if (r === 'primary') {
      const p = now.shards.find((s) => s.primary.key === key)?.primary;
      return p === undefined ? undefined : topo.clientFor(p);
    }
    const replica = replicas.known.find((x) => x.key === key);
    return replica === undefined ? undefined : replicas.clientFor(replica);
  };
  const out: ClusterNodeHandle[] = [];
  if (role !== 'replica')
    for (const s of map.shards) out.push(new ClusterNodeHandle(s.primary.host, s.primary.port, 'primary', lookup));
  if (role !== 'primary')
    for (const r of replicas.known) out.push(new ClusterNodeHandle(r.host, r.port, 'replica', lookup));
  return out;
}

/** cluster.node(address): the handle of that node, or an error listing the known ones. */
export function findNode(all: readonly ClusterNodeHandle[], address: unknown): ClusterNodeHandle {
  const key =
    typeof address === 'string'
      ? address
      : address !== null && typeof address === 'object'
        ? nodeKey(address as NodeAddress)
        : undefined;
  const found = key === undefined ? undefined : all.find((n) => n.address === key);
  if (found !== undefined) return found;
  const known = all.map((n) => n.address).join(', ') || 'none: connect() first';
  throw new InvalidArgumentError(
    `cluster.node(${JSON.stringify(address)}): no such node in the cluster's slot map (known: ${known})`,
  );
}

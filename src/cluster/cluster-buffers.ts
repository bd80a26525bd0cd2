// `cluster.buffers`: the typed command methods with Buffer replies (installed from the command
// table by cluster-dispatch.ts), and the key-based scan iterators yielding Buffers, as on a
// client's `buffers` view (pages routed by key-scans.ts).
import type { BufferCommands } from '../client/client';
import type { RedisKey } from '../client/command-def';
import { extraArgumentsError } from '../client/call-check';
import { hscanIterator, sscanIterator, type ScanIteratorOptions } from '../client/scan';
import type { ClusterClient } from './cluster-client';
import { keyScanPages } from './key-scans';

/** The methods of `cluster.buffers`: every typed command with Buffer replies, and the key-based scan iterators. */
export type ClusterBufferCommands = BufferCommands & {
  /** Every [field, value] of a hash, as Buffers (HSCAN pages at the key's node). */
  hscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<[Buffer, Buffer], void, undefined>;
  /** Every member of a set, as Buffers (SSCAN pages at the key's node). */
  sscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<Buffer, void, undefined>;
};

/** `cluster.buffers`: the command methods with Buffer replies. */
export class ClusterBufferView {
  constructor(readonly cluster: ClusterClient) {}

  hscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<[Buffer, Buffer], void, undefined> {
    // eslint-disable-next-line prefer-rest-params -- a JavaScript caller's extra arguments are refused
    if (arguments.length > 2) throw extraArgumentsError('hscanIterator', ['key', 'opts'], arguments);
    return hscanIterator(keyScanPages(this.cluster, true), key, opts) as AsyncGenerator<
      [Buffer, Buffer],
      void,
      undefined
    >;
  }

  sscanIterator(key: RedisKey, opts?: ScanIteratorOptions): AsyncGenerator<Buffer, void, undefined> {
    // eslint-disable-next-line prefer-rest-params -- a JavaScript caller's extra arguments are refused
    if (arguments.length > 2) throw extraArgumentsError('sscanIterator', ['key', 'opts'], arguments);
    return sscanIterator(keyScanPages(this.cluster, true), key, opts) as AsyncGenerator<Buffer, void, undefined>;
  }
}

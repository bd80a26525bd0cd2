// Killing a primary without losing what it acknowledged. Redis replicates asynchronously: a
// SIGKILL can drop writes the primary already answered OK to, before any replica got them. That
// loss is the server's, not the client's, and a test of the client's honesty (0 lost
// acknowledgements) must not count it. So, before the kill: CLIENT PAUSE WRITE (new writes are
// held unanswered, and so become in-flight commands of the kill), then wait until every replica
// has the primary's whole replication stream.
import type { RedisServer } from './redis-server';
import { pollUntil } from './wait';

function offset(info: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return m === null ? undefined : Number(m[1]);
}

/** Holds the primary's writes (for `pauseMs`) and resolves once every replica has caught up with it. */
export async function holdWritesAndSync(
  primary: RedisServer,
  replicas: RedisServer[],
  pauseMs = 30_000,
): Promise<void> {
  const r = await primary.cli('CLIENT', 'PAUSE', String(pauseMs), 'WRITE');
  if (r.trim() !== 'OK') throw new Error(`CLIENT PAUSE WRITE on 127.0.0.1:${primary.port}: ${r}`);
  await waitReplicated(primary, replicas);
}

/**
 * Resolves once every replica has the primary's whole replication stream as it is now (linked, not
 * in a full resync, at the primary's offset): what the primary acknowledged so far survives a
 * failover to any of them.
 */
export async function waitReplicated(primary: RedisServer, replicas: RedisServer[], timeoutMs = 10_000): Promise<void> {
  await pollUntil(
    `the replicas of 127.0.0.1:${primary.port} to catch up with it`,
    async () => {
      const target = offset(await primary.cli('INFO', 'replication'), 'master_repl_offset');
      if (target === undefined) return undefined;
      for (const s of replicas) {
        const info = await s.cli('INFO', 'replication');
        // A replica in a full resync (its backlog overflowed under load) reports an offset before
        // it has the data: it must be linked, done syncing, and at the primary's offset.
        if (!/^master_link_status:up/m.test(info) || !/^master_sync_in_progress:0/m.test(info)) return undefined;
        const have = offset(info, 'slave_repl_offset');
        if (have === undefined || have < target) return undefined;
      }
      return true;
    },
    timeoutMs,
  );
}

export interface KillOptions {
  /**
   * Hold the primary's writes and wait for its replicas to have everything before the SIGKILL, so
   * that no write it acknowledged is lost by asynchronous replication (tests of the client's
   * "0 lost acknowledgements"). Writes issued meanwhile are held unanswered and die with it, as
   * in-flight commands. Default false: a plain SIGKILL, which may lose the last acknowledged writes.
   */
  replicated?: boolean;
}

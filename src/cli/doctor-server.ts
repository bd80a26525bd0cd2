/**
 * The doctor's server checks, all read from one round trip (INFO, CONFIG GET save, CONFIG GET
 * appendfsync) on the session the handshake opened: version and role, replication, memory and
 * eviction, persistence. CONFIG may be refused (ACL, renamed command): what needs it says so.
 */
import { ReplyError } from '../errors';
import type { Problem } from './doctor-problems';
import { failed, skipped, step, type StepResult } from './doctor-report';
import type { Session } from './doctor-connect';
import { formatBytes, formatDuration } from './terminal';

export type Info = Record<string, string>;

/** INFO's text as one flat map (field names are unique across sections). */
export function parseInfo(text: string): Info {
  const info: Info = {};
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) info[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return info;
}

/** CONFIG GET answers [name, value] (RESP2) or { name: value } (RESP3). */
function configValue(reply: unknown, name: string): string | undefined {
  if (Array.isArray(reply)) return reply.length >= 2 ? String(reply[1]) : undefined;
  if (reply !== null && typeof reply === 'object') {
    const v = (reply as Record<string, unknown>)[name];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  }
  return undefined;
}

export async function serverSteps(session: Session, timeoutMs: number): Promise<StepResult[]> {
  const ex = await session.probe.exchange(
    [['INFO'], ['CONFIG', 'GET', 'save'], ['CONFIG', 'GET', 'appendfsync']],
    timeoutMs,
  );
  const [infoReply, saveReply, fsyncReply] = ex.replies;
  if (typeof infoReply !== 'string') {
    const why =
      infoReply instanceof ReplyError
        ? `INFO was refused: ${infoReply.message}`
        : `no INFO reply (${ex.timedOut ? 'timed out' : (ex.closed ?? 'closed')})`;
    const problem: Problem = {
      code: 'info-unavailable',
      what: `The server did not give its INFO: ${why}.`,
      fix: ['Grant the user INFO (`ACL SETUSER <user> +info`), or run the doctor as a user that has it.'],
    };
    return [
      failed('server', ex.ms, why, problem),
      skipped('replication', 'not checked (no INFO)'),
      skipped('memory', 'not checked (no INFO)'),
      skipped('persistence', 'not checked (no INFO)'),
    ];
  }
  const info = parseInfo(infoReply);
  const save = saveReply instanceof ReplyError ? undefined : configValue(saveReply, 'save');
  const appendfsync = fsyncReply instanceof ReplyError ? undefined : configValue(fsyncReply, 'appendfsync');
  return [
    serverStep(info, session, ex.ms),
    replicationStep(info),
    memoryStep(info),
    persistenceStep(info, save, appendfsync),
  ];
}

const num = (info: Info, key: string): number => Number(info[key] ?? NaN);

function serverStep(info: Info, session: Session, ms: number): StepResult {
  const version = info.redis_version ?? session.server.version;
  const mode = info.redis_mode ?? session.server.mode ?? 'standalone';
  const role = info.role ?? session.server.role ?? '?';
  const uptime = num(info, 'uptime_in_seconds');
  const clients = num(info, 'connected_clients');
  const maxclients = num(info, 'maxclients');
  const parts = [`Redis ${version}`, mode, role === 'slave' ? 'replica' : role === 'master' ? 'primary' : role];
  if (Number.isFinite(uptime)) parts.push(`up ${formatDuration(uptime)}`);
  if (Number.isFinite(clients)) parts.push(`${clients} client${clients === 1 ? '' : 's'}`);
  const notes: string[] = [];
  if (Number.isFinite(maxclients) && clients >= 0.9 * maxclients) {
    notes.push(
      `${clients} of ${maxclients} client connections are in use (maxclients): new connections will soon be refused.`,
    );
  }
  if (mode === 'cluster') notes.push('This node is part of a cluster: keys live on the node that owns their slot.');
  const major = Number(version.split('.')[0]);
  if (Number.isFinite(major) && major > 0 && major < 6)
    notes.push(`Redis ${version} predates RESP3 and ACLs (6.0): consider upgrading.`);
  return step('server', notes.length > 0 ? 'warn' : 'ok', parts.join(', '), {
    ms,
    notes,
    details: { version, mode, role, uptimeSeconds: uptime, connectedClients: clients, maxclients, os: info.os },
  });
}

function replicationStep(info: Info): StepResult {
  const role = info.role;
  if (role === 'slave') {
    const primary = `${info.master_host}:${info.master_port}`;
    const link = info.master_link_status;
    const details = {
      role: 'replica',
      primary,
      linkStatus: link,
      lastIoSecondsAgo: num(info, 'master_last_io_seconds_ago'),
      syncInProgress: info.master_sync_in_progress === '1',
    };
    if (link !== 'up') {
      const down = num(info, 'master_link_down_since_seconds');
      return step('replication', 'fail', `replica of ${primary}, link DOWN`, {
        details,
        problem: {
          code: 'replica-link-down',
          what: `This server is a replica and its link to the primary ${primary} is down${Number.isFinite(down) && down >= 0 ? ` (for ${formatDuration(down)})` : ''}: it serves data that may be stale.`,
          fix: [
            'Check that the primary is up and reachable from the replica.',
            'Check `masterauth`/`masteruser` on the replica if the primary has a password.',
            'Read the replica\u2019s log for the reason the sync stops.',
          ],
        },
      });
    }
    const notes = details.syncInProgress ? ['A full sync with the primary is in progress.'] : [];
    return step(
      'replication',
      notes.length > 0 ? 'warn' : 'ok',
      `replica of ${primary}, link up, last I/O ${details.lastIoSecondsAgo} s ago; writes are refused here (READONLY)`,
      {
        details,
        notes,
      },
    );
  }
  const count = num(info, 'connected_slaves');
  const replicas = Object.keys(info)
    .filter((k) => /^slave\d+$/.test(k))
    .map((k) => Object.fromEntries(info[k].split(',').map((kv) => kv.split('=') as [string, string])));
  const lagging = replicas.filter((r) => r.state !== 'online' || Number(r.lag) > 10);
  const details = {
    role: 'primary',
    replicas: replicas.map((r) => ({ address: `${r.ip}:${r.port}`, state: r.state, lagSeconds: Number(r.lag) })),
  };
  if (!Number.isFinite(count) || count === 0) return step('replication', 'ok', 'primary with no replicas', { details });
  const summary = `primary with ${count} replica${count === 1 ? '' : 's'} (${replicas.filter((r) => r.state === 'online').length} online)`;
  const notes = lagging.map(
    (r) => `Replica ${r.ip}:${r.port} is ${r.state === 'online' ? `${r.lag} s behind` : r.state}.`,
  );
  return step('replication', notes.length > 0 ? 'warn' : 'ok', summary, { details, notes });
}

function memoryStep(info: Info): StepResult {
  const used = num(info, 'used_memory');
  const max = num(info, 'maxmemory');
  const policy = info.maxmemory_policy ?? '?';
  const frag = num(info, 'mem_fragmentation_ratio');
  const details = { usedBytes: used, maxmemoryBytes: max, policy, fragmentationRatio: frag };
  const notes: string[] = [];
  let summary: string;
  if (!Number.isFinite(max) || max === 0) {
    summary = `${formatBytes(used)} used, no maxmemory limit (policy ${policy})`;
  } else {
    const pct = (100 * used) / max;
    summary = `${formatBytes(used)} of ${formatBytes(max)} used (${pct.toFixed(0)} %), policy ${policy}`;
    if (pct >= 90) {
      notes.push(
        policy === 'noeviction'
          ? `Memory is ${pct.toFixed(0)} % full and the policy is noeviction: writes will fail with OOM when it is full.`
          : `Memory is ${pct.toFixed(0)} % full: keys are being evicted (${policy}).`,
      );
    } else if (policy === 'noeviction') {
      summary += ' (writes fail with OOM when full)';
    }
  }
  if (Number.isFinite(frag) && frag > 1.5 && used > 100 * 1024 * 1024) {
    notes.push(`Memory fragmentation is ${frag.toFixed(2)}: consider activedefrag yes.`);
  }
  return step('memory', notes.length > 0 ? 'warn' : 'ok', summary, { details, notes });
}

function persistenceStep(info: Info, save: string | undefined, appendfsync: string | undefined): StepResult {
  const aof = info.aof_enabled === '1';
  const rdb = save === undefined ? undefined : save.trim() !== '';
  const lastSave = num(info, 'rdb_last_save_time');
  const changes = num(info, 'rdb_changes_since_last_save');
  const since = Number.isFinite(lastSave) ? Math.max(0, Date.now() / 1000 - lastSave) : NaN;
  const details = {
    aof,
    appendfsync,
    rdbSnapshots: rdb,
    save,
    lastBgsaveStatus: info.rdb_last_bgsave_status,
    aofLastWriteStatus: info.aof_last_write_status,
    changesSinceLastSave: changes,
    loading: info.loading === '1',
  };
  if (info.rdb_last_bgsave_status !== undefined && info.rdb_last_bgsave_status !== 'ok') {
    return step('persistence', 'fail', 'the last background save (BGSAVE) FAILED', {
      details,
      problem: {
        code: 'bgsave-failed',
        what: 'The last RDB snapshot failed. With stop-writes-on-bgsave-error yes (the default), the server now refuses every write with MISCONF.',
        fix: [
          'Read the server log for the cause: usually a full disk or a `dir` the server may not write to.',
          'Free space or fix permissions, then run BGSAVE and check `rdb_last_bgsave_status` in INFO persistence.',
        ],
      },
    });
  }
  if (aof && info.aof_last_write_status !== undefined && info.aof_last_write_status !== 'ok') {
    return step('persistence', 'fail', 'the last AOF write FAILED', {
      details,
      problem: {
        code: 'aof-write-failed',
        what: 'The server could not write its append-only file: writes may be refused, and acknowledged ones may not be durable.',
        fix: ['Read the server log: usually a full disk or permissions on `dir`/`appenddirname`.'],
      },
    });
  }
  const notes: string[] = [];
  if (info.loading === '1') notes.push('The server is still loading its dataset.');
  if (info.aof_last_bgrewrite_status !== undefined && info.aof_last_bgrewrite_status !== 'ok') {
    notes.push('The last AOF rewrite failed: the append-only file keeps growing. See the server log.');
  }
  const rdbText =
    rdb === undefined
      ? 'RDB config unknown (CONFIG GET refused)'
      : rdb
        ? `RDB snapshots (save ${save})`
        : 'no RDB snapshots';
  const aofText = aof ? `AOF on (appendfsync ${appendfsync ?? '?'})` : 'AOF off';
  if (!aof && rdb === false) {
    notes.push(
      'No persistence: RDB snapshots and AOF are both off, so a restart loses every key (fine for a pure cache).',
    );
  } else if (!aof) {
    const when = Number.isFinite(since)
      ? `; last snapshot ${formatDuration(since)} ago, ${Number.isFinite(changes) ? changes : '?'} changes since`
      : '';
    notes.push(`AOF is off: a crash loses the writes made since the last RDB snapshot${when}.`);
  } else if (appendfsync === 'no') {
    notes.push(
      'appendfsync no: the OS decides when the AOF reaches the disk, so a crash can lose about 30 s of writes.',
    );
  }
  return step('persistence', notes.length > 0 ? 'warn' : 'ok', `${aofText}, ${rdbText}`, { details, notes });
}

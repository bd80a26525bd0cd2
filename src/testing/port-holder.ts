// Who holds a local TCP port: for the error of a server that cannot get its port back, so that
// the reader knows what took it (a listener, or an outgoing connection given it as local port).
// Linux only (/proc); elsewhere, and for sockets of other users' processes, it says it cannot tell.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

interface SocketEntry {
  inode: string;
  state: string;
  remote: string;
}

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/** `0100007F:1F90` (IPv4) or a 32-hex IPv6 address: host:port, readable. */
function endpoint(hex: string): string {
  const [a, p] = hex.split(':');
  const port = parseInt(p, 16);
  if (a.length === 8) {
    const bytes = a.match(/../g)!.map((b) => parseInt(b, 16));
    return `${bytes.reverse().join('.')}:${port}`;
  }
  return `[ipv6]:${port}`;
}

function socketsOn(port: number): SocketEntry[] {
  const out: SocketEntry[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (parseInt(f[1].split(':')[1], 16) !== port) continue;
      out.push({ inode: f[9], state: TCP_STATES[f[3]] ?? f[3], remote: endpoint(f[2]) });
    }
  }
  return out;
}

/** pid -> command name of the processes holding one of these socket inodes. */
function owners(inodes: Set<string>): Map<string, { pid: number; name: string }> {
  const found = new Map<string, { pid: number; name: string }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return found;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m === null || !inodes.has(m[1]) || found.has(m[1])) continue;
      let name = '?';
      try {
        name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        /* gone */
      }
      found.set(m[1], { pid: Number(pid), name });
    }
  }
  return found;
}

/**
 * One line saying what holds local TCP port `port`, e.g. "pid 4242 (node) listens on it" or
 * "pid 4242 (node) uses it as the local port of a connection to 127.0.0.1:6379 (ESTABLISHED)".
 */
export function describePortHolder(port: number): string {
  const sockets = socketsOn(port);
  if (sockets.length === 0) return 'no socket on it is visible (not Linux, or it was freed meanwhile)';
  const who = owners(new Set(sockets.map((s) => s.inode).filter((i) => i !== '0')));
  const parts = sockets.slice(0, 3).map((s) => {
    const o = who.get(s.inode);
    const by = o === undefined ? 'a process this user cannot see (or the kernel)' : `pid ${o.pid} (${o.name})`;
    return s.state === 'LISTEN'
      ? `${by} listens on it`
      : `${by} uses it as the local port of a connection to ${s.remote} (${s.state})`;
  });
  return parts.join('; ');
}

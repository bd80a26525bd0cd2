/**
 * A network namespace of the demo's own, so that its client is a real non-loopback peer of the
 * server: protected mode only refuses clients that do not come from loopback, and every address
 * of the root namespace is local to a server there. Needs root and `ip netns`; elsewhere the demo
 * skips its protected-mode chapter.
 *
 * One namespace per demo process (`romdemo<pid>`), joined by a veth pair (`rd<pid>-h`/`-n`, under
 * the 15-character limit) on a /30 from 10.231.0.0/16. `destroy()` is synchronous, so it can run
 * from an exit hook; deleting the host end of the veth deletes both ends.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export interface DemoNetns {
  readonly name: string;
  /** The root namespace's end: the client's source address. */
  readonly hostIp: string;
  /** The address inside the namespace: where the server listens. */
  readonly nsIp: string;
  destroy(): void;
}

/** Why the protected-mode chapter cannot run here, or undefined when it can. */
export function netnsUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const why = 'a non-loopback client, so the server goes in a network namespace';
  if (env.ROMAINE_DEMO_NETNS === '0') return `turned off by ROMAINE_DEMO_NETNS=0`;
  if (process.platform !== 'linux') return `it needs ${why}: Linux only`;
  if (process.getuid?.() !== 0) return `it needs ${why}, which takes root: run the demo as root to see it`;
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0)
    return `it needs ${why}, which takes the \`ip\` tool (iproute2)`;
  return undefined;
}

export function createDemoNetns(): DemoNetns {
  const pid = process.pid;
  const name = `romdemo${pid}`;
  const host = `rd${pid}-h`;
  const peer = `rd${pid}-n`;
  const slot = pid % (1 << 14);
  const base = [10, 231, slot >> 6, (slot & 0x3f) << 2];
  const hostIp = `${base[0]}.${base[1]}.${base[2]}.${base[3] + 1}`;
  const nsIp = `${base[0]}.${base[1]}.${base[2]}.${base[3] + 2}`;
  const destroy = (): void => {
    spawnSync('ip', ['link', 'del', host], { stdio: 'ignore' });
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  };
  const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  destroy(); // a leftover of a demo that was killed with this same pid
  try {
    ip('netns', 'add', name);
    ip('link', 'add', host, 'type', 'veth', 'peer', 'name', peer);
    ip('link', 'set', peer, 'netns', name);
    ip('addr', 'add', `${hostIp}/30`, 'dev', host);
    ip('link', 'set', host, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', peer);
    ip('netns', 'exec', name, 'ip', 'link', 'set', peer, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  } catch (err) {
    destroy();
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`could not set up a network namespace: ${stderr || String(err)}`, { cause: err });
  }
  return { name, hostIp, nsIp, destroy };
}

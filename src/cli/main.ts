/**
 * The `romaine` command line: `doctor`, `watch` and `demo`. Usage mistakes exit 2 with the
 * command's help; `doctor` exits 1 when the server is not healthy.
 */
import { parseArgs, UsageError, type OptionKind } from './argv';
import { runDemo } from './demo';
import { runDoctor } from './doctor';
import { readTarget, TARGET_HELP, TARGET_OPTIONS } from './target';
import { VERSION } from '../version';
import { makeStyle, screenWidth, wantsColor } from './terminal';
import { runWatch } from './watch';

const USAGE = `romaine — a Redis client for Node.js that is right when the network is wrong

Usage:
  romaine doctor <url> [--json] [--cluster]  diagnose a connection step by step (exit 0 healthy, 1 not)
  romaine watch <url> [--json] [--report file.html] [--duration s]
                                         keep a client connected and print its life as a timeline
  romaine demo                           start a throwaway redis-server and tell an outage story
  romaine <command> --help               more about one command

<url> is redis://[user:password@]host[:port][/db], rediss://... (TLS) or unix:///path/to/socket.
`;

const HELP: Record<string, string> = {
  doctor: `Usage: romaine doctor <url> [--json] [--cluster] [--sentinel <name>] [connection options]

Diagnoses a connection one step at a time and prints each step with its time and a verdict:
name resolution, TCP connect, TLS handshake and certificate (subject, expiry, verification),
HELLO/AUTH, server version and role, replication, maxmemory and eviction policy, persistence,
and the latency of 100 PINGs (p50/p99). A failure is explained in plain words, with the fix.
On a Redis Cluster node it also checks the cluster: cluster_state, slots covered, the shards and
their roles, and whether every node the cluster announces can be reached from here (announced
addresses this machine cannot reach are the NAT/Docker problem: the fix is nodeAddressMap).

  --json                   print the same findings as one JSON document
  --cluster                the target must be a cluster node (found on its own otherwise)
  --sentinel <name>        <url> is a sentinel: say who the primary of <name> is, whether
                           the sentinels agree, and whether this machine reaches the primary
                           and replicas they announce (the URL's password is the sentinels';
                           the data nodes get ROMAINE_NODE_PASSWORD)
  --help                   this text

Exit status: 0 when every step passed (warnings allowed), 1 otherwise, 2 for a usage mistake.

${TARGET_HELP}
`,
  watch: `Usage: romaine watch <url> [--json] [--report file.html] [--duration s] [connection options]

Keeps a client connected and prints its life as a timeline: state changes, reconnect attempts
with their delays and reasons, and a latency line every second (PING p50/p99 over that second,
10 PINGs a second). Stops on Ctrl-C or after --duration, then prints a summary: time ready,
outages with their length and cause, commands that failed.

  --json                   one JSON event per line instead of text
  --report <file.html>     also write a self-contained HTML page with an SVG timeline
  --duration <s>           stop after this many seconds
  --help                   this text

${TARGET_HELP}
`,
  demo: `Usage: romaine demo

Starts a throwaway redis-server on a free loopback port, runs a steady workload (20 INCRs a
second) and puts the client through an outage story: the server crashes and restarts, its
password is rotated then restored, and — as root, with \`ip netns\` — it restarts into protected
mode and back. Prints the timeline and every command's outcome, checks the counter on the
server, and ends with "recovered N times, lost 0 commands". Cleans up after itself.
Needs redis-server on PATH (apt-get install redis-server, brew install redis).
`,
};

const SPECS: Record<string, Record<string, OptionKind>> = {
  doctor: { json: 'boolean', cluster: 'boolean', sentinel: 'string', ...TARGET_OPTIONS },
  watch: { json: 'boolean', report: 'string', duration: 'number', ...TARGET_OPTIONS },
  demo: {},
};

/** Where the command line writes and what it reads from its environment (tests pass their own). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** The terminal stdout is, if it is one. */
  tty: { isTTY?: boolean; columns?: number };
  /** Aborts when nobody reads stdout any more (`romaine watch ... | head -3`): a watch then ends. */
  outClosed?: AbortSignal;
}

/**
 * A reader that goes away (`| head -3`) makes the next write fail with EPIPE, emitted as an
 * 'error' on stdout: unhandled, it crashes with a stack trace. It means "stop writing", not "fail".
 */
const stdoutClosed = new AbortController();
const processIo: Io = {
  out: (text) => {
    if (!stdoutClosed.signal.aborted) process.stdout.write(text);
  },
  err: (text) => void process.stderr.write(text),
  env: process.env,
  tty: process.stdout,
  outClosed: stdoutClosed.signal,
};

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    io.out(topic !== undefined && HELP[topic] !== undefined ? HELP[topic] : USAGE);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    io.out(`romaine ${VERSION}\n`);
    return 0;
  }
  const spec = SPECS[command];
  if (spec === undefined) {
    io.err(`romaine: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  try {
    const args = parseArgs(rest, spec);
    if (args.flags.has('help')) {
      io.out(HELP[command]);
      return 0;
    }
    const style = makeStyle(wantsColor(io.tty, io.env));
    if (command === 'demo') {
      if (args.positionals.length > 0) throw new UsageError(`demo takes no arguments`);
      return await runDemo({ style, print: (line) => io.out(`${line}\n`), width: screenWidth(io.tty), env: io.env });
    }
    if (args.positionals.length !== 1) throw new UsageError(`${command} needs one <url>, e.g. redis://127.0.0.1:6379`);
    const target = readTarget(args.positionals[0], args, io.env);
    if (command === 'doctor') {
      return await runDoctor(target, args.values.get('sentinel'), io.env, {
        json: args.flags.has('json'),
        cluster: args.flags.has('cluster'),
        style,
        width: screenWidth(io.tty),
        write: (text) => io.out(text),
      });
    }
    return await runWatch(target, {
      json: args.flags.has('json'),
      report: args.values.get('report'),
      durationS: args.numbers.get('duration'),
      style,
      write: (text) => io.out(text),
      closed: io.outClosed,
    });
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`romaine ${command}: ${err.message}\n\n${HELP[command]}`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed.abort();
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      if (stdoutClosed.signal.aborted) process.exit(code);
      // Let stdout drain (a pipe may be slow), then leave even if a stray handle is open.
      process.stdout.write('', () => process.exit(code));
    },
    (err: unknown) => {
      process.stderr.write(`romaine: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

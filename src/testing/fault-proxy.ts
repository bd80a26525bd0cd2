// A real TCP proxy between a client under test and a real redis-server, to
// inject network faults: black holes, delays, byte-by-byte delivery, cuts in
// the middle of a frame, resets, FINs and refused connects.
//
// Why a proxy and not mocks: the client's failure handling is about what the
// kernel and the socket API really report (ECONNRESET vs EOF vs silence), and
// `tc netem` is not available in this kernel. Runs in the test process.
import * as net from 'node:net';
import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { reservePort, type PortReservation } from './ports';

export type ProxyMode = 'pass' | 'blackhole';
export type Direction = 'up' | 'down'; // up: client -> server, down: server -> client

/** One proxied client connection, as given to onConnection(). */
export interface ProxiedConnection {
  readonly id: number;
  /** The socket accepted from the client under test. */
  readonly client: net.Socket;
  /** The proxy's socket to the target server. */
  readonly upstream: net.Socket;
}

type Item = { due: number; data?: Buffer; end?: true };

// One direction of one connection: an ordered queue pumped by one async loop,
// so that delays and byte splitting never reorder bytes.
class Lane {
  queue: Item[] = [];
  queuedBytes = 0;
  pumping = false;
  constructor(
    readonly dir: Direction,
    readonly src: net.Socket,
    readonly dst: net.Socket,
  ) {}
}

const HIGH_WATER = 1 << 20;

// Listens on the port with a backlog of 0, fills that backlog with its own connects and never
// accepts: the kernel then drops every new SYN, so a connect hangs as it does across a black-holed
// network (Node accepts as soon as it can, so this has to live in another process). Exits when
// its stdin closes, so it cannot outlive the test process.
const SYN_HOLE = `
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
for i in range(100):
    try:
        s.bind(('127.0.0.1', port))
        break
    except OSError:
        time.sleep(0.02)
s.listen(0)
fill = []
for i in range(3):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(('127.0.0.1', port))
    except BlockingIOError:
        pass
    fill.append(c)
print('ready', flush=True)
sys.stdin.read()
`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const tick = () => new Promise<void>((r) => setImmediate(r));

class Conn implements ProxiedConnection {
  /** No more bytes are forwarded (cut, closed or destroyed). */
  dead = false;
  private destroyed = false;
  /** Teardown steps held back while black-holed (no FIN, no RST may pass). */
  deferred: (() => void)[] = [];
  readonly lanes: Record<Direction, Lane>;
  constructor(
    readonly id: number,
    readonly client: net.Socket,
    readonly upstream: net.Socket,
  ) {
    this.lanes = { up: new Lane('up', client, upstream), down: new Lane('down', upstream, client) };
  }
  destroy(reset = false): void {
    if (this.destroyed) return;
    this.destroyed = this.dead = true;
    for (const s of [this.client, this.upstream]) {
      if (reset && !s.destroyed) s.resetAndDestroy();
      else s.destroy();
    }
  }
}

export class FaultProxy {
  private _mode: ProxyMode = 'pass';
  private server?: net.Server;
  private readonly conns = new Set<Conn>();
  private nextId = 1;
  private _accepted = 0;
  private delays: Record<Direction, number> = { up: 0, down: 0 };
  /** Forward in pieces of at most this many bytes (0: as received). */
  private split = 0;
  private cut: { dir: Direction; remaining: number } | null = null;
  private hooks: ((c: ProxiedConnection) => void)[] = [];
  private synHole: ChildProcess | undefined;

  private constructor(
    readonly target: { host: string; port: number },
    private _port: number,
  ) {}

  /**
   * Listen on 127.0.0.1:<free port> and forward to `target`. The port is reserved until close()
   * (ports.ts), so that refuse(false) gets it back.
   */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const p = new FaultProxy(target, 0);
    for (let i = 0; ; i++) {
      p.reserved?.release();
      p.reserved = await reservePort();
      p._port = p.reserved.port;
      try {
        await p.listen();
        return p;
      } catch (err) {
        if (i < 10 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        p.reserved.release();
        throw err;
      }
    }
  }
  private reserved: PortReservation | undefined;

  get port(): number {
    return this._port;
  }
  get url(): string {
    return `redis://127.0.0.1:${this._port}`;
  }
  /** Connections open right now. */
  get connections(): number {
    return this.conns.size;
  }
  /** Connections accepted since start. */
  get accepted(): number {
    return this._accepted;
  }

  private listen(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true }, (c) => this.onClient(c));
    // A forgotten proxy must not keep the test process alive.
    server.unref();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this._port, host: '127.0.0.1', exclusive: true }, () => {
        server.off('error', reject);
        this.server = server;
        resolve();
      });
    });
  }

  /** Assigning it is the same as setMode(). */
  get mode(): ProxyMode {
    return this._mode;
  }
  set mode(m: ProxyMode) {
    this.setMode(m);
  }

  /** Hook called for each accepted client connection. */
  onConnection(cb: (c: ProxiedConnection) => void): void {
    this.hooks.push(cb);
  }

  /**
   * 'blackhole': keep accepting and reading both sides, forward nothing, and let
   * no FIN or RST through either (a half-open peer). Bytes that arrive meanwhile
   * are dropped, not buffered. Back to 'pass': forwarding resumes, and a side
   * that closed meanwhile is closed on the other side then.
   */
  setMode(m: ProxyMode): void {
    this._mode = m;
    if (m === 'pass') {
      for (const c of this.conns) {
        const steps = c.deferred.splice(0);
        for (const s of steps) s();
      }
    }
  }

  /** Delay every chunk by `ms` in that direction (default both); order is preserved. */
  delay(ms: number, direction: Direction | 'both' = 'both'): void {
    if (direction !== 'down') this.delays.up = ms;
    if (direction !== 'up') this.delays.down = ms;
  }

  /**
   * Forward byte by byte (true), in pieces of at most `n` bytes (a number), or as received
   * (false, 0): each piece its own write, with a setImmediate between.
   */
  splitBytes(on: boolean | number): void {
    this.split = on === true ? 1 : on === false ? 0 : Math.max(0, Math.floor(on));
  }

  /**
   * Back to a plain proxy: forwarding resumes (as setMode('pass')), no delay, no splitting, a
   * pending cutAfter() is cancelled, and new connections are accepted again.
   */
  async heal(): Promise<void> {
    this.setMode('pass');
    this.delays = { up: 0, down: 0 };
    this.split = 0;
    this.cut = null;
    await this.dropNewConnections(false);
    await this.refuse(false);
  }

  /**
   * After `bytes` more bytes forwarded in that direction (default 'down'), on
   * whichever connection they flow, destroy both sides of that connection.
   * The bytes before the cut are delivered, the rest dropped. One-shot.
   */
  cutAfter(bytes: number, direction: Direction = 'down'): void {
    this.cut = { dir: direction, remaining: bytes };
  }

  /** RST every current connection, both sides (socket.resetAndDestroy()). */
  resetAll(): void {
    for (const c of [...this.conns]) c.destroy(true);
  }

  /** FIN every current connection, both sides; no more bytes are forwarded on them. */
  closeAll(): void {
    for (const c of [...this.conns]) {
      c.dead = true;
      c.client.end();
      c.upstream.end();
      // If a peer never answers our FIN, do not leak the socket.
      setTimeout(() => {
        c.client.destroy();
        c.upstream.destroy();
      }, 2000).unref();
    }
  }

  /**
   * on: stop listening, so new connects get ECONNREFUSED (open connections
   * stay). off: listen again on the same port; await it before connecting.
   */
  async refuse(on: boolean): Promise<void> {
    if (on) {
      this.server?.close();
      this.server = undefined;
    } else if (!this.server) {
      for (let i = 0; ; i++) {
        try {
          return await this.listen();
        } catch (err) {
          if (i >= 20 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
          await sleep(50);
        }
      }
    }
  }

  /**
   * on: new connects hang (their SYNs are dropped) until the client's own timeout, as across a
   * real black hole; open connections stay. Combine with setMode('blackhole') for a network that
   * is gone both for the open connection and for any new one. off: accept again (await it).
   * Needs python3.
   */
  async dropNewConnections(on: boolean): Promise<void> {
    if (on) {
      if (this.synHole !== undefined) return;
      await this.refuse(true);
      const child = spawn('python3', ['-c', SYN_HOLE, String(this._port)], { stdio: ['pipe', 'pipe', 'inherit'] });
      this.synHole = child;
      child.unref();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      const [line] = (await Promise.race([once(child.stdout, 'data'), once(child, 'exit')])) as unknown[];
      if (!Buffer.isBuffer(line) || !line.toString().startsWith('ready')) {
        this.synHole = undefined;
        throw new Error(`FaultProxy.dropNewConnections: the SYN hole did not start (exit ${String(line)})`);
      }
    } else {
      const child = this.synHole;
      if (child === undefined) return;
      this.synHole = undefined;
      const exited = once(child, 'exit');
      child.stdin?.end();
      child.kill();
      await exited;
      await this.refuse(false);
    }
  }

  /** Stop listening and destroy every connection. */
  async close(): Promise<void> {
    if (this.synHole !== undefined) {
      this.synHole.stdin?.end();
      this.synHole.kill();
      this.synHole = undefined;
    }
    const server = this.server;
    this.server = undefined;
    for (const c of [...this.conns]) c.destroy();
    if (server) await new Promise<void>((r) => server.close(() => r()));
    this.reserved?.release();
  }

  private onClient(client: net.Socket): void {
    this._accepted++;
    const upstream = net.connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true });
    const c = new Conn(this.nextId++, client, upstream);
    this.conns.add(c);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    for (const lane of Object.values(c.lanes)) this.wire(c, lane);
    let closed = 0;
    for (const s of [client, upstream]) {
      s.once('close', () => {
        if (++closed === 2) this.conns.delete(c);
      });
    }
    for (const h of this.hooks) h(c);
  }

  // Run a teardown step now, or when the black hole ends.
  private teardown(c: Conn, step: () => void): void {
    if (this._mode === 'blackhole') c.deferred.push(step);
    else step();
  }

  private wire(c: Conn, lane: Lane): void {
    const { src } = lane;
    src.on('data', (data: Buffer) => {
      if (c.dead || this._mode === 'blackhole') return; // read and dropped
      lane.queue.push({ due: Date.now() + this.delays[lane.dir], data });
      lane.queuedBytes += data.length;
      if (lane.queuedBytes > HIGH_WATER) src.pause();
      void this.pump(c, lane);
    });
    src.on('end', () => {
      // FIN from src: pass it on after the bytes queued before it.
      this.teardown(c, () => {
        lane.queue.push({ due: Date.now() + this.delays[lane.dir], end: true });
        void this.pump(c, lane);
      });
    });
    src.on('error', (err: NodeJS.ErrnoException) => {
      // Reset or refused on one side: reset the other, like a dead peer would.
      const reset = err.code === 'ECONNRESET' || err.code === 'ECONNREFUSED';
      this.teardown(c, () => c.destroy(reset));
    });
  }

  private async pump(c: Conn, lane: Lane): Promise<void> {
    if (lane.pumping) return;
    lane.pumping = true;
    try {
      while (lane.queue.length > 0 && !c.dead) {
        const item = lane.queue[0];
        const wait = item.due - Date.now();
        if (wait > 0) await sleep(wait);
        lane.queue.shift();
        if (c.dead) break;
        if (item.end) {
          lane.dst.end();
          continue;
        }
        const data = item.data!;
        lane.queuedBytes -= data.length;
        if (this._mode === 'blackhole') continue; // accepted before the black hole, still not forwarded
        if (this.split > 0) {
          const n = this.split;
          for (let i = 0; i < data.length && !c.dead; i += n) {
            this.forward(c, lane, data.subarray(i, i + n));
            await tick();
          }
        } else {
          this.forward(c, lane, data);
        }
        if (!c.dead && lane.dst.writableNeedDrain) await once(lane.dst, 'drain').catch(() => {});
        if (lane.queuedBytes <= HIGH_WATER && lane.src.isPaused()) lane.src.resume();
      }
    } finally {
      lane.pumping = false;
    }
  }

  // Write one piece, honouring a pending cutAfter() on this direction.
  private forward(c: Conn, lane: Lane, data: Buffer): void {
    const cut = this.cut;
    if (cut && cut.dir === lane.dir) {
      if (data.length >= cut.remaining) {
        this.cut = null;
        c.dead = true;
        const head = data.subarray(0, cut.remaining);
        // Let the head reach the kernel before the close.
        if (head.length > 0) lane.dst.write(head, () => c.destroy());
        else c.destroy();
        return;
      }
      cut.remaining -= data.length;
    }
    lane.dst.write(data);
  }
}

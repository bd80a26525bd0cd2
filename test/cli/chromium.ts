// Headless Chromium (Debian's `chromium` package) driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: JSON messages ended by NUL, written to the browser's fd 3 and read from
// its fd 4), so that a test can load a page, ask the rendered DOM questions and take a screenshot
// with no npm dependency and no network port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

const CANDIDATES = ['chromium', 'chromium-browser'];

/** The Chromium binary on PATH, or undefined. */
export function findChromium(): string | undefined {
  for (const name of CANDIDATES) {
    const r = spawnSync('which', [name], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() !== '') return r.stdout.trim();
  }
  return undefined;
}

/** The reason to skip a browser test here, or false. */
export function chromiumSkipReason(): string | false {
  return findChromium() === undefined
    ? 'needs headless Chromium (Debian package `chromium`: apt-get install -y chromium)'
    : false;
}

export class Browser {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private readonly eventWaiters: { method: string; resolve: (p: any) => void }[] = [];
  private sessionId: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
  ) {
    let buffered = Buffer.alloc(0);
    fromBrowser.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let end = buffered.indexOf(0); end !== -1; end = buffered.indexOf(0)) {
        const message = JSON.parse(buffered.subarray(0, end).toString('utf8'));
        buffered = buffered.subarray(end + 1);
        this.dispatch(message);
      }
    });
  }

  static async launch(width = 1200, height = 900): Promise<Browser> {
    const exe = findChromium();
    if (exe === undefined) throw new Error(chromiumSkipReason() as string);
    const profile = mkdtempSync(join(tmpdir(), 'romaine-chromium-'));
    const child = spawn(
      exe,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        `--window-size=${width},${height}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      // Its own process group, so that close() can end its helper processes too (by the group's id).
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true },
    );
    const browser = new Browser(child, profile, child.stdio[3] as Writable, child.stdio[4] as Readable);
    const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
    browser.sessionId = sessionId;
    await browser.send('Page.enable');
    await browser.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return browser;
  }

  /** Loads `url` and resolves once its load event fired. */
  async open(url: string): Promise<void> {
    const loaded = this.nextEvent('Page.loadEventFired');
    await this.send('Page.navigate', { url });
    await loaded;
  }

  /** Evaluates `expression` in the page and returns its value (JSON-serialisable results only). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`page script failed: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value as T;
  }

  /** A PNG of the whole page. */
  async screenshot(): Promise<Buffer> {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
    return Buffer.from(data as string, 'base64');
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    try {
      await Promise.race([this.send('Browser.close', {}, true), new Promise((r) => setTimeout(r, 2000))]);
    } catch {}
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await exited;
    try {
      process.kill(-(this.child.pid as number), 'SIGKILL'); // helpers still writing to the profile
    } catch {}
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }

  private send(method: string, params: Record<string, unknown> = {}, browserLevel = false): Promise<any> {
    const id = this.nextId++;
    const message: Record<string, unknown> = { id, method, params };
    if (!browserLevel && this.sessionId !== undefined) message.sessionId = this.sessionId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.toBrowser.write(`${JSON.stringify(message)}\0`);
    });
  }

  private nextEvent(method: string): Promise<any> {
    return new Promise((resolve) => this.eventWaiters.push({ method, resolve }));
  }

  private dispatch(message: any): void {
    if (typeof message.id === 'number') {
      const w = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error) w?.reject(new Error(`${message.error.message} (${message.error.code})`));
      else w?.resolve(message.result);
      return;
    }
    const i = this.eventWaiters.findIndex((w) => w.method === message.method);
    if (i !== -1) this.eventWaiters.splice(i, 1)[0].resolve(message.params);
  }
}

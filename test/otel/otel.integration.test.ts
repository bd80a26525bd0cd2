// romaine/otel against a real redis-server, read back through the OpenTelemetry SDK's in-memory
// span exporter and metric exporter: spans follow the database conventions for Redis, the
// duration histogram matches the spans, reconnects are counted by failure kind, the offline-queue
// gauge sees queued commands, and disable() lets go of every channel.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { hasSubscribers } from 'node:diagnostics_channel';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { createClient, ReplyError, ClientClosedError, type RedisClient } from '../../src/index';
import {
  instrumentRomaine,
  METRIC_OFFLINE_QUEUE_LENGTH,
  METRIC_OPERATION_DURATION,
  METRIC_RECONNECTS,
  type RomaineInstrumentation,
  type RomaineInstrumentationOptions,
} from '../../src/otel/index';
import { RedisServer, freePort } from '../support/redis-server';

let server: RedisServer;
const contextManager = new AsyncLocalStorageContextManager();

before(async () => {
  server = await RedisServer.start({ unixSocket: true });
  context.setGlobalContextManager(contextManager.enable());
});
after(async () => {
  context.disable();
  await server?.destroy();
});

/** One instrumentation with its own SDK pipeline: spans and metrics it exported. */
interface Rig {
  instrumentation: RomaineInstrumentation;
  spans(): ReadableSpan[];
  metric(name: string): Promise<MetricData | undefined>;
  tracer: ReturnType<BasicTracerProvider['getTracer']>;
  shutdown(): Promise<void>;
}

const rigs: Rig[] = [];
const clients: RedisClient[] = [];

function rig(options: Omit<RomaineInstrumentationOptions, 'tracerProvider' | 'meterProvider'> = {}): Rig {
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const instrumentation = instrumentRomaine({ ...options, tracerProvider, meterProvider });
  const r: Rig = {
    instrumentation,
    tracer: tracerProvider.getTracer('test'),
    spans: () => spanExporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === 'romaine'),
    metric: async (name) => {
      metricExporter.reset();
      await reader.forceFlush();
      const all = metricExporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
      return all.find((m) => m.descriptor.name === name);
    },
    shutdown: async () => {
      instrumentation.disable();
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
  rigs.push(r);
  return r;
}

function client(...args: Parameters<typeof createClient>): RedisClient {
  const c = createClient(...args);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const r of rigs.splice(0)) await r.shutdown();
});

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a CLIENT span per command with the Redis database attributes', async () => {
  const r = rig();
  const c = client({ port: server.port, database: 3 });
  await c.set('otel:k', 'secret-value', { EX: 60 });
  assert.equal(await c.get('otel:k'), 'secret-value');
  await c.call('CONFIG', 'GET', 'maxmemory');

  const spans = r.spans();
  assert.deepEqual(
    spans.map((s) => s.name),
    ['SET', 'GET', 'CONFIG'],
  );
  const [set, get, config] = spans;
  assert.equal(set.kind, SpanKind.CLIENT);
  assert.deepEqual(set.attributes, {
    'db.system.name': 'redis',
    'db.operation.name': 'SET',
    'db.query.text': 'SET otel:k ? ? ?',
    'db.namespace': '3',
    'server.address': '127.0.0.1',
    'server.port': server.port,
  });
  assert.equal(get.attributes['db.query.text'], 'GET otel:k');
  assert.equal(config.attributes['db.query.text'], 'CONFIG GET ?', 'the subcommand is kept, its argument is not');
  assert.equal(set.status.code, SpanStatusCode.UNSET, 'a success leaves the status unset');
  for (const s of spans) {
    assert.ok(s.ended);
    assert.equal(s.parentSpanContext, undefined, 'no parent outside a span');
    assert.doesNotMatch(JSON.stringify(s.attributes), /secret-value/);
  }
});

test('a failed command: status ERROR, error.type and db.response.status_code, an exception event', async () => {
  const r = rig();
  const c = client({ port: server.port });
  await c.set('otel:str', 'x');
  const err = await c.lpush('otel:str', 'a').catch((e: unknown) => e);
  assert.ok(err instanceof ReplyError);

  const span = r.spans().find((s) => s.name === 'LPUSH');
  assert.ok(span);
  assert.equal(span.status.code, SpanStatusCode.ERROR);
  assert.match(span.status.message ?? '', /WRONGTYPE/);
  assert.equal(span.attributes['error.type'], 'WRONGTYPE');
  assert.equal(span.attributes['db.response.status_code'], 'WRONGTYPE');
  const exception = span.events.find((e) => e.name === 'exception');
  assert.ok(exception, 'the exception is recorded as an event');
  assert.match(String(exception.attributes?.['exception.message']), /WRONGTYPE/);
});

test('client-side failures get the error class as error.type and say whether the command may have run', async () => {
  const r = rig();
  const port = await freePort(); // nothing listens: the command waits in the offline queue
  const c = client({ port, reconnect: { onInitialFailure: 'retry', baseDelayMs: 20, maxDelayMs: 50 } });
  const pending = c.get('otel:never').catch((e: unknown) => e);
  c.destroy();
  assert.ok((await pending) instanceof ClientClosedError);
  const span = r.spans().find((s) => s.name === 'GET');
  assert.ok(span);
  assert.equal(span.attributes['error.type'], 'ClientClosedError');
  assert.equal(span.attributes['db.response.status_code'], undefined, 'not a server answer');
  assert.equal(span.attributes['romaine.command.maybe_executed'], false);
  assert.equal(span.status.code, SpanStatusCode.ERROR);
});

test('spans are children of the active span; requireParentSpan skips commands outside one', async () => {
  const r = rig({ requireParentSpan: true });
  const c = client({ port: server.port });
  await c.ping(); // no active span: no span, but a metric
  const parentId = await r.tracer.startActiveSpan('request', async (parent) => {
    await c.set('otel:p', '1');
    await c.pipeline().get('otel:p').incr('otel:p').exec();
    parent.end();
    return parent.spanContext().spanId;
  });
  const spans = r.spans();
  assert.deepEqual(
    spans.map((s) => s.name),
    ['SET', 'GET', 'INCR'],
    'one span per command, pipelined ones too',
  );
  for (const s of spans) assert.equal(s.parentSpanContext?.spanId, parentId, `${s.name} is a child of the request`);
  assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1, 'one trace');

  const duration = await r.metric(METRIC_OPERATION_DURATION);
  const ping = duration?.dataPoints.find((p) => p.attributes['db.operation.name'] === 'PING');
  assert.ok(ping, 'the PING outside a span was still measured');
});

test('db.namespace follows SELECT; server.address is the Unix socket path for a socket client', async () => {
  const r = rig();
  assert.ok(server.socketPath);
  const c = client({ path: server.socketPath });
  await c.get('a');
  await c.select(5);
  await c.get('b');
  const gets = r.spans().filter((s) => s.name === 'GET');
  assert.equal(gets[0].attributes['db.namespace'], '0');
  assert.equal(gets[1].attributes['db.namespace'], '5');
  assert.equal(gets[0].attributes['server.address'], server.socketPath);
  assert.equal(gets[0].attributes['server.port'], undefined);
});

test('queryText: full shows values but never credentials; false leaves it out', async () => {
  const full = rig({ queryText: 'full' });
  const c = client({ port: server.port });
  await c.set('otel:full', 'hello world');
  // call('AUTH') is refused before it is sent (docs/commands.md); MIGRATE ... AUTH carries a password too.
  await c.call('MIGRATE', '127.0.0.1', 1, 'otel:nokey', 0, 100, 'AUTH', 'hunter2').catch(() => undefined);
  const texts = full.spans().map((s) => s.attributes['db.query.text']);
  assert.equal(texts[0], 'SET otel:full "hello world"');
  assert.equal(texts[1], 'MIGRATE ?');
  await full.shutdown();

  const none = rig({ queryText: false });
  await c.get('otel:full');
  assert.equal(none.spans()[0].attributes['db.query.text'], undefined);
});

test('EVALSHA and FCALL name their script in db.stored_procedure.name', async () => {
  const r = rig();
  const c = client({ port: server.port });
  const sha = String(await c.call('SCRIPT', 'LOAD', 'return 1'));
  await c.call('EVALSHA', sha, '0');
  const span = r.spans().find((s) => s.name === 'EVALSHA');
  assert.equal(span?.attributes['db.stored_procedure.name'], sha);
});

test('db.client.operation.duration: seconds, one point per command, the same duration as the span', async () => {
  const r = rig();
  const c = client({ port: server.port });
  for (let i = 0; i < 5; i++) await c.incr('otel:n');
  await c.lpush('otel:n', 'x').catch(() => undefined);

  const metric = await r.metric(METRIC_OPERATION_DURATION);
  assert.ok(metric);
  assert.equal(metric.descriptor.unit, 's');
  assert.equal(metric.dataPointType, DataPointType.HISTOGRAM);
  const incr = metric.dataPoints.find(
    (p) => p.attributes['db.operation.name'] === 'INCR' && !p.attributes['error.type'],
  );
  assert.ok(incr);
  const value = incr.value as { count: number; sum: number; buckets: { boundaries: number[] } };
  assert.equal(value.count, 5);
  assert.deepEqual(value.buckets.boundaries, [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10], 'the advised buckets');
  const spanSeconds = r
    .spans()
    .filter((s) => s.name === 'INCR')
    .reduce((sum, s) => sum + s.duration[0] + s.duration[1] / 1e9, 0);
  assert.ok(Math.abs(value.sum - spanSeconds) < 0.001, `histogram sum ${value.sum} s vs spans ${spanSeconds} s`);
  assert.equal(incr.attributes['server.port'], server.port);
  assert.equal(incr.attributes['db.system.name'], 'redis');

  const failed = metric.dataPoints.find((p) => p.attributes['db.operation.name'] === 'LPUSH');
  assert.equal(failed?.attributes['error.type'], 'WRONGTYPE');
});

test('reconnects are counted with the failure kind', async () => {
  const r = rig();
  const c = client({ port: server.port, reconnect: { baseDelayMs: 10, maxDelayMs: 20 } });
  const admin = client({ port: server.port });
  await c.connect();
  const ready = new Promise<void>((resolve) => c.once('ready', () => resolve()));
  await admin.call('CLIENT', 'KILL', 'ID', String(await c.call('CLIENT', 'ID')));
  await ready;

  const metric = await r.metric(METRIC_RECONNECTS);
  assert.ok(metric);
  assert.equal(metric.dataPointType, DataPointType.SUM);
  const point = metric.dataPoints.find((p) => p.attributes['server.port'] === server.port);
  assert.ok(point, JSON.stringify(metric.dataPoints));
  assert.equal(point.attributes['romaine.failure.kind'], 'network');
  assert.equal(point.value, 1);
});

test('the offline-queue gauge counts commands waiting for a connection, and forgets closed clients', async () => {
  const r = rig();
  const port = await freePort();
  const c = client({ port, reconnect: { onInitialFailure: 'retry', baseDelayMs: 20, maxDelayMs: 50 } });
  const waiting = [c.get('a'), c.get('b'), c.get('c')].map((p) => p.catch(() => undefined));
  await waitFor('3 queued commands', () => c.offlineQueueLength === 3);

  const gauge = await r.metric(METRIC_OFFLINE_QUEUE_LENGTH);
  assert.ok(gauge);
  assert.equal(gauge.dataPointType, DataPointType.GAUGE);
  const point = gauge.dataPoints.find((p) => p.attributes['server.port'] === port);
  assert.equal(point?.value, 3);

  c.destroy();
  await Promise.all(waiting);
  const after = await r.metric(METRIC_OFFLINE_QUEUE_LENGTH);
  const gone = after?.dataPoints.find((p) => p.attributes['server.port'] === port);
  assert.equal(gone?.value ?? 0, 0, 'a closed client is no longer observed: its server drops to 0');
});

test('disable() unsubscribes from every channel, after ending the spans still in flight', async () => {
  const r = rig();
  const c = client({ port: server.port });
  await c.ping();
  const blocked = c.call('BLPOP', 'otel:empty', '0.2'); // in flight while disable() runs
  await new Promise((resolve) => setTimeout(resolve, 20));
  r.instrumentation.disable();
  assert.equal(r.instrumentation.enabled, false);
  assert.equal(hasSubscribers('romaine:command:start'), false);
  assert.equal(hasSubscribers('romaine:state'), false);
  assert.equal(hasSubscribers('romaine:reconnecting'), false);
  assert.equal(hasSubscribers('romaine:command:end'), true, 'still waiting for the BLPOP');
  assert.equal(await blocked, null);
  assert.equal(hasSubscribers('romaine:command:end'), false);
  assert.equal(hasSubscribers('romaine:command:error'), false);
  assert.deepEqual(
    r.spans().map((s) => s.name),
    ['PING', 'BLPOP'],
  );
  await c.ping();
  assert.equal(r.spans().length, 2, 'no span after disable()');
  r.instrumentation.disable(); // idempotent
});

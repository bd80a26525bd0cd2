/**
 * `romaine/otel`: OpenTelemetry traces and metrics for romaine, built on its
 * `node:diagnostics_channel` channels (see docs/observability.md). Nothing is patched: the
 * integration subscribes to `romaine:command:*`, `romaine:state` and `romaine:reconnecting`, and
 * `disable()` unsubscribes.
 *
 * ```ts
 * import { instrumentRomaine } from 'romaine/otel';
 * const instrumentation = instrumentRomaine(); // global tracer and meter providers
 * // ... on shutdown:
 * instrumentation.disable();
 * ```
 *
 * `@opentelemetry/api` is an optional peer dependency of romaine: only this entry point needs it.
 *
 * @packageDocumentation
 * @module romaine/otel
 */
import type * as OtelApi from '@opentelemetry/api';
import type { Attributes, Histogram, Counter, ObservableGauge, Span, Tracer } from '@opentelemetry/api';
import {
  commandEnd,
  commandError,
  commandStart,
  reconnectingChannel,
  stateChannel,
  type CommandMessage,
} from '../diagnostics';
import { ReplyError } from '../errors';
import { VERSION } from '../version';
import { fullQueryText, sanitizedQueryText, type QueryTextSerializer } from './query-text';

export { sanitizedQueryText, fullQueryText, MAX_QUERY_TEXT_LENGTH } from './query-text';
export type { QueryTextSerializer } from './query-text';
export type { CommandMessage } from '../diagnostics';

const api = loadApi();

/** The instrumentation scope name of romaine's tracer and meter. */
export const INSTRUMENTATION_NAME = 'romaine';

/** Duration of every command, in seconds (stable OpenTelemetry database metric). */
export const METRIC_OPERATION_DURATION = 'db.client.operation.duration';
/** Reconnect attempts scheduled, by failure kind (`romaine.failure.kind`). */
export const METRIC_RECONNECTS = 'romaine.client.reconnects';
/** Commands waiting for a connection, summed over the clients talking to one server. */
export const METRIC_OFFLINE_QUEUE_LENGTH = 'romaine.client.offline_queue.length';

/** The bucket boundaries the OpenTelemetry conventions advise for `db.client.operation.duration`. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** Options of {@link instrumentRomaine}. */
export interface RomaineInstrumentationOptions {
  /** Where spans go. Default: the global tracer provider (`trace.getTracerProvider()`). */
  tracerProvider?: OtelApi.TracerProvider;
  /**
   * Where metrics go. Default: the global meter provider, read when `instrumentRomaine()` is called,
   * so call it after your SDK has started (or pass the provider).
   */
  meterProvider?: OtelApi.MeterProvider;
  /**
   * `db.query.text` of command spans. `'sanitized'` (default): the command, key names and
   * subcommands, every other argument as `?` (`SET user:1 ? ? ?`). `'full'`: every argument as
   * sent (values reach your tracing backend; credentials never do). `false`: no query text. Or a
   * function of the command's name and arguments.
   */
  queryText?: 'sanitized' | 'full' | false | QueryTextSerializer;
  /**
   * Only make a span for a command issued inside another span (a request, a job), so that
   * background traffic does not start traces of its own. Metrics are recorded either way.
   * Default false.
   */
  requireParentSpan?: boolean;
}

/** What {@link instrumentRomaine} returns: a switch to turn the instrumentation off. */
export interface RomaineInstrumentation {
  /** false once disable() was called. */
  readonly enabled: boolean;
  /**
   * Unsubscribes from every channel and stops the offline-queue gauge. Spans of commands still in
   * flight are ended as they settle, without a metric. Idempotent.
   */
  disable(): void;
  /** Same as disable(), for `using`. */
  [Symbol.dispose](): void;
}

/** The `romaine:reconnecting` message. */
interface ReconnectingMessage {
  client: unknown;
  attempt: number;
  delayMs: number;
  reason: unknown;
}

/** The `romaine:state` message. */
interface StateMessage {
  client: unknown;
  from: string;
  to: string;
}

/** What the instrumentation reads from a client: its endpoint, its database, its offline queue. */
interface ClientView {
  readonly attributes: Attributes;
  offlineQueueLength(): number | undefined;
}

/**
 * Starts tracing and measuring every romaine client in the process, and returns a handle whose
 * `disable()` stops it.
 *
 * - A `CLIENT` span per command, named after the command (`GET`), with the attributes of the
 *   OpenTelemetry Redis conventions: `db.system.name` (`redis`), `db.operation.name`,
 *   `db.query.text` (sanitized, see {@link RomaineInstrumentationOptions.queryText}),
 *   `db.namespace` (the database index), `server.address`, `server.port`,
 *   `db.stored_procedure.name` for `EVALSHA`/`FCALL`. A failed command sets the span status to
 *   ERROR, records the exception as an event, and sets `error.type` (the server's error prefix for
 *   a `ReplyError`, e.g. `WRONGTYPE`, also in `db.response.status_code`; the class name otherwise,
 *   e.g. `ConnectionLostError`).
 * - Metrics: `db.client.operation.duration` (histogram, seconds), `romaine.client.reconnects`
 *   (counter, by `romaine.failure.kind`), `romaine.client.offline_queue.length` (gauge).
 *
 * Call it once per process: two calls make two spans per command.
 */
export function instrumentRomaine(options: RomaineInstrumentationOptions = {}): RomaineInstrumentation {
  const tracer: Tracer = (options.tracerProvider ?? api.trace.getTracerProvider()).getTracer(
    INSTRUMENTATION_NAME,
    VERSION,
  );
  const meter = (options.meterProvider ?? api.metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME, VERSION);
  const queryText = serializerFor(options.queryText);
  const requireParentSpan = options.requireParentSpan === true;

  const duration: Histogram = meter.createHistogram(METRIC_OPERATION_DURATION, {
    description: 'Duration of Redis commands sent by romaine, from acceptance to reply or error.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const reconnects: Counter = meter.createCounter(METRIC_RECONNECTS, {
    description: 'Reconnect attempts scheduled by romaine clients after a connection failed.',
    unit: '{attempt}',
  });
  const offlineQueue: ObservableGauge = meter.createObservableGauge(METRIC_OFFLINE_QUEUE_LENGTH, {
    description: 'Commands waiting in romaine offline queues for a connection.',
    unit: '{command}',
  });

  let enabled = true;
  /** Spans started and not ended: after disable(), end and error stay subscribed until they are. */
  let open = 0;
  const spans = new WeakMap<CommandMessage, Span>();
  const views = new WeakMap<object, ClientView>();
  /**
   * Clients seen on the channels and not closed yet: what the offline-queue gauge reads. Held
   * weakly, so that a client dropped without close() is not kept alive by its instrumentation.
   */
  let live = new WeakMap<object, WeakRef<object>>();
  const liveRefs = new Set<WeakRef<object>>();

  /** The client's view; `seen` also puts it on the gauge's list (a command started, a state changed). */
  const viewOf = (client: unknown, seen = false): ClientView | undefined => {
    if (typeof client !== 'object' || client === null) return undefined;
    let view = views.get(client);
    if (view === undefined) {
      view = describeClient(client);
      views.set(client, view);
    }
    if (seen && enabled && !live.has(client)) {
      const ref = new WeakRef(client);
      live.set(client, ref);
      liveRefs.add(ref);
    }
    return view;
  };
  const forget = (client: object): void => {
    const ref = live.get(client);
    if (ref !== undefined) liveRefs.delete(ref);
    live.delete(client);
  };

  const onStart = guard((message: unknown): void => {
    const m = message as CommandMessage;
    const view = viewOf(m.client, true);
    const parent = api.context.active();
    if (requireParentSpan && api.trace.getSpan(parent) === undefined) return;
    const attributes: Attributes = { ...view?.attributes, 'db.operation.name': m.command };
    const text = queryText?.(m.command, m.args);
    if (text !== undefined) attributes['db.query.text'] = text;
    const procedure = storedProcedure(m);
    if (procedure !== undefined) attributes['db.stored_procedure.name'] = procedure;
    const span = tracer.startSpan(
      m.command,
      { kind: api.SpanKind.CLIENT, attributes, startTime: performance.timeOrigin + m.startTime },
      parent,
    );
    spans.set(m, span);
    open++;
  });

  const finish = (m: CommandMessage, error: Error | undefined): void => {
    const now = performance.now();
    const span = spans.get(m);
    spans.delete(m);
    const view = viewOf(m.client);
    const errorAttributes: Attributes = {};
    if (error !== undefined) {
      const serverCode = replyCode(error);
      if (serverCode !== undefined) errorAttributes['db.response.status_code'] = serverCode;
      errorAttributes['error.type'] = serverCode ?? (error.name || '_OTHER');
    }
    if (enabled) {
      duration.record((now - m.startTime) / 1000, {
        ...view?.attributes,
        'db.operation.name': m.command,
        ...errorAttributes,
      });
    }
    if (span === undefined) return;
    open--;
    if (!enabled && open === 0) unsubscribeSettled();
    if (error !== undefined) {
      span.setAttributes(errorAttributes);
      const maybeExecuted = (error as { maybeExecuted?: unknown }).maybeExecuted;
      if (typeof maybeExecuted === 'boolean') span.setAttribute('romaine.command.maybe_executed', maybeExecuted);
      span.recordException(error);
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: error.message });
    }
    span.end(performance.timeOrigin + now);
  };

  const onEnd = guard((message: unknown): void => {
    const m = message as CommandMessage;
    if (/^select$/i.test(m.command) && m.args.length === 1) {
      // The connection now uses another database: later spans say so (db.namespace).
      const view = viewOf(m.client);
      if (view !== undefined) (view.attributes as Record<string, unknown>)['db.namespace'] = String(m.args[0]);
    }
    finish(m, undefined);
  });

  const onError = guard((message: unknown): void => {
    const m = message as CommandMessage;
    finish(m, m.error ?? new Error('unknown error'));
  });

  const onState = guard((message: unknown): void => {
    const m = message as StateMessage;
    if (typeof m.client !== 'object' || m.client === null) return;
    if (m.to === 'closed') forget(m.client);
    else viewOf(m.client, true);
  });

  const onReconnecting = guard((message: unknown): void => {
    const m = message as ReconnectingMessage;
    const kind = (m.reason as { kind?: unknown } | undefined)?.kind;
    reconnects.add(1, {
      ...viewOf(m.client)?.attributes,
      'romaine.failure.kind': typeof kind === 'string' ? kind : 'unknown',
    });
  });

  /** The servers observed last time: one that has no client left is observed once more, at 0. */
  let lastObserved = new Map<string, Attributes>();
  const observe = guard((result: unknown): void => {
    const sums = new Map<string, { attributes: Attributes; value: number }>();
    for (const ref of liveRefs) {
      const client = ref.deref();
      if (client === undefined) {
        liveRefs.delete(ref);
        continue;
      }
      const view = views.get(client);
      const length = view?.offlineQueueLength();
      if (view === undefined || length === undefined) continue;
      const attributes: Attributes = {
        'db.system.name': 'redis',
        'server.address': view.attributes['server.address'],
      };
      if (view.attributes['server.port'] !== undefined) attributes['server.port'] = view.attributes['server.port'];
      const key = `${String(attributes['server.address'])}:${String(attributes['server.port'])}`;
      const sum = sums.get(key);
      if (sum === undefined) sums.set(key, { attributes, value: length });
      else sum.value += length;
    }
    for (const [key, attributes] of lastObserved) {
      if (!sums.has(key)) (result as OtelApi.ObservableResult).observe(0, attributes);
    }
    lastObserved = new Map();
    for (const [key, { attributes, value }] of sums) {
      (result as OtelApi.ObservableResult).observe(value, attributes);
      lastObserved.set(key, attributes);
    }
  });

  commandStart.subscribe(onStart);
  commandEnd.subscribe(onEnd);
  commandError.subscribe(onError);
  stateChannel.subscribe(onState);
  reconnectingChannel.subscribe(onReconnecting);
  offlineQueue.addCallback(observe);

  const unsubscribeSettled = (): void => {
    commandEnd.unsubscribe(onEnd);
    commandError.unsubscribe(onError);
  };
  const disable = (): void => {
    if (!enabled) return;
    enabled = false;
    commandStart.unsubscribe(onStart);
    stateChannel.unsubscribe(onState);
    reconnectingChannel.unsubscribe(onReconnecting);
    offlineQueue.removeCallback(observe);
    liveRefs.clear();
    live = new WeakMap();
    // Spans already started end when their commands settle (every command does): keep listening
    // for those, then let go.
    if (open === 0) unsubscribeSettled();
  };
  return {
    get enabled() {
      return enabled;
    },
    disable,
    [Symbol.dispose]: disable,
  };
}

function serializerFor(option: RomaineInstrumentationOptions['queryText']): QueryTextSerializer | undefined {
  if (option === undefined || option === 'sanitized') return sanitizedQueryText;
  if (option === 'full') return fullQueryText;
  if (option === false) return undefined;
  if (typeof option === 'function') return option;
  throw new TypeError(`option 'queryText' must be 'sanitized', 'full', false or a function, got ${String(option)}`);
}

/**
 * The attributes of a client's endpoint, read once from its resolved options: `server.address`
 * is the host (or the Unix socket path) as configured, never resolved and never with credentials.
 */
function describeClient(client: object): ClientView {
  const o = (client as { options?: { host?: unknown; port?: unknown; path?: unknown; database?: unknown } }).options;
  const attributes: Attributes = { 'db.system.name': 'redis' };
  if (typeof o?.path === 'string') attributes['server.address'] = o.path;
  else {
    if (typeof o?.host === 'string') attributes['server.address'] = o.host;
    if (typeof o?.port === 'number') attributes['server.port'] = o.port;
  }
  if (typeof o?.database === 'number') attributes['db.namespace'] = String(o.database);
  return {
    attributes,
    offlineQueueLength: () => {
      const length = (client as { offlineQueueLength?: unknown }).offlineQueueLength;
      return typeof length === 'number' ? length : undefined;
    },
  };
}

/** `db.stored_procedure.name`: the function of FCALL, the SHA1 of EVALSHA. */
function storedProcedure(m: CommandMessage): string | undefined {
  const upper = m.command.toUpperCase();
  if (upper !== 'FCALL' && upper !== 'FCALL_RO' && upper !== 'EVALSHA' && upper !== 'EVALSHA_RO') return undefined;
  const first = m.args[0];
  return typeof first === 'string' ? first : undefined;
}

/** The server's error prefix (`WRONGTYPE`, `NOSCRIPT`...), for errors the server sent. */
function replyCode(error: Error): string | undefined {
  return error instanceof ReplyError ? error.code : undefined;
}

/**
 * A subscriber must never throw: diagnostics_channel would rethrow the error as an uncaught
 * exception, and a tracing problem must not crash the application. Report it to OTel's diag.
 */
function guard<T>(fn: (message: T) => void): (message: T) => void {
  return (message) => {
    try {
      fn(message);
    } catch (err) {
      api.diag.error('romaine/otel: instrumentation failed', err);
    }
  };
}

function loadApi(): typeof OtelApi {
  try {
    // A plain require, so that a missing optional peer dependency gets a message that says what to do.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@opentelemetry/api') as typeof OtelApi;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'MODULE_NOT_FOUND') {
      throw new Error(
        "romaine/otel needs '@opentelemetry/api' (an optional peer dependency of romaine): npm install @opentelemetry/api",
        { cause: err },
      );
    }
    throw err;
  }
}

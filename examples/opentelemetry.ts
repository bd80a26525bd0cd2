// OpenTelemetry: traces and metrics for every command, from romaine/otel.
// In an application you would start @opentelemetry/sdk-node with an OTLP exporter and call
// instrumentRomaine() with no arguments (it uses the global providers); here the SDK's in-memory
// exporters stand in, so that the example prints what would be exported.
// Needs: npm install @opentelemetry/api @opentelemetry/sdk-trace-base @opentelemetry/sdk-metrics
// Run: REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/opentelemetry.ts
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { createClient } from 'romaine';
import { instrumentRomaine } from 'romaine/otel';

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });

// Subscribes to romaine's diagnostics channels: no patching, and disable() lets go.
const instrumentation = instrumentRomaine({ tracerProvider, meterProvider });

const client = createClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
await client.set('example:otel', 'secret', { EX: 60 });
await client.get('example:otel');
await client.hincrby('example:otel', 'n', 1).catch(() => undefined); // WRONGTYPE: an error span
await client.close();

const finished = spans.getFinishedSpans();
for (const span of finished) {
  const a = span.attributes;
  const error = a['error.type'] === undefined ? '' : `  error.type=${String(a['error.type'])}`;
  console.log(`span ${span.name}: ${String(a['db.query.text'])}  db.namespace=${String(a['db.namespace'])}${error}`);
}

await reader.forceFlush();
const duration = metrics
  .getMetrics()
  .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
  .find((m) => m.descriptor.name === 'db.client.operation.duration');
const recorded = (duration?.dataPoints ?? []).reduce((n, p) => n + (p.value as { count: number }).count, 0);

instrumentation.disable();
await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
console.log(`opentelemetry: ${finished.length} spans, ${recorded} durations recorded`);

import {
  type Attributes,
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { IncomingHttpHeaders } from 'node:http';
import { GATEWAY_VERSION } from '../common/version.js';

const tracer = () => trace.getTracer('mcp-gateway', GATEWAY_VERSION);
let propagationInstalled = false;
/** Whether spans are exported; until then a request without a caller's trace needs no span and no context. */
let recording = false;
/** The span of work nobody traces: records nothing, carries no trace context. */
const UNTRACED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export interface TracingHandle {
  shutdown(): Promise<void>;
}

/**
 * W3C trace context is always understood: a client's `traceparent` becomes the parent of the gateway's spans and is
 * passed on to upstreams (with no exporter configured the spans are not recorded, and the caller's trace id still
 * reaches the upstream). Spans are exported only when the standard OpenTelemetry variables ask for it:
 * `OTEL_TRACES_EXPORTER=otlp|console`, or an `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT`; `OTEL_SDK_DISABLED=true` wins.
 * The OTLP exporter reads its own `OTEL_EXPORTER_OTLP_*` settings (endpoint, headers, timeout).
 */
export async function installTracing(env: NodeJS.ProcessEnv = process.env): Promise<TracingHandle> {
  if (!propagationInstalled) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    propagationInstalled = true;
  }
  const exporterName = exporterRequested(env);
  if (!exporterName) return { shutdown: () => Promise.resolve() };
  const [{ NodeTracerProvider, BatchSpanProcessor, ConsoleSpanExporter }, { resourceFromAttributes }] =
    await Promise.all([import('@opentelemetry/sdk-trace-node'), import('@opentelemetry/resources')]);
  const exporter =
    exporterName === 'console'
      ? new ConsoleSpanExporter()
      : new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME ?? 'mcp-gateway',
      'service.version': GATEWAY_VERSION,
    }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(provider);
  recording = true;
  return { shutdown: () => provider.shutdown() };
}

export function exporterRequested(env: NodeJS.ProcessEnv): 'otlp' | 'console' | undefined {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') return undefined;
  const named = env.OTEL_TRACES_EXPORTER?.split(',')[0]?.trim().toLowerCase();
  if (named === 'otlp' || named === 'console') return named;
  if (named) return undefined;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : undefined;
}

/** Runs `work` in a SERVER span whose parent is the caller's `traceparent`, if it sent one. */
export function inServerSpan<T>(
  name: string,
  headers: IncomingHttpHeaders,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  // The hot path of every proxied call: with no exporter and no caller's trace there is nothing to record or pass
  // on, so no span is started and no async context entered.
  if (!recording && headers.traceparent === undefined) return work(UNTRACED);
  const parent = propagation.extract(context.active(), headers);
  const span = tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return context.with(trace.setSpan(parent, span), () => finished(span, work));
}

/** Runs `work` in a CLIENT span under the active one; `work` gets the headers that carry it to the upstream. */
export function inClientSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span, traceHeaders: Record<string, string>) => Promise<T>,
): Promise<T> {
  if (!recording && trace.getSpanContext(context.active()) === undefined) return work(UNTRACED, {});
  const span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes });
  const active = trace.setSpan(context.active(), span);
  const traceHeaders: Record<string, string> = {};
  propagation.inject(active, traceHeaders);
  return context.with(active, () => finished(span, (inner) => work(inner, traceHeaders)));
}

async function finished<T>(span: Span, work: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await work(span);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

import { exporterRequested } from './tracing.js';

describe('exporterRequested', () => {
  it('exports nothing unless the standard OTEL variables ask for it', () => {
    expect(exporterRequested({})).toBeUndefined();
    expect(exporterRequested({ OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(exporterRequested({ OTEL_TRACES_EXPORTER: 'zipkin' })).toBeUndefined();
    expect(exporterRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe('otlp');
    expect(exporterRequested({ OTEL_TRACES_EXPORTER: 'console,otlp' })).toBe('console');
    expect(exporterRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('otlp');
    expect(exporterRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe('otlp');
    expect(exporterRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBeUndefined();
  });
});

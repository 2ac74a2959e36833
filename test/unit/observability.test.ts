// The shared observability pieces without services: the readiness model, the HTTP
// routes and the metric families as Prometheus text.
import { afterEach, describe, expect, it } from 'vitest';
import { backgroundProbe, Readiness, startObservabilityServer, type ObservabilityServer } from '../../src/observability/http.js';
import { BridgeMetrics, createMetricsRegistry, createProcessorMetrics, createWorkerMetrics, sampleValue, STAGES } from '../../src/observability/metrics.js';
import { createLogger } from '../../src/log.js';

describe('readiness', () => {
  it('is ready when every check passes and names each problem otherwise', async () => {
    let redis: string | null = 'not connected (reconnecting)';
    const readiness = new Readiness()
      .add('processor', () => ['partition 1 paused: redis unavailable'])
      .add('redis', () => redis)
      .add('postgres', async () => null)
      .add('broken', () => { throw new Error('check crashed'); });
    expect(await readiness.problems()).toEqual([
      'processor: partition 1 paused: redis unavailable',
      'redis: not connected (reconnecting)',
      'broken: check crashed',
    ]);
    redis = null;
    expect(await new Readiness().add('redis', () => redis).ready()).toBe(true);
  });

  it('probes in the background and answers the last result', async () => {
    let up = false;
    const probe = backgroundProbe(async () => { if (!up) throw new Error('ECONNREFUSED'); }, { intervalMs: 20 });
    expect(probe.check()).toBe('not checked yet');
    await probe.start();
    expect(probe.check()).toBe('ECONNREFUSED');
    up = true;
    await new Promise((r) => setTimeout(r, 80));
    expect(probe.check()).toBeNull();
    probe.stop();
  });

  it('reports a probe that does not answer in time', async () => {
    const probe = backgroundProbe(() => new Promise(() => undefined), { intervalMs: 1000, timeoutMs: 30 });
    await probe.start();
    expect(probe.check()).toBe('no answer within 30 ms');
    probe.stop();
  });
});

describe('observability server', () => {
  let server: ObservabilityServer | undefined;
  afterEach(async () => server?.close());

  it('serves /healthz, /readyz and /metrics on an ephemeral port', async () => {
    const metrics = createProcessorMetrics(createMetricsRegistry());
    let problem: string | null = 'down';
    const readiness = new Readiness().add('redis', () => problem);
    metrics.setHooks({ ready: () => readiness.ready(), pausedPartitions: () => 2, lag: async () => [{ topic: 'chat.inbound', partition: 3, lag: 7 }] });
    server = await startObservabilityServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, readiness, logger: createLogger('test', 'silent') });
    expect(server.port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${server.port}`;

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, problems: ['redis: down'] });
    problem = null;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);

    metrics.dlqRecords.inc({ code: 'WIRE_FORMAT' });
    metrics.events.inc({ chat_type: 'DEDICATED', outcome: 'ANSWERED' });
    metrics.observeStage('decode', 0.002);
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(sampleValue(text, 'x7_dlq_records_total', { code: 'WIRE_FORMAT' })).toBe(1);
    expect(sampleValue(text, 'x7_dlq_records_total', { code: 'INVALID_EVENT' })).toBe(0);
    expect(sampleValue(text, 'x7_events_total', { chat_type: 'DEDICATED', outcome: 'ANSWERED' })).toBe(1);
    expect(sampleValue(text, 'x7_stage_duration_seconds_count', { stage: 'decode' })).toBe(1);
    expect(sampleValue(text, 'x7_stage_duration_seconds_bucket', { stage: 'decode', le: '0.0025' })).toBe(1);
    expect(sampleValue(text, 'x7_stage_duration_seconds_bucket', { stage: 'decode', le: '0.001' })).toBe(0);
    for (const stage of STAGES) expect(sampleValue(text, 'x7_stage_duration_seconds_count', { stage })).toBeDefined();
    expect(sampleValue(text, 'x7_consumer_lag', { topic: 'chat.inbound', partition: '3' })).toBe(7);
    expect(sampleValue(text, 'x7_consumer_paused_partitions')).toBe(2);
    expect(sampleValue(text, 'x7_ready')).toBe(1);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('renders the bridge and worker families', async () => {
    const bridge = new BridgeMetrics({ connections: () => 3, subscriptions: () => 5, bufferedBytes: () => 4096, ready: async () => false }, createMetricsRegistry({ defaultMetrics: false }));
    bridge.slowConsumersDropped.inc();
    bridge.framesSent.inc(4);
    bridge.countError('RATE_LIMITED');
    const text = await bridge.render();
    // The e2e test and dashboards read these names as they were before prom-client.
    expect(text).toMatch(/^x7_bridge_slow_consumers_dropped_total 1$/m);
    expect(sampleValue(text, 'x7_bridge_connections')).toBe(3);
    expect(sampleValue(text, 'x7_bridge_subscriptions')).toBe(5);
    expect(sampleValue(text, 'x7_bridge_buffered_bytes')).toBe(4096);
    expect(sampleValue(text, 'x7_bridge_frames_sent_total')).toBe(4);
    expect(sampleValue(text, 'x7_bridge_errors_sent_total', { code: 'RATE_LIMITED' })).toBe(1);
    expect(sampleValue(text, 'x7_bridge_ready')).toBe(0);

    const worker = createWorkerMetrics(createMetricsRegistry({ defaultMetrics: false }));
    worker.workflows.inc({ workflow_type: 'RESERVATION', status: 'CANCELLED' });
    expect(sampleValue(await worker.registry.metrics(), 'x7_workflows_total', { workflow_type: 'RESERVATION', status: 'CANCELLED' })).toBe(1);
  });
});

// Prints, as JSON, every metric family the x7 processes export: name, type and label names, read
// from the registries src/observability/metrics.ts builds (the processor's, the worker's and the
// bridge's, with Node's default process metrics), not from a copied list. deploy/check.sh hands
// it to the validator, which refuses a PromQL expression (alert rule, dashboard panel) naming a
// metric or label that does not exist. Needs `npm run build` (dist/).
import {
  BridgeMetrics, createMetricsRegistry, createProcessorMetrics, createWorkerMetrics,
} from '../dist/src/observability/metrics.js';

const families = new Map();
const add = (registry) => {
  for (const metric of registry.getMetricsAsArray()) {
    // type: counter, gauge, histogram or summary, as Prometheus sees it.
    families.set(metric.name, { name: metric.name, type: metric.type, labels: [...metric.labelNames] });
  }
};

add(createProcessorMetrics(createMetricsRegistry()).registry);
add(createWorkerMetrics(createMetricsRegistry()).registry);
const gauges = { connections: () => 0, subscriptions: () => 0, bufferedBytes: () => 0, ready: () => true };
add(new BridgeMetrics(gauges, createMetricsRegistry()).registry);

process.stdout.write(`${JSON.stringify([...families.values()].sort((a, b) => a.name.localeCompare(b.name)), null, 2)}\n`);

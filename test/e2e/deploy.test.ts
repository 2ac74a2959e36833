// deploy/check.sh as CI runs it: the Helm chart lints, renders (defaults and every feature on)
// and validates offline against the Kubernetes, KEDA and Prometheus Operator API types, its
// alert rules and the Grafana dashboard name only metrics x7 exports. Then the same script on
// broken copies, one defect each, so a check that silently passes everything would fail here.
// The first run builds Helm and the validator from the Go module proxy (cached under .stack/):
// a few minutes on two cores; later runs take seconds.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';

const CHART = projectPath('deploy/helm/x7-stream');
const DASHBOARD = projectPath('deploy/grafana/x7-stream.json');

interface Result { code: number | null; output: string }

function check(args: string[] = []): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [projectPath('deploy/check.sh'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('deploy/check.sh', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'x7-deploy-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A copy of the chart with one file rewritten. */
  function brokenChart(name: string, file: string, edit: (text: string) => string): string {
    const copy = join(dir, name, 'x7-stream');
    cpSync(CHART, copy, { recursive: true });
    const path = join(copy, file);
    const before = readFileSync(path, 'utf8');
    const after = edit(before);
    expect(after, `the edit of ${file} changed nothing`).not.toBe(before);
    writeFileSync(path, after);
    return copy;
  }

  it('passes on the chart and the dashboard as committed', async () => {
    const result = await check();
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/defaults: 11 objects: ConfigMap×1, Deployment×3, PodDisruptionBudget×3, Service×4/);
    expect(result.output).toMatch(/all-features: 16 objects: .*PrometheusRule×1, ScaledObject×2, Secret×1, .*ServiceMonitor×1/);
    expect(result.output).toMatch(/ok: 16 objects in 1 manifest file\(s\), 1 dashboard\(s\), \d+ PromQL expressions/);
    expect(result.output).toMatch(/refused as it should: more processors than partitions/);
    expect(result.output).toMatch(/OK: chart x7-stream lints, renders and validates/);
  }, 900_000);

  it('fails on a field the Kubernetes API does not have', async () => {
    const chart = brokenChart('unknown-field', 'templates/deployments.yaml', (t) =>
      t.replace('          imagePullPolicy: {{ $.Values.image.pullPolicy }}\n', '          imagePullPolicy: {{ $.Values.image.pullPolicy }}\n          imagePullPolicyy: Always\n'));
    const result = await check(['--chart', chart]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('unknown field "spec.template.spec.containers[0].imagePullPolicyy"');
  }, 120_000);

  it('fails on a template that renders invalid YAML', async () => {
    const chart = brokenChart('invalid-yaml', 'templates/poddisruptionbudgets.yaml', (t) =>
      t.replace('  maxUnavailable: {{ $.Values.podDisruptionBudget.maxUnavailable }}\n', '  maxUnavailable: {{ $.Values.podDisruptionBudget.maxUnavailable }}\n   selector: [\n'));
    const result = await check(['--chart', chart]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('templates/poddisruptionbudgets.yaml: unable to parse YAML');
  }, 120_000);

  it('fails on an alert whose metric or label x7 does not export', async () => {
    const chart = brokenChart('unknown-metric', 'templates/prometheusrule.yaml', (t) =>
      t.replace('max by (namespace, pod) (x7_consumer_paused_partitions{', 'max by (namespace, pod) (x7_consumer_paused_partition{')
        .replace('x7_workflows_total{status="FAILED",', 'x7_workflows_total{state="FAILED",'));
    const result = await check(['--chart', chart]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('rule X7PartitionsPaused: metric x7_consumer_paused_partition is not exported by x7');
    expect(result.output).toContain('rule X7WorkflowsFailing: x7_workflows_total has no label state');
  }, 120_000);

  it('fails when the chart and topics.yaml disagree on chat.inbound\'s partitions', async () => {
    const chart = brokenChart('partitions', 'values.yaml', (t) => t.replace('inboundPartitions: 12', 'inboundPartitions: 6'));
    const result = await check(['--chart', chart]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('inboundPartitions is 6, topics.yaml gives chat.inbound 12 partitions');
  }, 120_000);

  it('fails on a dashboard that misses a metric or names one that does not exist', async () => {
    const dashboard = join(dir, 'dashboard.json');
    writeFileSync(dashboard, readFileSync(DASHBOARD, 'utf8').replaceAll('x7_llm_requests_total', 'x7_llm_request_total'));
    const result = await check(['--dashboard', dashboard]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('metric x7_llm_request_total is not exported by x7');
    expect(result.output).toContain('no panel shows x7_llm_requests_total');
  }, 120_000);
});

// How `x7 workflows` shows workflows to people: aligned tables and durations. Pure,
// so the layout is tested without Temporal; `--json` prints the manager's objects.
import type { DurationStats, WorkflowCounts, WorkflowDetails, WorkflowMetrics, WorkflowSummary } from '../workflows/visibility.js';
import { EXECUTION_STATUSES, FAILURE_STATUSES } from '../workflows/visibility.js';
import { WORKFLOW_KINDS } from '../workflows/validate.js';

/** Rows as columns padded to their widest cell (the last column is not padded). */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** 350 ms, 42 s, 5m 03s, 2h 05m, 3d 04h: two units at most, enough to compare runs. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${s} s`;
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 3_600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h ${two(Math.floor((s % 3_600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${two(Math.floor((s % 86_400) / 3_600))}h`;
}

/** An instant to the second, in UTC: the same on every operator's machine. */
export function formatInstant(at: Date | null): string {
  return at ? `${at.toISOString().slice(0, 19)}Z` : '-';
}

/** "24h", "30m", "7d" → milliseconds; undefined when it is not one of those. */
export function parseSince(text: string): number | undefined {
  const m = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n === 0) return undefined;
  return n * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}

const kindOf = (w: Pick<WorkflowSummary, 'kind' | 'workflowType'>) => w.kind ?? w.workflowType;

export function listLines(workflows: readonly WorkflowSummary[]): string[] {
  if (workflows.length === 0) return [];
  return table([
    ['WORKFLOW ID', 'TYPE', 'STATUS', 'STARTED', 'CLOSED', 'BUSINESS', 'CONVERSATION'],
    ...workflows.map((w) => [w.workflowId, kindOf(w), w.status, formatInstant(w.startTime), formatInstant(w.closeTime), w.businessId ?? '-', w.conversationId ?? '-']),
  ]);
}

export function describeLines(w: WorkflowDetails, now: Date): string[] {
  const end = w.closeTime ?? now;
  const state = w.state ? `${w.state.status}${w.state.detail ? `: ${w.state.detail}` : ''}` : 'no answer (is a worker polling this task queue?)';
  const rows: string[][] = [
    ['workflow', w.workflowId],
    ['run', w.runId],
    ['type', w.kind ? `${w.kind} (${w.workflowType})` : w.workflowType],
    ['status', w.status],
    ['x7 status', state],
    ['task queue', w.taskQueue],
    ['started', formatInstant(w.startTime)],
    ['closed', formatInstant(w.closeTime)],
    ['duration', `${formatDuration(end.getTime() - w.startTime.getTime())}${w.closeTime ? '' : ' so far'}`],
    ['business', w.businessId ?? '-'],
    ['conversation', w.conversationId ?? '-'],
    ['caused by', w.causationId ?? '-'],
    ['history', `${w.historyLength} events`],
  ];
  for (const a of w.pendingActivities) {
    rows.push(['waiting for', `${a.activityType} (attempt ${a.attempt})${a.lastFailure ? `: last failure: ${a.lastFailure}` : ''}`]);
  }
  if (w.cancelReason) rows.push(['cancel reason', w.cancelReason]);
  if (w.failure) rows.push(['failure', w.failure]);
  return table(rows);
}

/** The status columns worth a column: every status some workflow has, in Temporal's order. */
function statusColumns(counts: WorkflowCounts): string[] {
  const present = new Set(Object.keys(counts.byStatus));
  const known = EXECUTION_STATUSES.filter((s) => s === 'Running' || present.has(s));
  return [...known, ...[...present].filter((s) => !(EXECUTION_STATUSES as readonly string[]).includes(s))];
}

export function metricsLines(metrics: WorkflowMetrics): string[] {
  const statuses = statusColumns(metrics);
  const counts = table([
    ['TYPE', ...statuses.map((s) => s.toUpperCase()), 'TOTAL'],
    ...WORKFLOW_KINDS.map((kind) => {
      const entry = metrics.byKind[kind];
      return [kind, ...statuses.map((s) => String(entry.byStatus[s] ?? 0)), String(entry.total)];
    }),
    ['all', ...statuses.map((s) => String(metrics.byStatus[s] ?? 0)), String(metrics.total)],
  ]);
  const { window } = metrics;
  const duration = (d: DurationStats) => [String(d.closed), String(d.failed), formatDuration(d.p50Ms), formatDuration(d.p95Ms), formatDuration(d.maxMs)];
  const durations = table([
    ['TYPE', 'CLOSED', 'FAILED', 'P50', 'P95', 'MAX'],
    ...WORKFLOW_KINDS.map((kind) => [kind, ...duration(window.byKind[kind])]),
  ]);
  const failed = FAILURE_STATUSES.reduce((n, s) => n + (metrics.byStatus[s] ?? 0), 0);
  const lines = [
    `task queue ${metrics.taskQueue}: ${metrics.total} workflows, ${metrics.byStatus.Running ?? 0} running, ${failed} failed (${FAILURE_STATUSES.join(', ')}) in all`,
    '',
    ...counts,
    '',
    `closed since ${formatInstant(window.since)}${window.sampled ? ' (durations of the newest closed only)' : ''}: start to close`,
    ...durations,
  ];
  if (window.recentFailures.length > 0) {
    lines.push('', 'newest failures:', ...table(window.recentFailures.map((f) => [
      `  ${f.workflowId}`, f.kind ?? '-', f.status, formatInstant(f.closeTime), f.businessId ?? '-',
    ])));
  }
  return lines;
}

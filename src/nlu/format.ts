// `x7 nlu eval` as text: per classifier, the headline figures, then one row per
// intent with where its misses went (the confusion table, a row per expected intent).
import type { ClassifierReport } from './evaluate.js';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const ms = (v: number | null) => (v === null ? '-' : v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(1)} ms`);

export function formatReport(report: ClassifierReport): string[] {
  const { scores } = report;
  const lines = [
    `${report.classifier}: accuracy ${pct(scores.accuracy)} (${scores.correct}/${scores.n}), macro-F1 ${scores.macroF1.toFixed(3)}, ` +
      `latency p50 ${ms(report.latencyMs.p50)} p95 ${ms(report.latencyMs.p95)}${report.classifier === 'rules' ? '' : `, llm asked ${report.llmCalls}×`}`,
  ];
  const width = Math.max(...scores.labels.map((l) => l.label.length), 6);
  lines.push(`  ${'intent'.padEnd(width)}  support  precision  recall     F1  misread as`);
  for (const l of scores.labels) {
    const misses = Object.entries(scores.confusion[l.label] ?? {})
      .filter(([predicted]) => predicted !== l.label)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([predicted, count]) => `${predicted}×${count}`);
    lines.push(`  ${l.label.padEnd(width)}  ${String(l.support).padStart(7)}  ${l.precision.toFixed(2).padStart(9)}  ${l.recall.toFixed(2).padStart(6)}  ${l.f1.toFixed(2).padStart(5)}  ${misses.join(', ')}`);
  }
  if (report.entities) {
    lines.push(`  entities read: ${report.entities.filter((e) => e.expected > 0).map((e) => `${e.field} ${e.correct}/${e.expected}`).join(', ')}`);
  }
  return lines;
}

import { describe, expect, it } from 'vitest';
import { parseCommandArgs, UsageError } from '../../src/cli/command.js';
import { listFilter, parseLimit } from '../../src/cli/commands/workflows.js';
import { formatDuration, metricsLines, parseSince, table } from '../../src/cli/workflows-format.js';

const OPTIONS = { lat: { type: 'string' }, lon: { type: 'string' }, raw: { type: 'boolean' } } as const;
const parse = (args: string[]) => parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: false }>(args, { options: OPTIONS, allowPositionals: false });

describe('CLI argument parsing', () => {
  it('takes a negative number after a string option as its value (a longitude west of Greenwich)', () => {
    expect(parse(['--lat', '38.71', '--lon', '-9.14']).values).toEqual({ lat: '38.71', lon: '-9.14' });
  });

  it('still refuses an unknown option, as a usage error naming it', () => {
    expect(() => parse(['--raw', '--lng', '-9.14'])).toThrow(UsageError);
    expect(() => parse(['--lng', '1'])).toThrow(/--lng/);
  });
});

describe('x7 workflows arguments and output', () => {
  it('takes a type, a status and a business as people write them', () => {
    expect(listFilter({ type: 'reservation', status: 'running', business: 'lis-x' })).toEqual({ kind: 'reservation', status: 'Running', businessId: 'lis-x' });
    expect(listFilter({ type: 'VOICE_CALLBACK', status: 'cancelled' })).toEqual({ kind: 'voiceCallback', status: 'Canceled' });
    expect(listFilter({ type: 'managementActionWorkflow', status: 'timed-out' })).toEqual({ kind: 'managementAction', status: 'TimedOut' });
    expect(listFilter({})).toEqual({});
  });

  it('refuses an unknown type, status, limit or window, naming what it accepts', () => {
    expect(() => listFilter({ type: 'booking' })).toThrow(new UsageError('--type must be one of reservation, managementAction, voiceCallback (got "booking")'));
    expect(() => listFilter({ status: 'stuck' })).toThrow(/--status must be one of Running, Completed, Failed, Canceled, Terminated, ContinuedAsNew, TimedOut/);
    expect(() => listFilter({ business: ' ' })).toThrow(UsageError);
    expect(parseLimit(undefined, 100)).toBe(100);
    expect(parseLimit('3', 100)).toBe(3);
    for (const bad of ['0', '-1', '2.5', 'many']) expect(() => parseLimit(bad, 100), bad).toThrow(UsageError);
    expect(parseSince('24h')).toBe(86_400_000);
    expect(parseSince('30m')).toBe(1_800_000);
    expect(parseSince('7d')).toBe(7 * 86_400_000);
    for (const bad of ['0h', '24', 'a day', '1w']) expect(parseSince(bad), bad).toBeUndefined();
  });

  it('shows durations in two units at most, and tables aligned', () => {
    expect([350, 42_000, 303_000, 7_500_000, 273_600_000, null].map(formatDuration)).toEqual(['350 ms', '42 s', '5m 03s', '2h 05m', '3d 04h', '-']);
    expect(table([['ID', 'STATUS'], ['reservation-1', 'Running']])).toEqual(['ID             STATUS', 'reservation-1  Running']);
  });

  it('prints the counts by type and status, the durations and the newest failures', () => {
    const none = { closed: 0, failed: 0, p50Ms: null, p95Ms: null, maxMs: null };
    const lines = metricsLines({
      taskQueue: 'q', total: 4, byStatus: { Running: 2, Completed: 1, Failed: 1 },
      byKind: {
        reservation: { total: 3, byStatus: { Running: 2, Completed: 1 } },
        managementAction: { total: 1, byStatus: { Failed: 1 } },
        voiceCallback: { total: 0, byStatus: {} },
      },
      window: {
        since: new Date('2026-11-26T12:00:00Z'),
        byKind: { reservation: { closed: 1, failed: 0, p50Ms: 60_000, p95Ms: 60_000, maxMs: 60_000 }, managementAction: { closed: 1, failed: 1, p50Ms: 900, p95Ms: 900, maxMs: 900 }, voiceCallback: none },
        recentFailures: [{ workflowId: 'management-1', kind: 'managementAction', status: 'Failed', closeTime: new Date('2026-11-27T08:00:00Z'), businessId: 'lis-x' }],
        sampled: false,
      },
    });
    expect(lines).toEqual([
      'task queue q: 4 workflows, 2 running, 1 failed (Failed, TimedOut, Terminated) in all',
      '',
      'TYPE              RUNNING  COMPLETED  FAILED  TOTAL',
      'reservation       2        1          0       3',
      'managementAction  0        0          1       1',
      'voiceCallback     0        0          0       0',
      'all               2        1          1       4',
      '',
      'closed since 2026-11-26T12:00:00Z: start to close',
      'TYPE              CLOSED  FAILED  P50     P95     MAX',
      'reservation       1       0       1m 00s  1m 00s  1m 00s',
      'managementAction  1       1       900 ms  900 ms  900 ms',
      'voiceCallback     0       0       -       -       -',
      '',
      'newest failures:',
      '  management-1  managementAction  Failed  2026-11-27T08:00:00Z  lis-x',
    ]);
  });
});

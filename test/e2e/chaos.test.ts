// The bounded chaos run (`npm run chaos -- --quick`) as an operator runs it: under a
// steady load it kill -9s processors, the worker and the bridge, restarts both processors
// with SIGTERM as a rolling deployment does, and kills its own Redis for 10 s; users and
// consumers must see nothing lost, duplicated, reordered or stalled.
// How long partitions stalled is a measurement, printed by the run, not asserted here.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';

describe('npm run chaos -- --quick', () => {
  it('loses, duplicates, reorders and stalls nothing while processes die and Redis restarts', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'x7-chaos-')), 'result.json');
    const child = spawn(process.execPath, [projectPath('chaos/run.js'), '--quick', '--json', json], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);

    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.faults.map((f: { fault: string }) => f.fault)).toEqual(expect.arrayContaining([
      'kill -9 processor-a', 'kill -9 processor-b', 'kill -9 worker', 'kill -9 bridge', 'redis down', 'SIGTERM processor-a', 'SIGTERM processor-b',
    ]));
    // A rolling restart: each processor left on SIGTERM with exit code 0, and its partitions moved on.
    expect(result.terminations.map((t: { code: number | null }) => t.code)).toEqual([0, 0]);
    expect(result.handOver.unrecovered).toBe(0);
    expect(result.verdict).toMatchObject({
      lost: 0, duplicated: 0, outOfOrder: 0, deadLettered: 0, bookingProblems: 0, clientGaps: 0, clientDuplicates: 0, clientOutOfOrder: 0,
    });
    expect(result.verdict.messages).toBeGreaterThan(300);
    // Temporal was in play: every booking conversation holds its one live booking.
    expect(result.verdict.booked).toBe(result.verdict.bookingConversations);
    expect(result.stalledPartitions).toBe(0);
    expect(result.stall.unrecovered).toBe(0);
    expect(result.stall.samples.length).toBeGreaterThan(0);
    // Every client resumed after the bridge died and was given its conversation's events.
    for (const client of result.clients) {
      expect(client.reconnects).toBeGreaterThan(0);
      expect(client.events).toBeGreaterThan(0);
    }
    expect(output).toMatch(/PASSED/);
  }, 600_000);
});

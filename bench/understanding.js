// `node bench/understanding.js`: how long understanding one message takes on hostile
// input, per chat type, at the default text limit (4,000 bytes) and at 64 KB. No
// Kafka, no database: `understand()` alone, from dist/ (build first: `npx tsc -p
// tsconfig.json`). Prints tables; never asserts.
//
// The inputs are those of the unit test test/unit/understanding-hostile.test.ts
// (src/understanding/hostile-inputs.ts: every rule's phrases repeated, the leading
// parts of "A.*B" rules without the last part, phrases followed by a long run of
// spaces, and structural shapes: runs without spaces, digits, accents, punctuation,
// …), plus a normal mix (the bench workload's messages, alone and joined into one
// long message), understood in every context of `hostileContexts` (each chat type;
// DEDICATED and DASHBOARD also with slots and an action pending; GLOBAL with a
// catalog of 40 businesses).
//
// A message's time is the median of --runs runs (default 3), so that one garbage
// collection does not make a message "worst". At 64 KB the phrase repeats and spaces
// of every --every64-th phrase are run (default 8; the A.*B leads and the structural
// shapes always). Each context runs in a worker thread; a message that takes longer
// than --cap-ms (default 10,000) is stopped, reported as "> cap" and counted as the
// cap, so a backtracking regex cannot hang the bench.
//
// Target: the worst message at the default limit takes at most 5 ms.
//
//   node bench/understanding.js [--runs 3] [--every 1] [--every64 8] [--cap-ms 10000] [--sizes 4000,65536]
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { understand } from '../dist/src/understanding/index.js';
import { hostileContexts, hostileInputs } from '../dist/src/understanding/hostile-inputs.js';
import { BOOKING_TURNS, TEXTS } from './workload.js';

const NOW = new Date('2026-11-25T15:00:00Z');
const DEFAULT_LIMIT = 4000;
const TARGET_MS = 5;

const NORMAL = [...TEXTS.GLOBAL, ...TEXTS.DEDICATED, ...TEXTS.DASHBOARD, ...BOOKING_TURNS];
const NORMAL_GROUP = 'normal messages, as sent';

/** The bench workload's messages joined into one message of `bytes`; with `short`, also each alone. */
function normalInputs(bytes, short = true) {
  const messages = NORMAL;
  const joined = [];
  let size = 0;
  for (let i = 0; ; i++) {
    const line = messages[i % messages.length];
    const b = Buffer.byteLength(line, 'utf8') + 1;
    if (size + b > bytes) break;
    joined.push(line);
    size += b;
  }
  return [
    ...(short ? messages.map((text) => ({ group: NORMAL_GROUP, kind: text, text })) : []),
    { group: 'normal text, one long message', kind: 'workload messages joined', text: joined.join(' ') },
  ];
}

/** The group an input's kind belongs to (the rows of the table). */
function groupOf(kind) {
  if (/^repeat ".*" \(no ".*"\)$/.test(kind)) return 'A.*B lead repeated, no B';
  if (kind.startsWith('repeat "')) return 'rule phrase repeated';
  if (/^".*", then spaces$/.test(kind)) return 'rule phrase, then spaces';
  return 'structural (runs, digits, accents, …)';
}

function inputsFor(size, every, short) {
  return [
    ...normalInputs(size, short),
    ...hostileInputs(size, { every }).map((i) => ({ group: groupOf(i.kind), kind: i.kind, text: i.text })),
  ];
}

// ---------------------------------------------------------------------------
// Worker: understands the inputs from `start` on in one context, reporting each.

if (!isMainThread) {
  const { contextIndex, size, every, short, runs, start } = workerData;
  const { context } = hostileContexts(NOW)[contextIndex];
  const inputs = inputsFor(size, every, short);
  // Warm up: the normal mix and a few short hostile messages.
  for (let r = 0; r < 20; r++) for (const i of normalInputs(DEFAULT_LIMIT)) understand(i.text, context);
  for (const i of inputsFor(500, 16, false)) understand(i.text, context);
  for (let index = start; index < inputs.length; index++) {
    parentPort.postMessage({ type: 'start', index });
    const times = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      understand(inputs[index].text, context);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    parentPort.postMessage({ type: 'done', index, ms: times[Math.floor(times.length / 2)] });
  }
  parentPort.postMessage({ type: 'end' });
} else {
  await main();
}

// ---------------------------------------------------------------------------
// Main: one worker per context and size, a watchdog per message, then the tables.

async function main() {
  const { progress, round, table } = await import('./lib.js');
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const runs = Number(arg('runs', 3));
  const every = Number(arg('every', 1));
  const every64 = Number(arg('every64', 8));
  const capMs = Number(arg('cap-ms', 10_000));
  const sizes = String(arg('sizes', `${DEFAULT_LIMIT},65536`)).split(',').map(Number);
  const contexts = hostileContexts(NOW);

  /** Times of every input in one context, restarting the worker past a message that hit the cap. */
  const measure = (contextIndex, size, everyN, short) => new Promise((resolve, reject) => {
    const kinds = inputsFor(size, everyN, short).map(({ group, kind }) => ({ group, kind }));
    const results = new Array(kinds.length);
    const launch = (start) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { contextIndex, size, every: everyN, short, runs, start } });
      let watchdog;
      const arm = (index, ms) => {
        clearTimeout(watchdog);
        watchdog = setTimeout(async () => {
          await worker.terminate();
          results[index] = { ...kinds[index], ms: capMs, capped: true };
          progress(`${contexts[contextIndex].name}, ${size} B: "${kinds[index].kind}" still running after ${capMs} ms: stopped`);
          if (index + 1 < kinds.length) launch(index + 1);
          else resolve(results);
        }, ms);
      };
      // Until the first message starts, the worker also loads and warms up.
      arm(start, capMs + 30_000);
      worker.on('message', (m) => {
        if (m.type === 'start') arm(m.index, capMs);
        else if (m.type === 'done') results[m.index] = { ...kinds[m.index], ms: m.ms };
        else if (m.type === 'end') { clearTimeout(watchdog); resolve(results); }
      });
      worker.on('error', (error) => { clearTimeout(watchdog); reject(error); });
    };
    launch(0);
  });

  const fmtMs = (r) => (r.capped ? `> ${capMs}` : r.ms.toFixed(2));
  const rows = [];
  const summary = [];
  // The short normal messages once, with the first size; their row says how long they are.
  const shortBytes = `≤ ${Math.max(...NORMAL.map((t) => Buffer.byteLength(t, 'utf8')))}`;
  for (const size of sizes) {
    const everyN = size > DEFAULT_LIMIT * 2 ? every64 : every;
    const short = size === sizes[0];
    for (let c = 0; c < contexts.length; c++) {
      const started = performance.now();
      const results = await measure(c, size, everyN, short);
      progress(`${contexts[c].name}, ${size} B: ${results.length} messages in ${round((performance.now() - started) / 1000, 1)} s`);
      const groups = new Map();
      for (const r of results) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
      const worstOf = (list) => list.reduce((w, r) => (r.ms > w.ms ? r : w));
      const meanOf = (list) => list.reduce((s, r) => s + r.ms, 0) / list.length;
      // The short normal messages are not of this size: the size's summary leaves them out.
      const sized = results.filter((r) => r.group !== NORMAL_GROUP);
      for (const [group, list] of groups) {
        const worst = worstOf(list);
        const bytes = group === NORMAL_GROUP ? shortBytes : String(size);
        rows.push([contexts[c].name, group, bytes, String(list.length), fmtMs(worst), meanOf(list).toFixed(2), worst.kind.slice(0, 48)]);
      }
      const worst = worstOf(sized);
      summary.push({ context: contexts[c].name, size, count: sized.length, worst, mean: meanOf(sized) });
    }
  }

  console.log(table('Understanding one message, per chat context, input kind and size (ms, median of runs per message)',
    ['chat type', 'input kind', 'bytes', 'messages', 'worst ms', 'mean ms', 'worst input'], rows));
  console.log(table('Per chat context and size, all inputs',
    ['chat type', 'bytes', 'messages', 'worst ms', 'mean ms', 'worst input'],
    summary.map((s) => [s.context, String(s.size), String(s.count), fmtMs(s.worst), s.mean.toFixed(2), s.worst.kind.slice(0, 48)])));
  const atLimit = summary.filter((s) => s.size === DEFAULT_LIMIT);
  if (atLimit.length > 0) {
    const worst = atLimit.reduce((w, s) => (s.worst.ms > w.worst.ms ? s : w));
    const met = worst.worst.ms <= TARGET_MS;
    console.log(`\nTarget: worst message at the default limit (${DEFAULT_LIMIT} bytes) ≤ ${TARGET_MS} ms: ${met ? 'MET' : 'MISSED'} ` +
      `(worst ${fmtMs(worst.worst)} ms, ${worst.context}, "${worst.worst.kind}"; margin ${(TARGET_MS - worst.worst.ms).toFixed(2)} ms)`);
  }
}

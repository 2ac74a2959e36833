import { describe, expect, it } from 'vitest';
import { hostileContexts, hostileInputs, ruleSamples, ruleSources } from '../../src/understanding/hostile-inputs.js';
import { allowedIntents, INTENTS, understand } from '../../src/understanding/index.js';

// Understanding must be safe on hostile input: every message, however built, is
// understood in time linear in its length. This harness feeds `understand()`
// messages made to hurt backtracking regexes (every rule's phrases repeated, the
// leading parts of "A.*B" rules without the last part, phrases followed by long
// runs of spaces, long runs without spaces, digits, accents, punctuation, …; see
// src/understanding/hostile-inputs.ts) at the default text limit (4,000 bytes) and
// at 64 KB, in every chat type (hostileContexts: DEDICATED and DASHBOARD with and
// without pending slots and actions, GLOBAL with a catalog of forty businesses), and
// checks each answer is a valid Understanding.
//
// No wall-clock assertion (speed is measured by bench/understanding.js): the
// per-test timeout is the only bound, and a rule that backtracks badly enough
// shows up as a test that times out, naming the input.

const CONTEXTS = hostileContexts(new Date('2026-11-25T15:00:00Z'));

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function understandEverywhere(text: string): void {
  for (const { name, context } of CONTEXTS) {
    const u = understand(text, context);
    const where = `${name}: ${u.intent} (${u.matched.join(', ')})`;
    expect(u.chatType, where).toBe(context.chatType);
    expect(INTENTS[context.chatType], where).toContain(u.intent);
    expect(allowedIntents(context), where).toContain(u.intent);
    expect(u.source, where).toBe('rules');
    expect(Number.isFinite(u.confidence) && u.confidence >= 0 && u.confidence <= 1, where).toBe(true);
    expect(u.intent === 'unknown' ? u.confidence === 0 : u.confidence > 0, where).toBe(true);
    expect(u.matched.every((m) => typeof m === 'string'), where).toBe(true);
    expect(u.reasons[0], where).toMatch(/^intent /);
    expect(Array.isArray(u.entities.businessIds) && Array.isArray(u.entities.categories) && Array.isArray(u.entities.places), where).toBe(true);
    if (u.entities.partySize !== undefined) expect(u.entities.partySize >= 1 && u.entities.partySize <= 100, where).toBe(true);
  }
}

describe('the hostile inputs cover the rules', () => {
  it('are drawn from every pattern in src/understanding, with the known hostile shapes among them', () => {
    // The `A.*B(.*C)` rules (read back from their `inOrder` parts), the phone test, the
    // party size and bare-number patterns.
    const sources = ruleSources();
    for (const piece of ['(?:accept|take|taking|accepting|open)\\b.*', '.*\\bagain\\b', 'how many', '[\\d\\s-]{7,}', 'please|pls', 'make it']) {
      expect(sources.some((s) => s.includes(piece)), piece).toBe(true);
    }
    const samples = ruleSamples();
    for (const phrase of ['open', 'how many', 'table for 7', 'tomorrow', 'we are open', 'hours', 'my name is']) {
      expect(samples.some((s) => s.replace(/\u0000/g, ' ').includes(phrase)), phrase).toBe(true);
    }
    // Many A and no B (or C) for the `A.*B(.*C)` rules: the slow shape before the rules were rewritten.
    const inputs = hostileInputs(4000);
    for (const start of ['open bookings open bookings ', 'open open open ', 'how many how many ', 'change change ', 'when when ']) {
      expect(inputs.some((i) => i.text.startsWith(start)), start).toBe(true);
    }
    expect(inputs.map((i) => i.kind)).toContain('digits and spaces');
  });

  it('are as long as asked and never longer', () => {
    for (const size of [4000, 65536]) {
      const inputs = hostileInputs(size, { every: 7 });
      for (const { kind, text } of inputs) expect(bytes(text), kind).toBeLessThanOrEqual(size);
      // Most fill the size to within one repeated unit.
      const full = inputs.filter((i) => bytes(i.text) > size - 200).length;
      expect(full / inputs.length).toBeGreaterThan(0.9);
    }
  });
});

describe('understand() on hostile input completes with a valid answer in every chat type', () => {
  // Every input at the default limit; at 64 KB every rule's `A.*B` shapes, the
  // structural shapes and every 8th phrase (the rest repeats the same shapes).
  it.each(hostileInputs(4000))('4 KB: $kind', ({ text }) => understandEverywhere(text));
  it.each(hostileInputs(65536, { every: 8 }))('64 KB: $kind', ({ text }) => understandEverywhere(text));
});

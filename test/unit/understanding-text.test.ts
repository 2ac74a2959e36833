import { describe, expect, it } from 'vitest';
import { clipText, editDistanceAtMost, fold, originalSlice, simplify } from '../../src/understanding/text.js';
import { appendTurns, MAX_TURN_TEXT } from '../../processors/shared/state.js';
import { seededRandom } from '../support/random.js';

// fold() and editDistanceAtMost() have fast paths (ASCII runs, a per-character
// cache, a table-free "one typo" check). These tests pin them to the plain
// implementations they replaced, kept here verbatim as the reference.

const REFERENCE_PLAIN: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u2032': "'",
  '\u201c': '"', '\u201d': '"',
  '\u2013': '-', '\u2014': '-', '\u2212': '-',
  '\u00a0': ' ', '\u202f': ' ',
};

function referenceFold(source: string): { source: string; text: string; map: number[] } {
  let text = '';
  const map: number[] = [];
  let index = 0;
  for (const ch of source) {
    const plain = REFERENCE_PLAIN[ch] ?? ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    for (let i = 0; i < plain.length; i++) map.push(index);
    text += plain;
    index += ch.length;
  }
  return { source, text, map };
}

/** The textbook Levenshtein distance (full matrix, no shortcuts): the reference. */
function levenshtein(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

function referenceEditDistanceAtMost(a: string, b: string, max: number): boolean {
  return levenshtein(a, b) <= max;
}

const random = seededRandom;

const TRICKY = [
  '',
  'plain ascii, UPPER and lower 123 !?',
  '\t\n\r\u0000\u007f~',
  'Amanhã às 20h', 'AMANHÃ', 'amanha',
  'Café “Nicola” — 20h30 – ‘today’ ‚low‚ 5′ −3',
  'mesa\u00a0para\u202f4',
  'Clínica Dentária Sorriso, Príncipe Real, Belém, São João, Alcântara',
  'e\u0301 vs é, A\u030a vs Å vs \u212b (angstrom sign)',
  'İstanbul IĞDIR ß ẞ ﬁ ǅ ΣΑΣ ΐ',
  'Tiếng Việt, हिन्दी, العَرَبِيَّة, 한국어, 日本語, Ελληνικά',
  'emoji 😀👍🏽 👩‍👩‍👧 🇵🇹 ❤️ #️⃣ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐁𝐎𝐋𝐃',
  'lone high \ud83d then text', 'lone low \ude00 then text', '\ud83d', '\ude00', '\ud83d\ud83d\ude00', 'end with high \ud83d',
  '\u0301 leading combining mark', 'x\u0300\u0301\u0302\u0303 stacked marks',
  '\u0080\u00ff\u0100\u017f\u0180',
  'Joe’s “Gym” – O’Brien’s — Pastéis de Belém',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.repeat(20) + 'Ã' + 'xyz'.repeat(50),
];

describe('fold: the same text and map as the plain per-character implementation', () => {
  it.each(TRICKY.map((s) => [JSON.stringify(s).slice(0, 60), s]))('%s', (_, s) => {
    expect(fold(s)).toEqual(referenceFold(s));
    // A second call (the cache now warm) gives the same answer.
    expect(fold(s)).toEqual(referenceFold(s));
  });

  it('random strings mixing ASCII, accents, quotes, marks, CJK, Hangul, astral characters and lone surrogates', () => {
    const next = random(20260325);
    const pools: Array<[number, number]> = [
      [0x20, 0x7e], [0x41, 0x5a], [0x00, 0x1f], [0xa0, 0xff], [0x100, 0x24f], [0x300, 0x36f], [0x370, 0x3ff], [0x400, 0x4ff],
      [0x2010, 0x2044], [0x1e00, 0x1eff], [0x4e00, 0x4e80], [0xac00, 0xac80], [0xfb00, 0xfb4f], [0xff00, 0xffef],
      [0xd800, 0xdfff], [0x1f300, 0x1faff], [0x1d400, 0x1d7ff], [0x10000, 0x10ffff],
    ];
    for (let n = 0; n < 3000; n++) {
      let s = '';
      const length = Math.floor(next() * 24);
      for (let k = 0; k < length; k++) {
        const [lo, hi] = pools[Math.floor(next() * pools.length)]!;
        const cp = lo + Math.floor(next() * (hi - lo + 1));
        // Surrogate code points become lone surrogate code units on purpose.
        s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      }
      const expected = referenceFold(s);
      const actual = fold(s);
      if (actual.text !== expected.text || actual.map.join() !== expected.map.join()) {
        expect({ s, ...actual }).toEqual({ s, ...expected });
      }
    }
  });

  it('every BMP character and a sample of the astral planes (more distinct characters than the cache holds)', () => {
    const chunks: string[] = [];
    for (let start = 0; start < 0x10000; start += 1024) {
      let s = '';
      for (let cp = start; cp < start + 1024; cp++) s += String.fromCharCode(cp);
      chunks.push(s);
    }
    for (let cp = 0x10000; cp <= 0x10ffff; cp += 0x1000) {
      let s = '';
      for (let k = 0; k < 64; k++) s += String.fromCodePoint(cp + k * 17);
      chunks.push(s);
    }
    for (let round = 0; round < 2; round++) {
      for (const s of chunks) {
        const expected = referenceFold(s);
        const actual = fold(s);
        expect(actual.text).toBe(expected.text);
        expect(actual.map).toEqual(expected.map);
      }
    }
  });

  it('originalSlice and simplify still quote and reduce through the map', () => {
    const f = fold('Mesa para 4 amanhã às 20h 😀 Café “Nicola”');
    const at = f.text.indexOf('amanha');
    expect(originalSlice(f, at, at + 'amanha as 20h'.length)).toBe('amanhã às 20h');
    const emoji = f.text.indexOf('😀');
    expect(originalSlice(f, emoji, emoji + 2)).toBe('😀');
    expect(simplify('Joe’s “Gym” – Pastéis de Belém')).toBe('joes gym pasteis de belem');
  });
});

describe('editDistanceAtMost: the same answers as the full table', () => {
  it.each([
    // a, b, their distance (a transposition is two edits; UTF-16 units are compared)
    ['', '', 0], ['', 'a', 1], ['a', '', 1], ['sakura', 'sakura', 0], ['sakura', 'sakuta', 1], ['sakura', 'sakur', 1],
    ['sakura', 'ssakura', 1], ['sakura', 'askura', 2], ['ramiro', 'ramior', 2], ['ab', 'ba', 2], ['abc', 'acb', 2],
    ['kitten', 'sitting', 3], ['nicola', 'nicolas', 1], ['😀a', '😁a', 1],
  ] as const)('%s ~ %s: distance %i', (a, b, distance) => {
    for (let m = 0; m <= 3; m++) {
      expect(editDistanceAtMost(a, b, m)).toBe(referenceEditDistanceAtMost(a, b, m));
      expect(editDistanceAtMost(b, a, m)).toBe(referenceEditDistanceAtMost(b, a, m));
      expect(editDistanceAtMost(a, b, m)).toBe(m >= distance);
    }
  });

  it('random near-miss words over a small alphabet, max 0 to 2', () => {
    const next = random(42);
    const word = () => Array.from({ length: Math.floor(next() * 8) }, () => 'abc'[Math.floor(next() * 3)]).join('');
    const edit = (w: string) => {
      const i = Math.floor(next() * (w.length + 1));
      const c = 'abcd'[Math.floor(next() * 4)]!;
      const kind = Math.floor(next() * 3);
      return kind === 0 ? w.slice(0, i) + c + w.slice(i) : kind === 1 ? w.slice(0, i) + w.slice(i + 1) : w.slice(0, i) + c + w.slice(i + 1);
    };
    for (let n = 0; n < 20000; n++) {
      const a = word();
      const b = next() < 0.7 ? edit(next() < 0.5 ? a : edit(a)) : word();
      for (let max = 0; max <= 2; max++) {
        if (editDistanceAtMost(a, b, max) !== referenceEditDistanceAtMost(a, b, max)) {
          expect({ a, b, max, result: editDistanceAtMost(a, b, max) }).toEqual({ a, b, max, result: referenceEditDistanceAtMost(a, b, max) });
        }
      }
    }
  });
});

describe('clipText: a cut never splits a surrogate pair', () => {
  const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

  it('keeps short text, and cuts long text to the limit with an ellipsis', () => {
    expect(clipText('hello', 10)).toBe('hello');
    expect(clipText('abcdefghijkl', 10)).toBe('abcdefghi…');
  });

  it('stops before an emoji whose two halves would be cut apart, at every offset', () => {
    for (let pad = 0; pad < 4; pad++) {
      const text = `${'x'.repeat(pad)}${'😀'.repeat(400)}`;
      const cut = clipText(text, 500);
      expect(cut.length).toBeLessThanOrEqual(500);
      expect(LONE.test(cut), `pad ${pad}`).toBe(false);
    }
  });

  it('keeps the stored turns well-formed (PostgreSQL refuses JSON with a lone surrogate)', () => {
    for (const text of ['😀'.repeat(400), `x${'😀'.repeat(400)}`]) {
      const [turn] = appendTurns([], [{ eventId: 'e', role: 'user', text } as never]);
      expect((turn as { text: string }).text.length).toBeLessThanOrEqual(MAX_TURN_TEXT);
      expect(LONE.test((turn as { text: string }).text)).toBe(false);
    }
  });
});

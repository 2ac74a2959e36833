// Text folding shared by the intent rules and the entity extractors.
//
// Rules are written against a folded copy of the message (lower case, accents
// removed, curly quotes straightened) so "Amanhã", "amanha" and "AMANHÃ" are one
// word; the folded copy keeps a map back to the original so entities can quote the
// customer's own words.

export interface Folded {
  /** The original message. */
  readonly source: string;
  /** Lower case, no diacritics, typographic quotes and dashes made plain. */
  readonly text: string;
  /** For each UTF-16 unit of `text`, the index of the original character it came from. */
  readonly map: readonly number[];
}

// Non-ASCII only: fold() lower-cases ASCII without looking here.
const PLAIN: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u2032': "'",
  '\u201c': '"', '\u201d': '"',
  '\u2013': '-', '\u2014': '-', '\u2212': '-',
  '\u00a0': ' ', '\u202f': ' ',
};

// fold() runs on every message (twice per understand()), so it avoids per-character
// work that does not depend on the message: ASCII (most chat text) is folded by
// toLowerCase on whole runs, and every other character's folded form is computed
// once and remembered. Folding is per code point and context-free, so a cached
// answer is exactly the one recomputing would give.
const MARKS = /\p{M}/gu;
const FOLDED_CHARS = new Map<string, string>();
// Distinct code points are bounded by Unicode, but a flood of random ones should
// not grow the cache without limit: start over when it is this big.
const FOLDED_CHARS_MAX = 4096;

/** One code point folded (PLAIN holds no ASCII, which fold() lower-cases directly). */
function foldChar(ch: string): string {
  let plain = FOLDED_CHARS.get(ch);
  if (plain === undefined) {
    plain = PLAIN[ch] ?? ch.normalize('NFD').replace(MARKS, '').toLowerCase();
    if (FOLDED_CHARS.size >= FOLDED_CHARS_MAX) FOLDED_CHARS.clear();
    FOLDED_CHARS.set(ch, plain);
  }
  return plain;
}

export function fold(source: string): Folded {
  let text = '';
  const map: number[] = [];
  const n = source.length;
  let i = 0;
  while (i < n) {
    // A run of ASCII: lower-casing it is what NFD + mark removal + toLowerCase do
    // to each of its characters, one UTF-16 unit each.
    const start = i;
    while (i < n && source.charCodeAt(i) < 0x80) map.push(i++);
    if (i > start) text += source.slice(start, i).toLowerCase();
    if (i >= n) break;
    // One code point, as `for (const ch of source)` splits them: a surrogate pair
    // together, a lone surrogate alone.
    const c = source.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < n && (source.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const plain = foldChar(pair ? source.slice(i, i + 2) : source[i]!);
    for (let k = 0; k < plain.length; k++) map.push(i);
    text += plain;
    i += pair ? 2 : 1;
  }
  return { source, text, map };
}

/** The original words behind folded[start, end). */
export function originalSlice(folded: Folded, start: number, end: number): string {
  if (end <= start) return '';
  const from = folded.map[start] ?? folded.source.length;
  const lastFrom = folded.map[end - 1] ?? folded.source.length - 1;
  // Include the whole last original character (it may be a surrogate pair).
  const lastChar = String.fromCodePoint(folded.source.codePointAt(lastFrom) ?? 32);
  return folded.source.slice(from, lastFrom + lastChar.length);
}

/** Lower case, no accents, apostrophes dropped, anything else not a letter or digit → space. */
export function simplify(value: string): string {
  return fold(value).text.replace(/'/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
}

export interface Token {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

/** Word tokens of folded text, apostrophes dropped ("joe's" → "joes"), with positions. */
export function tokens(text: string): Token[] {
  const out: Token[] = [];
  const re = /[a-z0-9]+(?:'[a-z0-9]+)*/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ word: m[0].replace(/'/g, ''), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

// Numbers written as words, English and Portuguese (folded, so "três" is "tres").
const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16,
  seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
  um: 1, uma: 1, dois: 2, duas: 2, tres: 3, quatro: 4, cinco: 5, seis: 6, sete: 7, oito: 8,
  nove: 9, dez: 10, onze: 11, doze: 12,
};

/** Regex source for a small count: digits or a number word. */
export const COUNT = `(\\d{1,3}|${Object.keys(NUMBER_WORDS).sort((a, b) => b.length - a.length).join('|')})`;

export function parseCount(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value);
  return NUMBER_WORDS[value];
}

/** Levenshtein distance, stopping early once it exceeds `max` (only tiny distances matter). */
export function editDistanceAtMost(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  // Catalog matching asks "one typo?" for every text word against every name word:
  // answer that without building the table.
  if (max === 0) return a === b;
  if (max === 1) return withinOneEdit(a, b);
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return false;
    prev = cur;
  }
  return prev[b.length]! <= max;
}

/** Levenshtein distance ≤ 1, for strings whose lengths differ by at most one. */
function withinOneEdit(x: string, y: string): boolean {
  const swap = x.length < y.length;
  const a = swap ? y : x;
  const b = swap ? x : y;
  // Skip the common prefix; what is left must differ by one substitution (same
  // length) or one deletion from the longer string.
  let i = 0;
  while (i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === b.length) return true;
  const skip = a.length === b.length ? 1 : 0;
  for (let j = i + 1; j < a.length; j++) if (a.charCodeAt(j) !== b.charCodeAt(j - 1 + skip)) return false;
  return true;
}

/**
 * The ids x7 gives its workflows (src/workflows/manager.ts defaultWorkflowId): the kind
 * and the UUID of the booking or chat message that caused it, lower case.
 */
export const WORKFLOW_ID = '(?:reservation|management|voice-callback)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * `text` cut to at most `max` UTF-16 units, ending in "…" when cut, never between the two
 * halves of a surrogate pair: a lone surrogate is not Unicode, and PostgreSQL refuses the
 * JSON that carries one (stored state), so a cut emoji would fail every write after it.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

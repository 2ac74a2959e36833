// Hostile chat messages for the understanding harness: the unit test
// test/unit/understanding-hostile.test.ts and bench/understanding.js. Not used by
// the processors.
//
// The inputs are generated from the rules themselves, so a new rule is covered
// without anyone listing its words: every regular expression written in this
// directory (regex literals, `new RegExp` templates, and string constants that are
// regex sources, with `${CONSTANT}` resolved; the parts of an `inOrder(A, B, …)`
// rule of intents.ts read as `A.*B…`) is parsed, and one sample phrase is drawn per
// alternative ("how many", "number of", …). Each phrase then becomes
// messages of a given size in the shapes that make backtracking regexes slow:
// - the phrase repeated ("open bookings open bookings …");
// - for `A.*B.*C` rules, the leading parts without the last one, repeated
//   ("open bookings " with no "again"): many A, no B;
// - the phrase followed by a long run of spaces and a character no rule expects
//   ("hours      …      #"): adjacent `\s*` quantifiers;
// plus shapes that come from no rule: long runs without spaces, digits, accented
// letters, punctuation, phone-like and e-mail-like runs, many lines, many dates.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from './catalog.js';
import type { UnderstandingContext } from './index.js';
import { MONTH_RE, WEEKDAY_ABBR_RE, WEEKDAY_NAME_RE } from './lexicon.js';
import { COUNT, WORKFLOW_ID } from './text.js';

export interface HostileInput {
  /** What the input is made of, e.g. `repeat "open bookings"`. */
  kind: string;
  text: string;
}

// ---------------------------------------------------------------------------
// Pattern sources, read from this directory's modules (.ts under vitest, .js in dist).

/** Modules whose patterns never see chat text (time zones, the LLM's answer). */
const SKIP = /^(?:hostile-inputs|llm|zoned-time)\.(?:ts|js)$/;

/** Values of constants the files build with code rather than write as literals. */
const KNOWN: Record<string, string> = { COUNT, MONTH_RE, WEEKDAY_NAME_RE, WEEKDAY_ABBR_RE, WORKFLOW_ID };

interface Literal {
  kind: 'regex' | 'string' | 'template';
  raw: string;
  constName?: string;
  /** Set on the arguments of one `inOrder(A, B, …)` call (intents.ts): the parts of an `A.*B…` rule. */
  chain?: number;
}

/** The helper that runs "A.*B" rules part by part: its arguments are one pattern. */
const CHAIN_HELPER = 'inOrder';

/** Regex, string and template literals of a JavaScript/TypeScript source, in order. */
function literals(code: string): Literal[] {
  const out: Literal[] = [];
  let i = 0;
  // Open parentheses, and the open `inOrder(` calls with the depth they close at.
  let depth = 0;
  let chains = 0;
  const openChains: Array<{ id: number; depth: number }> = [];
  const chain = () => {
    const open = openChains[openChains.length - 1];
    return open ? { chain: open.id } : {};
  };
  // The last significant character: decides whether "/" starts a regex.
  let last = '';
  let lastWord = '';
  const constBefore = (at: number) => /\bconst\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=\s*$/.exec(code.slice(Math.max(0, at - 120), at))?.[1];
  const readQuoted = (quote: string): string => {
    const start = ++i;
    while (i < code.length && code[i] !== quote) i += code[i] === '\\' ? 2 : 1;
    return code.slice(start, i++);
  };
  // A template literal from its opening backtick; ${…} kept as written.
  const readTemplate = (): string => {
    const start = ++i;
    while (i < code.length && code[i] !== '`') {
      if (code[i] === '\\') { i += 2; continue; }
      if (code[i] === '$' && code[i + 1] === '{') { i += 2; skipExpression(); continue; }
      i++;
    }
    return code.slice(start, i++);
  };
  // Past the `}` closing a ${…}, skipping nested braces, strings and templates.
  const skipExpression = () => {
    let depth = 1;
    while (i < code.length && depth > 0) {
      const c = code[i]!;
      if (c === "'" || c === '"') readQuoted(c);
      else if (c === '`') readTemplate();
      else { if (c === '{') depth++; else if (c === '}') depth--; i++; }
    }
  };
  while (i < code.length) {
    const c = code[i]!;
    if (c === '/' && code[i + 1] === '/') { while (i < code.length && code[i] !== '\n') i++; continue; }
    if (c === '/' && code[i + 1] === '*') { const end = code.indexOf('*/', i + 2); i = end < 0 ? code.length : end + 2; continue; }
    if (c === "'" || c === '"') {
      const constName = constBefore(i);
      out.push({ kind: 'string', raw: readQuoted(c), ...(constName ? { constName } : {}), ...chain() });
      last = c;
      continue;
    }
    if (c === '`') {
      const constName = constBefore(i);
      out.push({ kind: 'template', raw: readTemplate(), ...(constName ? { constName } : {}), ...chain() });
      last = '`';
      continue;
    }
    if (c === '/' && ('(,=:[!&|?{};'.includes(last) || last === '' || lastWord === 'return')) {
      const start = ++i;
      let inClass = false;
      while (i < code.length && code[i] !== '\n' && (inClass || code[i] !== '/')) {
        if (code[i] === '\\') i++;
        else if (code[i] === '[') inClass = true;
        else if (code[i] === ']') inClass = false;
        i++;
      }
      out.push({ kind: 'regex', raw: code.slice(start, i++), ...chain() });
      while (/[a-z]/.test(code[i] ?? '')) i++;
      last = ')';
      continue;
    }
    if (/\s/.test(c)) { i++; continue; }
    if (/[\w$]/.test(c)) {
      const start = i;
      while (i < code.length && /[\w$]/.test(code[i]!)) i++;
      lastWord = code.slice(start, i);
      last = 'a';
      continue;
    }
    if (c === '(') {
      depth++;
      if (lastWord === CHAIN_HELPER) openChains.push({ id: chains++, depth });
    } else if (c === ')') {
      if (openChains[openChains.length - 1]?.depth === depth) openChains.pop();
      depth--;
    }
    last = c;
    lastWord = '';
    i++;
  }
  return out;
}

/** A string or template literal's value, `${NAME…}` replaced by the constant's value where known. */
function cook(raw: string, consts: ReadonlyMap<string, string>): string {
  let value = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const n = raw[++i] ?? '';
      if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 1, i + 5))) { value += String.fromCharCode(parseInt(raw.slice(i + 1, i + 5), 16)); i += 4; }
      else value += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else if (c === '$' && raw[i + 1] === '{') {
      let depth = 1;
      let j = i + 2;
      while (j < raw.length && depth > 0) { if (raw[j] === '{') depth++; else if (raw[j] === '}') depth--; j++; }
      value += expression(raw.slice(i + 2, j - 1), consts) ?? '';
      i = j - 1;
    } else {
      value += c;
    }
  }
  return value;
}

/**
 * The value of a `${…}` expression: a constant, optionally with the one
 * `.replace(/re/g, '…')` or `.slice(a, b)` the files apply to one.
 */
function expression(code: string, consts: ReadonlyMap<string, string>): string | undefined {
  const m = /^\s*([A-Za-z_$][\w$]*)\s*(?:\.replace\(\s*\/((?:\\.|[^/\\])+)\/([a-z]*)\s*,\s*'([^']*)'\s*\)|\.slice\(\s*(-?\d+)\s*(?:,\s*(-?\d+)\s*)?\))?\s*$/.exec(code);
  const value = m ? consts.get(m[1]!) : undefined;
  if (value === undefined || !m) return undefined;
  if (m[2] !== undefined) return value.replace(new RegExp(m[2], m[3]), m[4]!);
  if (m[5] !== undefined) return value.slice(Number(m[5]), m[6] === undefined ? undefined : Number(m[6]));
  return value;
}

let sourcesCache: string[] | undefined;

function isRegex(source: string): boolean {
  for (const flags of ['u', '']) {
    try {
      new RegExp(source, flags);
      return true;
    } catch {
      // try without the u flag
    }
  }
  return false;
}

/** Every regex source written in the understanding modules; an `inOrder(A, B)` rule as `A.*B`. */
export function ruleSources(): string[] {
  if (sourcesCache) return sourcesCache;
  const dir = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(dir).filter((f) => /\.(?:ts|js)$/.test(f) && !f.endsWith('.d.ts') && !SKIP.test(f)).sort();
  const sources = new Set<string>();
  for (const file of files) {
    const code = readFileSync(join(dir, file), 'utf8');
    const found = literals(code);
    const consts = new Map<string, string>(Object.entries(KNOWN));
    // Aliases such as `const N = COUNT;`.
    for (const m of code.matchAll(/\bconst\s+([A-Z_][A-Z0-9_]*)\s*=\s*([A-Z_][A-Z0-9_]*)\s*;/g)) {
      const value = consts.get(m[2]!);
      if (value !== undefined) consts.set(m[1]!, value);
    }
    const chained = new Map<number, string[]>();
    for (const lit of found) {
      const value = lit.kind === 'regex' ? lit.raw : cook(lit.raw, consts);
      if (lit.constName && lit.kind !== 'regex') consts.set(lit.constName, value);
      // Strings that are regex sources: a regex literal, or text with alternatives or escapes.
      if (lit.kind !== 'regex' && !/[|\\]/.test(value)) continue;
      if (!isRegex(value)) continue;
      sources.add(value);
      if (lit.chain !== undefined) chained.set(lit.chain, [...(chained.get(lit.chain) ?? []), value]);
    }
    for (const parts of chained.values()) {
      const joined = parts.join('.*');
      if (parts.length > 1 && isRegex(joined)) sources.add(joined);
    }
  }
  sourcesCache = [...sources];
  return sourcesCache;
}

// ---------------------------------------------------------------------------
// Samples: one phrase per alternative of every pattern.

type Node =
  | { t: 'text'; s: string }
  | { t: 'any' } // `.` or a class matching everything, under * or +: "anything here"
  | { t: 'alt'; id: number; key: string; branches: Node[][] }
  | { t: 'group'; body: Node }
  | { t: 'look' }
  | { t: 'quant'; node: Node; min: number; max: number };

/** The separator a sample carries where the pattern says `.*`. */
const GAP = '\u0000';

/** A small parser for the regex syntax the rules use; anything else is read as literal text. */
function parse(source: string): { root: Node; parents: Map<number, Array<[number, number]>> } {
  let i = 0;
  let nextId = 0;
  const parents = new Map<number, Array<[number, number]>>();
  const path: Array<[number, number]> = [];

  const classSample = (body: string): string => {
    if (body.startsWith('^')) return '#';
    const first = body[0] === '\\' ? body.slice(0, 2) : body[0] ?? '';
    return escapeSample(first) ?? first;
  };
  const escapeSample = (esc: string): string | undefined => {
    switch (esc) {
      case '\\d': return '7';
      case '\\D': case '\\w': case '\\S': return 'a';
      case '\\s': return ' ';
      case '\\W': return ' ';
      case '\\b': case '\\B': return '';
      case '\\n': return '\n';
      case '\\t': return '\t';
      default: return esc.startsWith('\\') ? esc.slice(1) : undefined;
    }
  };

  const alternation = (): Node => {
    const id = nextId++;
    const start = i;
    parents.set(id, [...path]);
    const branches: Node[][] = [];
    for (;;) {
      path.push([id, branches.length]);
      const seq: Node[] = [];
      while (i < source.length && source[i] !== '|' && source[i] !== ')') seq.push(quantified(atom()));
      path.pop();
      branches.push(seq);
      if (source[i] === '|') { i++; continue; }
      return { t: 'alt', id, key: source.slice(start, i), branches };
    }
  };

  const atom = (): Node => {
    const c = source[i]!;
    if (c === '(') {
      i++;
      let look = false;
      if (source[i] === '?') {
        if (source.startsWith('?:', i)) i += 2;
        else if (/^\?<?[=!]/.test(source.slice(i))) { look = true; i += source[i + 1] === '<' ? 3 : 2; }
        else if (source.startsWith('?<', i)) i = source.indexOf('>', i) + 1;
      }
      const body = alternation();
      i++; // ')'
      return look ? { t: 'look' } : { t: 'group', body };
    }
    if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      const body = source.slice(i + 1, j);
      i = j + 1;
      if (body === '\\s\\S' || body === '\\S\\s' || body === '^') return { t: 'any' };
      return { t: 'text', s: classSample(body) };
    }
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if ((next === 'p' || next === 'P') && source[i + 2] === '{') {
        i = source.indexOf('}', i) + 1;
        return { t: 'text', s: '' };
      }
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
        const s = String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
        i += 6;
        return { t: 'text', s };
      }
      if (/[1-9]/.test(next)) { i += 2; return { t: 'text', s: '' }; }
      i += 2;
      return { t: 'text', s: escapeSample(`\\${next}`) ?? next };
    }
    i++;
    if (c === '.') return { t: 'any' };
    if (c === '^' || c === '$') return { t: 'text', s: '' };
    return { t: 'text', s: c };
  };

  const quantified = (node: Node): Node => {
    let min = 1;
    let max = 1;
    const c = source[i];
    if (c === '?') { min = 0; i++; }
    else if (c === '*') { min = 0; max = Infinity; i++; }
    else if (c === '+') { max = Infinity; i++; }
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!m) return node;
      min = +m[1]!;
      max = m[2] === undefined ? min : m[3] ? +m[3] : Infinity;
      i += m[0].length;
    } else {
      return node;
    }
    if (source[i] === '?') i++; // lazy
    return { t: 'quant', node, min, max };
  };

  const root = alternation();
  return { root, parents };
}

/** One string the node matches (roughly), with the forced branch choices; `.*` becomes GAP. */
function sample(node: Node, force: ReadonlyMap<number, number>): string {
  switch (node.t) {
    case 'text': return node.s;
    case 'any': return 'a';
    case 'look': return '';
    case 'group': return sample(node.body, force);
    case 'alt': return (node.branches[force.get(node.id) ?? 0] ?? []).map((n) => sample(n, force)).join('');
    case 'quant':
      if (node.node.t === 'any' && node.max === Infinity) return GAP;
      return sample(node.node, force).repeat(Math.max(1, Math.min(node.min, 12)));
  }
}

interface AltInfo { id: number; key: string; count: number }

function alternations(node: Node, out: AltInfo[] = []): AltInfo[] {
  if (node.t === 'alt') {
    out.push({ id: node.id, key: node.key, count: node.branches.length });
    for (const b of node.branches) for (const n of b) alternations(n, out);
  } else if (node.t === 'group') alternations(node.body, out);
  else if (node.t === 'quant') alternations(node.node, out);
  return out;
}

/**
 * Sample phrases of one regex source: one per alternative (the first alternative
 * of every other choice). A list of alternatives already expanded in another
 * pattern (`expanded` holds their sources: the booking nouns, the number words,
 * the months) contributes only its first alternative here.
 */
export function samplesOf(source: string, expanded: Set<string> = new Set()): string[] {
  const { root, parents } = parse(source);
  const out = new Set<string>();
  for (const { id, key, count } of alternations(root)) {
    const again = count > 1 && expanded.has(key);
    expanded.add(key);
    for (let b = 0; b < (again ? 1 : count); b++) {
      const force = new Map<number, number>(parents.get(id) ?? []);
      force.set(id, b);
      out.add(sample(root, force).replace(/ {2,}/g, ' ').trim());
    }
  }
  return [...out].filter((s) => /[\p{L}\p{N}]/u.test(s));
}

let samplesCache: string[] | undefined;

/** Sample phrases of every rule, `.*` gaps marked with U+0000. */
export function ruleSamples(): string[] {
  if (samplesCache) return samplesCache;
  const expanded = new Set<string>();
  // `A.*B` patterns first: their alternatives are expanded there, with the gaps.
  const sources = ruleSources();
  const ordered = [...sources.filter((s) => s.includes('.*')), ...sources.filter((s) => !s.includes('.*'))];
  samplesCache = [...new Set(ordered.flatMap((source) => samplesOf(source, expanded)))].sort();
  return samplesCache;
}

// ---------------------------------------------------------------------------
// Inputs of a given size.

const encoder = new TextEncoder();

/** `unit` repeated to `bytes` UTF-8 bytes (whole code points), optionally ending in `tail`. */
export function fill(unit: string, bytes: number, tail = ''): string {
  const unitBytes = encoder.encode(unit).length;
  const tailBytes = encoder.encode(tail).length;
  let text = unit.repeat(Math.max(0, Math.floor((bytes - tailBytes) / Math.max(1, unitBytes))));
  // Top up with the start of the unit, code point by code point.
  let used = unitBytes * (text.length / Math.max(1, unit.length)) + tailBytes;
  for (const ch of unit) {
    const b = encoder.encode(ch).length;
    if (used + b > bytes) break;
    text += ch;
    used += b;
  }
  return text + tail;
}

/** Shapes that come from no rule in particular. */
function structural(bytes: number): HostileInput[] {
  const run = (kind: string, unit: string, tail = '') => ({ kind, text: fill(unit, bytes, tail) });
  return [
    run('letters, no spaces', 'a'),
    run('letters, no spaces, then a digit', 'a', '1'),
    run('hex letters and dashes', 'ab12-'),
    run('digits, no spaces', '1'),
    run('digits, then a letter', '1', 'x'),
    run('digits and spaces', '1 2 3 '),
    run('digits and dashes', '1-2-3-'),
    run('phone prefixes', '+1 '),
    run('phone numbers', '+351 912 345 678 '),
    run('spaces', ' '),
    run('spaces, then a letter', ' ', 'x'),
    run('tabs and spaces', ' \t'),
    run('newlines', '\n'),
    run('empty lines and words', 'open bookings\n\n'),
    run('no-break spaces', '\u00a0'),
    run('accented letters', 'é'),
    run('accented words', 'ação amanhã às '),
    run('combining marks', 'e\u0301'),
    run('emoji', '\u{1F600}'),
    run('lone surrogates', '\ud800'),
    run('CJK', '予約'),
    run('punctuation', '!?.,;:'),
    run('dots', '.'),
    run('dashes', '-'),
    run('apostrophes', "'"),
    run('quotes and dashes', '\u2019\u201c\u2014'),
    run('at signs', '@'),
    run('e-mail-like', 'a@'),
    run('e-mail-like with dots', 'a@b.'),
    run('e-mail addresses', 'me@example.com '),
    run('booking references', 'b-1234 '),
    run('uuid-like', '0123abcd-'),
    run('times', 'at 7pm at 8pm '),
    run('dates and times', 'tomorrow at 7 '),
    run('day and month dates', '12/03 '),
    run('day names', 'mon-fri 9 to 6 '),
    run('opening hours', 'monday to friday open 9 to 6, closed on sundays '),
    run('hour ranges', '9-6 '),
    run('party sizes', 'table for 4 '),
    run('counts', 'how many '),
    run('changes', 'change '),
    run('euro signs', '\u20ac'),
    run('dollar signs', '$'),
    { kind: 'a number, then spaces', text: `8${fill(' ', bytes - 2, '#')}` },
    { kind: 'open 9, then spaces', text: `open 9${fill(' ', bytes - 7, '#')}` },
    { kind: 'announce:, then text', text: `announce: ${fill('hello everyone ', bytes - 10)}` },
  ];
}

/**
 * Hostile messages of at most `bytes` UTF-8 bytes: for every rule phrase, the
 * phrase repeated, the leading parts of `A.*B…` phrases repeated, and the phrase
 * followed by spaces; then the structural shapes. `every` keeps the repeats and the
 * spaces of every n-th phrase only (1: all), for runs that must stay short; the
 * `A.*B` leads and the structural shapes are always kept.
 */
export function hostileInputs(bytes: number, options: { every?: number } = {}): HostileInput[] {
  const every = Math.max(1, options.every ?? 1);
  const out: HostileInput[] = [];
  const seen = new Set<string>();
  const add = (kind: string, text: string) => {
    if (seen.has(text)) return;
    seen.add(text);
    out.push({ kind, text });
  };
  ruleSamples().forEach((phrase, index) => {
    const parts = phrase.split(GAP).map((p) => p.trim()).filter(Boolean);
    const whole = parts.join(' ');
    for (let k = 1; k < parts.length; k++) {
      const lead = parts.slice(0, k).join(' ');
      add(`repeat "${lead}" (no "${parts[k]}")`, fill(`${lead} `, bytes));
    }
    if (index % every !== 0) return;
    add(`repeat "${whole}"`, fill(`${whole} `, bytes));
    add(`"${whole}", then spaces`, whole + fill(' ', bytes - encoder.encode(whole).length - 1, '#'));
  });
  for (const input of structural(bytes)) add(input.kind, input.text);
  // Every phrase once, one after another: every rule at once, with many marks and spans.
  const phrases = ruleSamples().map((p) => p.split(GAP).join(' ').replace(/ {2,}/g, ' ').trim());
  add('every rule phrase, one after another', fill(`${phrases.join(' ')} `, bytes));
  add('every rule phrase, one a line', fill(`${phrases.join('\n')}\n`, bytes));
  return out;
}

// ---------------------------------------------------------------------------
// Where the inputs are understood: every chat type, in the contexts that switch
// rules on.

/** Forty Lisbon businesses and six places, as many as a GLOBAL search sees at once. */
export function hostileCatalog(): Catalog {
  const names: Array<[string, string]> = [
    ['Sushi Sakura Chiado', 'restaurant'], ['Tasca do Chico', 'restaurant'], ['Cervejaria Ramiro', 'restaurant'],
    ['Time Out Market', 'restaurant'], ['A Cevicheria', 'restaurant'], ['Ponto Final', 'restaurant'],
    ['Taberna da Rua das Flores', 'restaurant'], ['O Velho Eurico', 'restaurant'], ['Prado', 'restaurant'],
    ['Belcanto', 'restaurant'], ['Zé da Mouraria', 'restaurant'], ['Ramen Kanpai', 'restaurant'],
    ['Café A Brasileira', 'cafe'], ['Café Nicola', 'cafe'], ['Fábrica Coffee Roasters', 'cafe'], ['Bom Dia Café', 'cafe'],
    ['Copenhagen Coffee Lab', 'cafe'], ['Hello Kristof', 'cafe'],
    ['Pastéis de Belém', 'bakery'], ['Manteigaria', 'bakery'], ['Padaria Portuguesa', 'bakery'], ['Landeau Chocolate', 'bakery'],
    ['The Barber of Alfama', 'barber'], ['Figaro’s Barbershop', 'barber'], ['Barbearia Campos', 'barber'],
    ['Salão Rosa', 'salon'], ['Studio Cabelo Chiado', 'salon'], ['Nail Lounge Avenida', 'salon'],
    ['Clínica Dentária Sorriso', 'dentist'], ['Dental Lisboa Centro', 'dentist'],
    ['Clínica São João', 'clinic'], ['Physio Estrela', 'clinic'],
    ['Holmes Place Avenida', 'gym'], ['Joe’s Gym', 'gym'], ['Fitness Hut Alcântara', 'gym'],
    ['Red Frog Speakeasy', 'bar'], ['Pavilhão Chinês', 'bar'], ['Park Bar', 'bar'],
    ['Hammam Lisboa Spa', 'spa'], ['Four Seasons Ritz Spa', 'spa'],
  ];
  return {
    businesses: names.map(([name, category], i) => ({ id: `b${i + 1}`, name, category })),
    categories: ['restaurant', 'cafe', 'salon', 'barber', 'clinic', 'dentist', 'gym', 'bakery', 'bar', 'spa'],
    places: [
      { name: 'Alfama', lat: 38.7118, lon: -9.13 }, { name: 'Bairro Alto', lat: 38.713, lon: -9.146 },
      { name: 'Príncipe Real', lat: 38.7166, lon: -9.1488 }, { name: 'Belém', lat: 38.697, lon: -9.206 },
      { name: 'Cais do Sodré', lat: 38.7061, lon: -9.1446 }, { name: 'Campo de Ourique', lat: 38.718, lon: -9.167 },
    ],
  };
}

/**
 * The contexts the inputs are understood in: each chat type, DEDICATED also with
 * every kind of pending slot and a pending action (and with only the time pending,
 * which reads a bare number as a time), DASHBOARD also with pending slots and a
 * pending action, GLOBAL with the forty-business catalog.
 */
export function hostileContexts(now: Date, timeZone = 'Europe/Lisbon'): Array<{ name: string; context: UnderstandingContext }> {
  return [
    { name: 'DEDICATED', context: { chatType: 'DEDICATED', now, timeZone, businessCategory: 'restaurant' } },
    {
      name: 'DEDICATED, slots and action pending',
      context: { chatType: 'DEDICATED', now, timeZone, pendingSlots: ['partySize', 'time', 'name', 'phone', 'email'], hasPendingAction: true },
    },
    { name: 'DEDICATED, time pending', context: { chatType: 'DEDICATED', now, timeZone, pendingSlots: ['time'] } },
    { name: 'DASHBOARD', context: { chatType: 'DASHBOARD', now, timeZone } },
    { name: 'DASHBOARD, slots and action pending', context: { chatType: 'DASHBOARD', now, timeZone, pendingSlots: ['hours'], hasPendingAction: true } },
    { name: 'GLOBAL, 40 businesses', context: { chatType: 'GLOBAL', now, timeZone, catalog: hostileCatalog() } },
  ];
}

// Party size: "table for 4", "4 people", "party of six", "for two", "we are 5",
// "2 adults and 2 kids", "mesa para 4", and in a booking "make it 8".
//
// The rule for bare numbers (documented because it is a guess):
// - A number followed by a time marker (am/pm, ":30", "h", "o'clock") or another
//   unit (hours, days, €, %, a date "/03") is never a party size: "make it 8pm" is
//   a time, "for 2 hours" a duration.
// - "make it 8", "change it to 8", "actually 8": a party size — unless the booking
//   waits for a time and not for a party size, then it is the time.
// - A message that is only a number ("8") is a party size only when the booking
//   waits for one (`bareNumberIsPartySize`); if it waits for the time, it is a time.
import { COUNT, type Folded, parseCount } from './text.js';
import { MONTH_RE } from './lexicon.js';

export interface PartyMark { start: number; end: number; size: number; rule: string }

export interface PartyScanOptions {
  /** The booking waits for a party size: a message that is only a number is one. */
  bareNumberIsPartySize?: boolean;
  /** The booking waits for a time (and not a party size): "make it 8" is a time. */
  bareNumberIsTime?: boolean;
}

/** How pending booking slots steer bare numbers (see the rule above). */
export function bareNumberHints(pendingSlots: readonly string[] | undefined): Required<PartyScanOptions> {
  const slots = new Set((pendingSlots ?? []).map((s) => s.toLowerCase().replace(/[_\s-]/g, '')));
  const wantsParty = slots.has('partysize') || slots.has('party') || slots.has('guests');
  const wantsTime = slots.has('time') || slots.has('datetime') || slots.has('date');
  return { bareNumberIsPartySize: wantsParty, bareNumberIsTime: wantsTime && !wantsParty };
}

const N = COUNT;
const NOT_PARTY = `(?!\\s*(?:[:.h]\\d|[ap]\\.?\\s?m\\b|h\\b|o'?clock|hours?\\b|hrs?\\b|minutes?\\b|mins?\\b|days?\\b|weeks?\\b|nights?\\b|months?\\b|years?\\b|euros?\\b|€|%|st\\b|nd\\b|rd\\b|th\\b|[/-]\\d|(?:of\\s+|de\\s+)?(?:${MONTH_RE})\\b))`;
/** The largest party size understood (also the bound of an LLM's party size). */
export const MAX_PARTY = 100;

const RULES: ReadonlyArray<[string, RegExp, (m: RegExpExecArray) => number | undefined]> = [
  ['party-adults-kids', new RegExp(`\\b${N}\\s+(?:adults?|adultos)\\s+(?:and|\\+|&|e)\\s+${N}\\s+(?:kids?|children|child|criancas|babies|baby)\\b`),
    (m) => sum(parseCount(m[1]!), parseCount(m[2]!))],
  ['party-table-for', new RegExp(`\\b(?:table|mesa|booking|reservation|reserva|room)\\s+(?:for|para)\\s+${N}\\b${NOT_PARTY}`), (m) => parseCount(m[1]!)],
  ['party-of', new RegExp(`\\bparty\\s+of\\s+${N}\\b`), (m) => parseCount(m[1]!)],
  ['party-n-people', new RegExp(`\\b${N}\\s+(?:people|persons?|guests?|pax|adults|diners|covers|of us|pessoas?|adultos)\\b`), (m) => parseCount(m[1]!)],
  // `\s*(?:'\s*)?`, not `\s*'?\s*`: two spaces-runs side by side try every split of a long run of spaces.
  ['party-we-are', new RegExp(`\\b(?:we\\s*(?:'\\s*)?(?:are|re|will be|ll be)|there\\s*(?:'\\s*)?(?:are|will be|ll be)|somos|seremos)\\s+${N}\\b(?!\\s*(?:minutes?|mins?|late|years?))${NOT_PARTY}`),
    (m) => parseCount(m[1]!)],
  ['party-for-n', new RegExp(`\\b(?:for|para)\\s+${N}\\b${NOT_PARTY}`), (m) => parseCount(m[1]!)],
];

const MODIFY = new RegExp(`\\b(?:make it|change (?:it )?to|actually|instead|now)\\s+${N}\\b${NOT_PARTY}`);
// The number, then optionally "please", then optionally "." or "!", each followed by
// spaces (one spaces-run per gap: side by side they would backtrack through every split).
const BARE = new RegExp(`^\\s*${N}\\s*(?:(?:please|pls)\\s*)?(?:[.!]+\\s*)?$`);

export function scanPartySize(folded: Folded, options: PartyScanOptions = {}): PartyMark | undefined {
  const text = folded.text;
  for (const [rule, re, size] of RULES) {
    const mark = markFrom(re.exec(text), rule, size);
    if (mark) return mark;
  }
  if (!options.bareNumberIsTime) {
    const mark = markFrom(MODIFY.exec(text), 'party-make-it', (m) => parseCount(m[1]!));
    if (mark) return mark;
  }
  if (options.bareNumberIsPartySize) return markFrom(BARE.exec(text), 'party-bare-number', (m) => parseCount(m[1]!));
  return undefined;
}

function markFrom(m: RegExpExecArray | null, rule: string, size: (m: RegExpExecArray) => number | undefined): PartyMark | undefined {
  if (!m) return undefined;
  const n = size(m);
  if (n === undefined || n < 1 || n > MAX_PARTY) return undefined;
  return { start: m.index, end: m.index + m[0].length, size: n, rule };
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}

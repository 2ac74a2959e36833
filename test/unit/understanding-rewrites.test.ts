import { describe, expect, it } from 'vitest';
import { ruleSources, samplesOf } from '../../src/understanding/hostile-inputs.js';
import { type ChatType, classifyIntent, type IntentContext } from '../../src/understanding/index.js';
import { MONTH_RE } from '../../src/understanding/lexicon.js';
import { COUNT } from '../../src/understanding/text.js';
import { seededRandom } from '../support/random.js';

// The rules rewritten to run in linear time (issue 9, item 4) give the answers the
// original regexes gave. The originals are kept here, verbatim, and compared with
// the rewrites on random normal-length (≤ 200 characters) mixes of the rules'
// own words and filler, where the originals are fast:
// - the intent rules, through classifyIntent (a rule fired when its id is in
//   `matched`): the `A.*B(.*C)` rules now run part by part (`inOrder` in
//   intents.ts), the e-mail test is a scan, two anchored rules lost a doubled `\s*`;
// - the entity patterns, regex against regex (same match, same groups), with a
//   check that the rewritten source is the one the module compiles.

const random = seededRandom;

const SEPARATORS = [' ', ' ', ' ', ' ', '  ', ', ', '\n', '', '-', "'", '.', '\t', ' ? '];
const FILLER = [
  'the', 'a', 'all', 'our', 'my', 'please', 'to', 'is', 'at', '7pm', 'tomorrow', 'and', 'it', 'for', 'we', 'again',
  'x', 's', 'ing', 'booking', 'open', 'how', 'many', 'what', 'time', 'new', 'no', 'more', 'not', 'any', 'me', 'show',
];

/** `count` texts of at most 200 characters: random words of `words` and FILLER, random separators. */
function mixes(seed: number, words: readonly string[], count: number, { filler = 0.35, maxWords = 12 } = {}): string[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const length = 1 + Math.floor(next() * maxWords);
    let text = next() < 0.2 ? pick(SEPARATORS) : '';
    for (let k = 0; k < length; k++) {
      text += (next() < filler ? pick(FILLER) : pick(words)) + (k < length - 1 || next() < 0.3 ? pick(SEPARATORS) : '');
    }
    out.push(text.slice(0, 200));
  }
  return out;
}

/** The words and phrases of a regex source: its sample phrases, their `.*` parts and their single words. */
function wordsOf(source: string): string[] {
  const phrases = samplesOf(source).flatMap((s) => s.split('\u0000')).map((s) => s.trim()).filter(Boolean);
  return [...new Set([...phrases, ...phrases.flatMap((p) => p.split(' '))])];
}

const BOOKING_NOUN = '(?:bookings?|reservations?|appointments?|reservas?|marcac(?:ao|oes))';

// The intent rules as they were, verbatim.
const ORIGINAL_INTENT_RULES: Array<{ id: string; chatType: ChatType; re: RegExp; context?: Partial<IntentContext> }> = [
  { id: 'modify_booking:change-booking', chatType: 'DEDICATED',
    re: new RegExp(`\\b(?:change|modify|update|alter|edit|amend)\\b.*\\b(?:${BOOKING_NOUN}|time|date|number of (?:people|guests))\\b`) },
  { id: 'hours:when', chatType: 'DEDICATED', re: /\b(?:when|what time|que horas)\b.*\b(?:open|opens|close|closes|closing|opening|abrem|fecham|abre|fecha)\b/ },
  { id: 'hours:hours', chatType: 'DEDICATED',
    re: /\b(?:opening hours|business hours|your hours|the hours|hours of operation|horarios?|opening times?|closing time)\b|^\s*hours\s*\??\s*$/ },
  { id: 'provide_details:name', chatType: 'DEDICATED', context: { pendingSlots: ['name'] },
    re: /\b(?:my name is|name'?s|it'?s under|under the name|chamo-me|o meu nome e)\b|^\s*(?:i'?m|i am)\s+[a-z]+\s*[.!]?\s*$/ },
  { id: 'provide_details:email', chatType: 'DEDICATED', context: { pendingSlots: ['email'] }, re: /\S+@\S+\.\S+/ },
  { id: 'analytics_volume:how-many', chatType: 'DASHBOARD',
    re: /\b(?:how many|number of|count|total|volume of)\b.*\b(?:messages?|conversations?|chats?|inquiries|enquiries|customers?|visitors|mensagens|conversas)\b/ },
  { id: 'analytics_volume:period', chatType: 'DASHBOARD',
    re: /\b(?:messages?|conversations?|chats?|mensagens)\b.*\b(?:today|yesterday|this (?:week|month|year)|last (?:week|month|\d+ days)|per (?:day|week)|hoje|esta semana|este mes)\b/ },
  { id: 'analytics_bookings:count', chatType: 'DASHBOARD',
    re: new RegExp(`\\b(?:how many|number of|count|total|list|show(?: me)?|what|any|who|quantas)\\b.*\\b${BOOKING_NOUN}`) },
  { id: 'analytics_bookings:period', chatType: 'DASHBOARD',
    re: new RegExp(`\\b${BOOKING_NOUN}\\b.*\\b(?:today|tonight|tomorrow|yesterday|this (?:week|month|year|weekend)|next week|last (?:week|month)|hoje|amanha)\\b`) },
  { id: 'analytics_top_questions:top', chatType: 'DASHBOARD',
    re: /\b(?:top|most (?:common|frequent|asked|popular)|frequent(?:ly asked)?|common|popular|main|recurring)\b.*\b(?:questions?|queries|asks|topics|requests|faqs?|perguntas)\b/ },
  { id: 'analytics_top_questions:what-ask', chatType: 'DASHBOARD',
    re: /\bwhat (?:are|do|did) (?:people|customers|clients|users|guests)\b.*\b(?:ask|asking|want|looking for|request)/ },
  { id: 'set_hours:set', chatType: 'DASHBOARD', re: /\b(?:set|change|update|modify|adjust|edit|alterar|mudar)\b.*\b(?:hours|opening times?|schedule|horarios?)\b/ },
  { id: 'pause_bookings:verb', chatType: 'DASHBOARD',
    re: new RegExp(`\\b(?:pause|stop|suspend|disable|turn off|switch off|halt|freeze|block|close|hold|suspender|parar|pausar)\\b.*\\b${BOOKING_NOUN}`) },
  { id: 'resume_bookings:verb', chatType: 'DASHBOARD',
    re: new RegExp(`\\b(?:resume|restart|enable|turn on|switch on|reopen|re-open|unpause|un-pause|re-enable|unblock|retomar|reativar|reabrir)\\b.*\\b${BOOKING_NOUN}`) },
  { id: 'resume_bookings:again', chatType: 'DASHBOARD',
    re: new RegExp(`\\b(?:accept|take|taking|accepting|open)\\b.*\\b${BOOKING_NOUN}.*\\bagain\\b|\\bstart (?:taking|accepting) ${BOOKING_NOUN}`) },
  { id: 'cancel_booking:booking', chatType: 'DASHBOARD', re: new RegExp(`\\b(?:cancel|cancelar|anular)\\b.*\\b${BOOKING_NOUN}`) },
  { id: 'announcement:tell', chatType: 'DASHBOARD',
    re: /\b(?:tell|notify|inform|let|message|send)\b.*\b(?:all (?:our |the )?|every |our )(?:customers|clients|guests|followers)|\beveryone know\b|\bsend (?:an? )?announcement\b|\bpost (?:an? )?(?:update|announcement)\b/ },
];

describe('the rewritten intent rules fire exactly when the original regexes match', () => {
  // Words from every rewritten rule, so that one rule's text also meets the others' words.
  const allWords = [...new Set(ORIGINAL_INTENT_RULES.flatMap((r) => wordsOf(r.re.source)))];

  it.each(ORIGINAL_INTENT_RULES.map((r, i) => [r.id, r, i] as const))('%s', (_id, rule, index) => {
    const own = [...wordsOf(rule.re.source), '@', '.', 'i am', "i'm", 'bob', 'me@x.pt', 'hours', '?', '!'];
    const texts = [
      ...mixes(1000 + index, own, 2500),
      ...mixes(2000 + index, allWords, 1000),
    ];
    let fired = 0;
    for (const text of texts) {
      const expected = rule.re.test(text);
      const { matched } = classifyIntent(text, { chatType: rule.chatType, ...rule.context });
      expect(matched.includes(rule.id), JSON.stringify(text)).toBe(expected);
      if (expected) fired++;
    }
    // Both answers were exercised.
    expect(fired).toBeGreaterThan(50);
    expect(texts.length - fired).toBeGreaterThan(50);
  });
});

// ---------------------------------------------------------------------------
// Entity patterns: the original and the rewrite, which must be what the module compiles.

const N = COUNT;
const NOT_PARTY = `(?!\\s*(?:[:.h]\\d|[ap]\\.?\\s?m\\b|h\\b|o'?clock|hours?\\b|hrs?\\b|minutes?\\b|mins?\\b|days?\\b|weeks?\\b|nights?\\b|months?\\b|years?\\b|euros?\\b|€|%|st\\b|nd\\b|rd\\b|th\\b|[/-]\\d|(?:of\\s+|de\\s+)?(?:${MONTH_RE})\\b))`;
const CLOCK = '(\\d{1,2})(?:[:.h](\\d{2}))?';
const MARKER = '(a\\.?m\\.?|p\\.?m\\.?|h(?![a-z]))';
const CLOCK_WORD = '(noon|midday|meio[- ]dia|midnight|meia[- ]noite)';
const TIME = `(?:${CLOCK}\\s*${MARKER}?|${CLOCK_WORD})`;
const TIME_THEN_SPACES = `(?:${CLOCK}\\s*(?:${MARKER}\\s*)?|${CLOCK_WORD}\\s*)`;
const NON_CAPTURING_TIME = TIME.replace(/\((?!\?)/g, '(?:');

const ENTITY_REWRITES: Array<{ name: string; before: RegExp; after: RegExp; words: string[] }> = [
  {
    name: 'party size "we are N" (party.ts)',
    before: new RegExp(`\\b(?:we\\s*'?\\s*(?:are|re|will be|ll be)|there\\s*'?\\s*(?:are|will be|ll be)|somos|seremos)\\s+${N}\\b(?!\\s*(?:minutes?|mins?|late|years?))${NOT_PARTY}`),
    after: new RegExp(`\\b(?:we\\s*(?:'\\s*)?(?:are|re|will be|ll be)|there\\s*(?:'\\s*)?(?:are|will be|ll be)|somos|seremos)\\s+${N}\\b(?!\\s*(?:minutes?|mins?|late|years?))${NOT_PARTY}`),
    words: ['we', 'there', "'", ' ', '  ', 'are', 're', 'will be', 'll be', 'somos', '4', 'four', '12', 'minutes', 'pm', 'people', 'x', 'late', 'of', 'march', ':30',
      'we are', "we're", "we ' ll be", 'there are', 'we are 4', 'there will be six'],
  },
  {
    name: 'a bare party size (party.ts)',
    before: new RegExp(`^\\s*${N}\\s*(?:please|pls)?\\s*[.!]*\\s*$`),
    after: new RegExp(`^\\s*${N}\\s*(?:(?:please|pls)\\s*)?(?:[.!]+\\s*)?$`),
    words: ['8', 'two', 'um', 'dez', '123', ' ', '  ', 'please', 'pls', '.', '!', '?', 'x', '\t'],
  },
  {
    name: 'a bare number as a time (datetime.ts)',
    before: /^\s*(?:(?:make it|change (?:it )?to|actually|instead|maybe)\s+)?(\d{1,2})(?:[.:](\d{2}))?\s*(?:instead|please|pls|then)?\s*[.!?]*\s*$/g,
    after: /^\s*(?:(?:make it|change (?:it )?to|actually|instead|maybe)\s+)?(\d{1,2})(?:[.:](\d{2}))?\s*(?:(?:instead|please|pls|then)\s*)?(?:[.!?]+\s*)?$/g,
    words: ['8', '12', '7', '30', '.', ':', ' ', '  ', '\t', 'make it', 'change to', 'change it to', 'actually', 'instead', 'maybe', 'please', 'pls', 'then', '!', '?', 'x', '8:30', '7.15'],
  },
  {
    name: 'filler between a date and a time (datetime.ts)',
    before: /^[\s,]*(?:at|on|@|by|around|as|a)?[\s,]*$/,
    after: /^[\s,]*(?:(?:at|on|@|by|around|as|a)[\s,]*)?$/,
    words: [' ', '  ', ',', 'at', 'on', '@', 'by', 'around', 'as', 'a', 'x', '\n', 'the'],
  },
  {
    name: 'an opening-hours range (hours.ts)',
    before: new RegExp(`(?:\\bfrom\\s+|\\bdas\\s+)?\\b${TIME}\\s*(?:-|to|until|till|til|ate|as)\\s*${NON_CAPTURING_TIME}`),
    after: new RegExp(`(?:\\bfrom\\s+|\\bdas\\s+)?\\b${TIME_THEN_SPACES}(?:-|to|until|till|til|ate|as)\\s*${NON_CAPTURING_TIME}`),
    words: ['from', 'das', '9', '18', ':30', '.15', 'h', 'am', 'a.m.', 'pm', 'p.m.', ' ', '  ', '-', 'to', 'until', 'till', 'til', 'ate', 'as', 'noon', 'midnight', 'meio-dia', 'x', 'open'],
  },
];

/** Every match of `re` in `text` (all of them for a global regex, else the first), with its groups. */
function matches(re: RegExp, text: string): unknown[] {
  const all = re.global ? [...text.matchAll(re)] : [re.exec(text)].filter((m) => m !== null);
  return all.map((m) => ({ index: m!.index, groups: [...m!] }));
}

describe('the rewritten entity patterns match what the originals matched', () => {
  it.each(ENTITY_REWRITES.map((r, i) => [r.name, r, i] as const))('%s', (_name, rewrite, index) => {
    expect(ruleSources(), 'the module compiles this rewrite').toContain(rewrite.after.source);
    expect(ruleSources(), 'and no longer the original').not.toContain(rewrite.before.source);
    let hits = 0;
    // Short mixes with little filler too: some of these patterns must match the whole text.
    const texts = [...mixes(3000 + index, rewrite.words, 2000), ...mixes(4000 + index, rewrite.words, 2000, { filler: 0.05, maxWords: 4 })];
    for (const text of texts) {
      const expected = matches(rewrite.before, text);
      expect(matches(rewrite.after, text), JSON.stringify(text)).toEqual(expected);
      if (expected.length > 0) hits++;
    }
    expect(hits).toBeGreaterThan(40);
  });
});

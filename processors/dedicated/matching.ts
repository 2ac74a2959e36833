// Matching the customer's words to the business's own data: a service by its name
// or tags, FAQs by their keywords. Pure, on simplified text (lower case, no accents),
// so "corte e brushing", "Corte E Brushing!" and "córte" all meet.
import { simplify } from '../../src/understanding/text.js';

const STOP = new Set(`a an the and or of to in on at for with is are do does you your i me my we our can could would like want
  have has there it this that what which how when where please book booking appointment reservation get some any
  e o a os as de da do das dos para com um uma`.split(/\s+/));

/** Content words, singular-ish ("cards" → "card"). */
export function words(text: string): string[] {
  return simplify(text).split(' ').filter((w) => w.length > 1 && !STOP.has(w)).map(stem);
}

function stem(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

function containsPhrase(text: string, phrase: string): boolean {
  const p = simplify(phrase);
  if (p === '') return false;
  const re = new RegExp(`(?:^| )${p.split(' ').map((w) => `${w}s?`).join(' ')}(?: |$)`);
  return re.test(simplify(text));
}

export interface NamedItem {
  id: string;
  name: string;
  tags: readonly string[];
}

export interface ItemMatch<T> {
  item: T;
  score: number;
  why: string;
}

/**
 * Items the text names, best first: the whole name (3), a distinctive word of the
 * name (2), a tag (1). Ties are kept, so the caller can ask which one was meant.
 */
export function matchItems<T extends NamedItem>(text: string, items: readonly T[]): ItemMatch<T>[] {
  const said = new Set(words(text));
  const matches: ItemMatch<T>[] = [];
  for (const item of items) {
    if (containsPhrase(text, item.name)) {
      matches.push({ item, score: 3, why: `name "${item.name}"` });
      continue;
    }
    const nameWord = words(item.name).find((w) => w.length >= 4 && said.has(w));
    if (nameWord) {
      matches.push({ item, score: 2, why: `word "${nameWord}" of "${item.name}"` });
      continue;
    }
    const tag = item.tags.find((t) => containsPhrase(text, t));
    if (tag) matches.push({ item, score: 1, why: `tag "${tag}"` });
  }
  return matches.sort((a, b) => b.score - a.score);
}

/** The best items: those sharing the top score. */
export function best<T>(matches: readonly ItemMatch<T>[]): ItemMatch<T>[] {
  const top = matches[0]?.score;
  return top === undefined ? [] : matches.filter((m) => m.score === top);
}

export interface Faq {
  id: string;
  question: string;
  answer: string;
  keywords: readonly string[];
}

/**
 * The FAQ the text asks, or none: a keyword phrase counts 2, a content word shared
 * with the question 1; at least 2 is needed, so one common word is not an answer.
 */
export function matchFaq(text: string, faqs: readonly Faq[]): ItemMatch<Faq> | null {
  const said = new Set(words(text));
  let bestMatch: ItemMatch<Faq> | null = null;
  for (const faq of faqs) {
    const keywords = faq.keywords.filter((k) => containsPhrase(text, k));
    const shared = words(faq.question).filter((w) => said.has(w) && !faq.keywords.some((k) => simplify(k) === w));
    const score = keywords.length * 2 + new Set(shared).size;
    if (score >= 2 && (!bestMatch || score > bestMatch.score)) {
      bestMatch = { item: faq, score, why: [...keywords.map((k) => `keyword "${k}"`), ...shared.map((w) => `word "${w}"`)].join(', ') };
    }
  }
  return bestMatch;
}

/** "€12.50" */
export function price(cents: number, currency: string): string {
  const amount = (cents / 100).toFixed(cents % 100 === 0 ? 0 : 2);
  return currency === 'EUR' ? `€${amount}` : `${amount} ${currency}`;
}

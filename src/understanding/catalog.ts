// Matching chat text against the catalog: business names, categories, places.
//
// Customers misspell, drop accents and articles, and use part of a name ("sakura"
// for "Sushi Sakura Chiado"), so names match on distinctive tokens, with one typo
// allowed in longer words. Generic words ("restaurant", "bar", "the") never match a
// business on their own: they would match half the catalog.
import { CATEGORY_SYNONYMS, CATEGORIES, type Category } from './lexicon.js';
import { editDistanceAtMost, type Folded, simplify, tokens } from './text.js';

export interface CatalogBusiness { id: string; name: string; category: string }
export interface CatalogPlace { name: string; lat: number; lon: number }
export interface Catalog {
  businesses: readonly CatalogBusiness[];
  categories: readonly string[];
  places: readonly CatalogPlace[];
}

// Words that say nothing about which business is meant.
const GENERIC = new Set([
  'the', 'a', 'an', 'o', 'os', 'as', 'da', 'do', 'das', 'dos', 'de', 'e', 'and', 'of', 'in', 'at', 'by', 'n',
  'restaurant', 'restaurante', 'cafe', 'bar', 'salon', 'barber', 'barbershop', 'barbearia', 'clinic', 'clinica',
  'dental', 'dentist', 'gym', 'spa', 'bakery', 'padaria', 'pastelaria', 'studio', 'shop', 'house', 'casa',
  'lisboa', 'lisbon', 'hair', 'beauty', 'center', 'centre', 'club', 'kitchen', 'cozinha', 'taberna', 'tasca',
]);

export interface NameMatch { business: CatalogBusiness; score: number; position: number; rule: string }

/** Businesses named in the text, in the order the text names them. */
export function matchBusinesses(folded: Folded, businesses: readonly CatalogBusiness[]): NameMatch[] {
  const textTokens = tokens(folded.text);
  const words = textTokens.map((t) => t.word);
  // Each distinct word of the text with the index of its first occurrence, in
  // that order: the first text word passing a test of the word alone is the first
  // of these that passes it. A long message repeats its words, and every business
  // looks its name words up, so each distinct word is tested once per name word.
  const firstAt = new Map<string, number>();
  words.forEach((w, i) => { if (!firstAt.has(w)) firstAt.set(w, i); });
  const out: NameMatch[] = [];
  for (const business of businesses) {
    const { nameWords, distinctive } = businessWords(business);
    if (nameWords.length === 0) continue;
    // Whole name, in order: the strongest evidence.
    const at = nameWords.every((w) => firstAt.has(w)) ? findSequence(words, nameWords) : -1;
    if (at >= 0) {
      out.push({ business, score: 1, position: textTokens[at]!.start, rule: 'name-exact' });
      continue;
    }
    // Distinctive tokens, allowing one typo in words of five letters or more.
    if (distinctive.length === 0) continue;
    let hits = 0;
    let position = Infinity;
    let fuzzy = false;
    for (const w of distinctive) {
      let index = firstAt.get(w) ?? -1;
      if (w.length >= 5) {
        for (const [t, i] of firstAt) {
          if (index >= 0 && i >= index) break;
          if (t.length >= 4 && editDistanceAtMost(t, w, 1)) { index = i; break; }
        }
      }
      if (index >= 0) {
        hits++;
        if (words[index] !== w) fuzzy = true;
        position = Math.min(position, textTokens[index]!.start);
      }
    }
    // Short words are too weak on their own: "bom dia!" is a greeting, not "Bom Dia Café"
    // (which still matches when named in full).
    const strong = distinctive.some((w) => w.length >= 4 && firstAt.has(w)) || fuzzy;
    if (!strong) continue;
    const score = Math.round((0.5 + 0.4 * (hits / distinctive.length)) * 100) / 100;
    out.push({ business, score, position, rule: fuzzy ? 'name-fuzzy' : 'name-partial' });
  }
  return out.sort((a, b) => a.position - b.position || b.score - a.score);
}

// A catalog's names are the same for every message (the processors cache the
// catalog object), so each business's and place's words are worked out once, keyed
// by the entry object. The name is stored alongside and compared on every lookup: an
// entry whose name was changed in place is recompiled, never matched stale.
interface BusinessWords { name: string; nameWords: readonly string[]; distinctive: readonly string[] }
const businessWordCache = new WeakMap<CatalogBusiness, BusinessWords>();

function businessWords(business: CatalogBusiness): BusinessWords {
  let compiled = businessWordCache.get(business);
  if (compiled === undefined || compiled.name !== business.name) {
    const nameWords = simplify(business.name).split(' ').filter((w) => w && w !== 'the');
    const distinctive = nameWords.filter((w) => !GENERIC.has(w) && !isCategoryWord(w) && w.length >= 3);
    compiled = { name: business.name, nameWords, distinctive };
    businessWordCache.set(business, compiled);
  }
  return compiled;
}

interface PlaceWords { name: string; words: readonly string[] }
const placeWordCache = new WeakMap<CatalogPlace, PlaceWords>();

function placeWords(place: CatalogPlace): readonly string[] {
  let compiled = placeWordCache.get(place);
  if (compiled === undefined || compiled.name !== place.name) {
    compiled = { name: place.name, words: simplify(place.name).split(' ').filter(Boolean) };
    placeWordCache.set(place, compiled);
  }
  return compiled.words;
}

// "sushi" in "Sushi Sakura" names a kind of food, not the business: "I want sushi" is a search.
const CATEGORY_WORD_RES = CATEGORY_SYNONYMS.map(([source]) => new RegExp(`^(?:${source})$`));
function isCategoryWord(word: string): boolean {
  return CATEGORY_WORD_RES.some((re) => re.test(word));
}

function findSequence(words: readonly string[], seq: readonly string[]): number {
  if (seq.length === 0) return -1;
  outer: for (let i = 0; i + seq.length <= words.length; i++) {
    for (let j = 0; j < seq.length; j++) if (words[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

const ALL_CATEGORIES: ReadonlySet<string> = new Set(CATEGORIES);
const CATEGORY_RES = CATEGORY_SYNONYMS.map(([source, cats]) => [new RegExp(`\\b(?:${source})\\b`, 'g'), cats] as const);

/**
 * Categories the text points at, first mentioned first. With a catalog, only its
 * categories are returned (a synonym for a category the platform lacks is noise).
 */
export function matchCategories(folded: Folded, known?: readonly string[]): { categories: Category[]; words: string[] } {
  const found: Array<{ category: Category; position: number; word: string }> = [];
  for (const [re, cats] of CATEGORY_RES) {
    re.lastIndex = 0;
    for (let m = re.exec(folded.text); m; m = re.exec(folded.text)) {
      for (const category of cats) found.push({ category, position: m.index, word: m[0] });
    }
  }
  // "hair salon" also matches "salon": keep the first position of each category.
  const allowed: ReadonlySet<string> = known?.length ? new Set(known) : ALL_CATEGORIES;
  const seen = new Set<Category>();
  const categories: Category[] = [];
  const words: string[] = [];
  for (const f of found.sort((a, b) => a.position - b.position)) {
    if (seen.has(f.category) || !allowed.has(f.category)) continue;
    seen.add(f.category);
    categories.push(f.category);
    words.push(f.word);
  }
  return { categories, words };
}

/** Catalog places (neighbourhoods) named in the text, accent- and case-insensitive. */
export function matchPlaces(folded: Folded, places: readonly CatalogPlace[]): CatalogPlace[] {
  const words = tokens(folded.text).map((t) => t.word);
  return places
    .map((place) => ({ place, at: findSequence(words, placeWords(place)) }))
    .filter((p) => p.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((p) => p.place);
}

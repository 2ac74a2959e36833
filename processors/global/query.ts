// What a GLOBAL message asks to search for: categories, free keywords, a price
// level, "open now", and the point to measure distances from.
//
// Pure: built from the message text, the understanding's entities and the event's
// location, so the same message always searches the same way.
import type { GeoPoint } from '../../src/events.js';
import type { CatalogPlace, PriceLevel } from '../../src/understanding/index.js';
import { simplify } from '../../src/understanding/text.js';

export interface SearchRequest {
  categories: string[];
  /** Folded words to look for in keywords, names, descriptions and offerings. */
  terms: string[];
  priceLevel: PriceLevel | null;
  /** The words that asked for the price level ("cheap"), quoted back in reasons. */
  priceWord: string | null;
  openNow: boolean;
  /** Where distances are measured from; null: rank by rating. */
  origin: Origin | null;
}

export interface Origin {
  point: GeoPoint;
  /** "you" (the event's location) or a named place ("Chiado"). */
  label: string;
  kind: 'event' | 'place';
}

// Words that carry no subject of their own in a search ("find me a good place near here").
const STOPWORDS = new Set(`
  a an the some any one ones i im me my we our us you your it its is are was be been there here this that these those
  find finding search searching show list looking look see get got want wanted need needs like would could can should
  please pls thanks thank hi hello hey ola
  for to in on at of and or with without from by near nearby close closest nearest around area neighbourhood neighborhood
  what where which who how when whats wheres good great nice best better top rated decent lovely cool
  recommend recommendation recommendations suggest suggestion suggestions ideas idea tips
  place places spot spots somewhere something anywhere go going eat eating
  open now today tonight right currently still late
  compare comparison vs versus between difference tell about info information more details
  price prices priced cheap cheaper cheapest inexpensive budget affordable upscale fancy luxury expensive pricey
  e o os as um uma de do da dos das em no na perto aqui onde quero procuro melhor bom boa
`.split(/\s+/).filter(Boolean));

// The categories' own nouns: the category filter already says them, and as words they
// would match every business of the category ("quiet wine bar" would find every bar).
// Kinds of food ("sushi", "seafood") stay words: they tell businesses of a category apart.
const CATEGORY_NOUNS = new Set(`
  restaurant restaurants restaurante restaurantes eatery cafe cafes coffeeshop bakery bakeries padaria pastelaria
  bar bars pub pubs salon salons barber barbers barbershop barbearia spa spas clinic clinics clinica dentist dentists
  gym gyms ginasio shop shops business businesses
`.split(/\s+/).filter(Boolean));

const PRICE_WORD = /\b(not (?:too |very |that )?(?:expensive|pricey)|cheap(?:est|er)?|inexpensive|budget|affordable|low[- ]cost|mid[- ]?range|moderate(?:ly priced)?|reasonabl[ey](?: priced)?|upscale|fancy|classy|chic|elegant|special occasion|luxury|luxurious|fine dining|high[- ]end|expensive|premium|gourmet|barat[oa]s?)\b/;

const OPEN_NOW = /\b(?:open (?:now|right now|at the moment|currently)|(?:currently|still) open|open\s*(?:\?|$)|aberto agora|abertos agora)\b/;

/** Search words of the message: folded, stopwords, numbers and named businesses' words removed. */
export function searchTerms(text: string, exclude: readonly string[] = []): string[] {
  const excluded = new Set(exclude.flatMap((name) => simplify(name).split(' ')));
  const words = simplify(text).split(' ').filter(Boolean);
  const out: string[] = [];
  for (const word of words) {
    if (word.length < 3 || /^\d+$/.test(word) || STOPWORDS.has(word) || CATEGORY_NOUNS.has(word) || excluded.has(word)) continue;
    const stem = singular(word);
    if (!out.includes(stem)) out.push(stem);
  }
  return out;
}

/**
 * "tascas" → "tasca", "pastries" → "pastrie": the SQL matches a stem followed by an
 * optional "s"/"es", so the singular stem finds both forms; "glass" stays as it is.
 */
export function singular(word: string): string {
  return word.length > 4 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

export interface RequestInput {
  text: string;
  categories: readonly string[];
  priceLevel?: PriceLevel;
  places: readonly CatalogPlace[];
  businessNames?: readonly string[];
  location: GeoPoint | null;
}

export function searchRequest(input: RequestInput): SearchRequest {
  const folded = simplify(input.text);
  const price = PRICE_WORD.exec(folded);
  // A named place ("sushi in Avenidas Novas") is where the person wants to be, which
  // can differ from where they are now; it wins over the event's location. "Chiado"
  // inside "Vinhos do Chiado" names the business, not a place to search around.
  let rest = ` ${folded} `;
  for (const name of input.businessNames ?? []) rest = rest.split(` ${simplify(name)} `).join('  ');
  const place = input.places.find((p) => rest.includes(` ${simplify(p.name)} `));
  const origin: Origin | null = place
    ? { point: { lat: place.lat, lon: place.lon }, label: place.name, kind: 'place' }
    : input.location
      ? { point: input.location, label: 'you', kind: 'event' }
      : null;
  const placeWords = input.places.map((p) => p.name);
  return {
    categories: [...input.categories],
    terms: searchTerms(input.text, [...placeWords, ...(input.businessNames ?? [])]),
    priceLevel: input.priceLevel ?? null,
    priceWord: input.priceLevel ? (price?.[1] ?? null) : null,
    openNow: OPEN_NOW.test(folded) || OPEN_NOW.test(input.text.toLowerCase()),
    origin,
  };
}

/**
 * Whether a business's price level suits the one asked for. "Cheap" (1) and
 * "mid-range" (2) are ceilings; "upscale" (3) and "luxury" (4) are floors of €€€,
 * because few places are €€€€ and someone asking for luxury still wants the fancy ones.
 */
export function priceMatches(level: number, wanted: PriceLevel): boolean {
  return wanted <= 2 ? level <= wanted : level >= 3;
}

export function priceSymbols(level: number): string {
  return '€'.repeat(Math.max(1, Math.min(4, Math.round(level))));
}

/**
 * The businesses a message really names. Understanding also reports partial name
 * matches ("Chiado" in "Vinhos do Chiado" partly matches "Studio Cabelo Chiado").
 * When some businesses are named in full, a partial match is kept only if one of its
 * words is still left in the text once the full names are taken out. With no full
 * name (a typo, a short form), understanding's matches stand as they are.
 */
export function namedBusinesses(text: string, named: ReadonlyArray<{ id: string; name: string }>): string[] {
  const ids = [...new Set(named.map((b) => b.id))];
  let rest = ` ${simplify(text)} `;
  const exact = new Set(named.filter((b) => rest.includes(` ${simplify(b.name)} `)).map((b) => b.id));
  if (exact.size === 0) return ids;
  for (const b of named) if (exact.has(b.id)) rest = rest.split(` ${simplify(b.name)} `).join('  ');
  return ids.filter((id) => {
    if (exact.has(id)) return true;
    const words = simplify(named.find((b) => b.id === id)!.name).split(' ').filter((w) => w.length >= 4);
    return words.some((w) => rest.includes(` ${w} `));
  });
}

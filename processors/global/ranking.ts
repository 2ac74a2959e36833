// Which of the candidate businesses to show, in which order, and why.
//
// Pure: the SQL tools fetch candidates with their facts (distance, open now,
// matched words); everything that decides an answer lives here so it can be tested
// without a database and explained line by line in the reply.
import type { PriceLevel } from '../../src/understanding/index.js';
import { chooseRadius, formatDistance, RADIUS_STEPS_M } from './geo.js';
import { priceMatches, priceSymbols, type SearchRequest } from './query.js';

/** One business as the tools return it for ranking. */
export interface Candidate {
  id: string;
  name: string;
  category: string;
  description: string;
  address: string;
  priceLevel: number;
  /** null: not rated yet. */
  rating: number | null;
  reviewCount: number;
  acceptingBookings: boolean;
  openNow: boolean;
  /** Local closing time of the interval it is open in ("23:00"), when open. */
  openUntil: string | null;
  /** Metres from the request's origin; null when no origin is known. */
  distanceM: number | null;
  /** Request terms this business matched (in keywords, name, description or offerings). */
  matchedTerms: string[];
  /** A dish or service worth naming, with its price. */
  highlight: string | null;
}

export interface Selection {
  results: Candidate[];
  /** Terms that matched nothing at all and were ignored (said in the reply). */
  ignoredTerms: string[];
  /** The radius applied, null when no origin or nothing within the widest radius. */
  radiusM: number | null;
  /** The default radius held nothing, so it was widened (the reply says so). */
  widened: boolean;
  /** The price level asked for could not be met and was dropped (the reply says so). */
  priceRelaxed: boolean;
  /** "Open now" was asked but none was open; the closed ones are shown, labelled. */
  noneOpen: boolean;
  /** How many candidates matched before the limit. */
  total: number;
}

/**
 * Filters and orders candidates for a search:
 * 1. words: keep businesses matching at least one of the request's meaningful terms
 *    (terms no business matches, e.g. "tonight's", are ignored rather than emptying the list);
 * 2. price: keep those at the price asked, unless none is;
 * 3. open now, when asked, unless none is open;
 * 4. distance: within the smallest radius step that holds something;
 * 5. order: the businesses matching more of the words first (a "quiet wine bar" over a
 *    bar that is only quiet); among equals nearest first with an origin, best rated without.
 */
export function selectResults(candidates: readonly Candidate[], request: SearchRequest, limit = 5): Selection {
  const matchedAnywhere = new Set(candidates.flatMap((c) => c.matchedTerms));
  const usefulTerms = request.terms.filter((t) => matchedAnywhere.has(t));
  const ignoredTerms = request.terms.filter((t) => !matchedAnywhere.has(t));
  let pool = usefulTerms.length > 0 ? candidates.filter((c) => c.matchedTerms.some((t) => usefulTerms.includes(t))) : [...candidates];

  let priceRelaxed = false;
  if (request.priceLevel !== null) {
    const wanted = request.priceLevel;
    const priced = pool.filter((c) => priceMatches(c.priceLevel, wanted));
    if (priced.length > 0) pool = priced;
    else priceRelaxed = pool.length > 0;
  }

  let noneOpen = false;
  if (request.openNow) {
    const open = pool.filter((c) => c.openNow);
    if (open.length > 0) pool = open;
    else noneOpen = pool.length > 0;
  }

  let radiusM: number | null = null;
  let widened = false;
  if (request.origin) {
    const choice = chooseRadius(pool.map((c) => c.distanceM ?? Infinity), RADIUS_STEPS_M);
    radiusM = choice.radiusM;
    widened = choice.widened;
    if (choice.radiusM !== null) pool = pool.filter((c) => (c.distanceM ?? Infinity) <= choice.radiusM!);
  }

  const relevance = (c: Candidate) => c.matchedTerms.filter((t) => usefulTerms.includes(t)).length;
  const ordered = [...pool].sort((a, b) =>
    relevance(b) - relevance(a)
    || (request.origin ? (a.distanceM ?? Infinity) - (b.distanceM ?? Infinity) : 0)
    || byRating(a, b));
  return { results: ordered.slice(0, limit), ignoredTerms, radiusM, widened, priceRelaxed, noneOpen, total: ordered.length };
}

/** Best rated first; more reviews break ties (4.6 from 1,200 beats 4.6 from 12); then by name, for stable replies. */
export function byRating(a: Candidate, b: Candidate): number {
  return (b.rating ?? -1) - (a.rating ?? -1) || b.reviewCount - a.reviewCount || a.name.localeCompare(b.name);
}

// ---------------------------------------------------------------------------
// recommendations

export type ReasonKind = 'rating' | 'distance' | 'open' | 'price' | 'match';

export interface Reason {
  kind: ReasonKind;
  /** One short sentence a person reads in the card ("Rated 4.7 from 930 reviews"). */
  text: string;
}

export interface Recommendation {
  candidate: Candidate;
  score: number;
  reasons: Reason[];
}

export interface RecommendOptions {
  request: SearchRequest;
  /** The radius distances are judged against (default: the first radius step). */
  radiusM?: number;
}

// Weights of the score's parts; rating leads because it is what "recommend" asks for,
// distance next because a great place across the river is a worse suggestion.
const WEIGHTS = { rating: 0.45, distance: 0.25, open: 0.15, price: 0.1, match: 0.05 };

/**
 * Scores one candidate and says why. Every part that raised the score is a reason
 * stated in words; a part that did not (closed, far, not at the price) is not
 * claimed as one.
 */
export function recommendation(candidate: Candidate, options: RecommendOptions): Recommendation {
  const { request } = options;
  const radiusM = options.radiusM ?? RADIUS_STEPS_M[0]!;
  const reasons: Reason[] = [];
  let score = 0;

  if (candidate.rating !== null) {
    // A rating from a handful of reviews counts for less (confidence reaches 1 at 200 reviews).
    const confidence = Math.min(1, Math.log10(1 + candidate.reviewCount) / Math.log10(201));
    const quality = Math.max(0, Math.min(1, (candidate.rating - 3.5) / 1.5));
    score += WEIGHTS.rating * quality * confidence;
    reasons.push({ kind: 'rating', text: `Rated ${candidate.rating.toFixed(1)} from ${formatCount(candidate.reviewCount)} reviews` });
  }
  if (request.origin && candidate.distanceM !== null) {
    const closeness = Math.max(0, 1 - candidate.distanceM / radiusM);
    score += WEIGHTS.distance * closeness;
    if (closeness > 0) {
      const from = request.origin.kind === 'event' ? 'from you' : `from ${request.origin.label}`;
      reasons.push({ kind: 'distance', text: `${formatDistance(candidate.distanceM)} ${from}` });
    }
  }
  if (candidate.openNow) {
    score += WEIGHTS.open;
    reasons.push({ kind: 'open', text: candidate.openUntil ? `Open now, until ${candidate.openUntil}` : 'Open now' });
  }
  if (request.priceLevel !== null && priceMatches(candidate.priceLevel, request.priceLevel)) {
    score += WEIGHTS.price;
    const asked = request.priceWord ? `“${request.priceWord}”` : priceLevelName(request.priceLevel);
    reasons.push({ kind: 'price', text: `${priceSymbols(candidate.priceLevel)}, matches ${asked}` });
  }
  const useful = candidate.matchedTerms.filter((t) => request.terms.includes(t));
  if (useful.length > 0) {
    score += WEIGHTS.match * Math.min(1, useful.length / Math.max(1, request.terms.length));
    reasons.push({ kind: 'match', text: `Known for ${useful.join(', ')}` });
  }
  return { candidate, score: Math.round(score * 1000) / 1000, reasons };
}

/** Candidates (already filtered by selectResults) in order of recommendation. */
export function recommend(candidates: readonly Candidate[], options: RecommendOptions, limit = 3): Recommendation[] {
  return candidates
    .map((c) => recommendation(c, options))
    .sort((a, b) => b.score - a.score || byRating(a.candidate, b.candidate))
    .slice(0, limit);
}

export function priceLevelName(level: PriceLevel | number): string {
  return ['', 'cheap', 'mid-range', 'upscale', 'luxury'][level] ?? `level ${level}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-GB');
}

// Words and cards of the GLOBAL replies. Pure: facts in, Reply parts out, so the
// wording is tested without a database and every claim in a reply is a field the
// tools returned.
import type { Card } from '../../src/events.js';
import { formatDistance } from './geo.js';
import { type Origin, priceSymbols, type SearchRequest } from './query.js';
import { type Candidate, formatCount, priceLevelName, type Recommendation, type Selection } from './ranking.js';
import type { BusinessDetails, HoursRow } from './tools.js';

const CATEGORY_PLURAL: Record<string, string> = {
  restaurant: 'restaurants', cafe: 'cafés', bakery: 'bakeries', bar: 'bars', salon: 'salons',
  barber: 'barbers', spa: 'spas', clinic: 'clinics', dentist: 'dentists', gym: 'gyms',
};
const CATEGORY_SINGULAR: Record<string, string> = {
  restaurant: 'Restaurant', cafe: 'Café', bakery: 'Bakery', bar: 'Bar', salon: 'Salon',
  barber: 'Barber', spa: 'Spa', clinic: 'Clinic', dentist: 'Dentist', gym: 'Gym',
};
const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function categoryLabel(category: string): string {
  return CATEGORY_SINGULAR[category] ?? category;
}

export function ratingText(c: Pick<Candidate, 'rating' | 'reviewCount'>): string {
  return c.rating === null ? 'Not rated yet' : `${c.rating.toFixed(1)} ★ (${formatCount(c.reviewCount)} reviews)`;
}

export function openText(c: Pick<Candidate, 'openNow' | 'openUntil'>): string {
  return c.openNow ? (c.openUntil ? `Yes, until ${c.openUntil}` : 'Yes') : 'No';
}

function nearLabel(origin: Origin): string {
  return origin.kind === 'event' ? 'near you' : `near ${origin.label}`;
}

/** What was searched for, as a person would say it: "vegan restaurants near you". */
export function describeRequest(request: SearchRequest, terms: readonly string[]): string {
  const what = request.categories.length > 0
    ? request.categories.map((c) => CATEGORY_PLURAL[c] ?? c).join(' and ')
    : 'places';
  const words = terms.length > 0 ? ` matching “${terms.join(' ')}”` : '';
  const price = request.priceLevel !== null ? `${priceLevelName(request.priceLevel)} ` : '';
  const open = request.openNow ? ' open now' : '';
  const near = request.origin ? ` ${nearLabel(request.origin)}` : '';
  return `${price}${what}${words}${open}${near}`;
}

/** A BUSINESS card: the facts a person scans to choose. */
export function businessCard(c: Candidate, extra: Record<string, string> = {}): Card {
  const fields: Record<string, string> = {
    Category: categoryLabel(c.category),
    Rating: ratingText(c),
    Price: priceSymbols(c.priceLevel),
  };
  if (c.distanceM !== null) fields.Distance = formatDistance(c.distanceM);
  fields['Open now'] = openText(c);
  fields.Address = c.address;
  if (c.highlight) fields.Highlight = c.highlight;
  fields.Bookings = c.acceptingBookings ? 'Accepting bookings' : 'Not taking bookings';
  Object.assign(fields, extra);
  return {
    kind: 'BUSINESS',
    title: c.name,
    subtitle: `${categoryLabel(c.category)} · ${priceSymbols(c.priceLevel)} · ${c.rating === null ? 'not rated' : `${c.rating.toFixed(1)} ★`}`,
    businessId: c.id,
    fields,
  };
}

/** One line per result, for clients that show only text (voice, SMS). */
function resultLine(c: Candidate, index: number): string {
  const parts = [c.rating === null ? 'not rated' : `${c.rating.toFixed(1)}★`, priceSymbols(c.priceLevel)];
  if (c.distanceM !== null) parts.push(formatDistance(c.distanceM));
  parts.push(c.openNow ? (c.openUntil ? `open until ${c.openUntil}` : 'open now') : 'closed now');
  return `${index + 1}. ${c.name} (${parts.join(', ')})`;
}

export interface ReplyParts {
  text: string;
  cards: Card[];
  suggestions: string[];
}

/** Notes the reply owes the reader: every relaxation of what they asked is said, never silent. */
export function selectionNotes(selection: Selection, request: SearchRequest): string[] {
  const notes: string[] = [];
  if (request.origin && selection.widened && selection.radiusM !== null) {
    notes.push(`Nothing within ${formatDistance(3_000)} ${request.origin.kind === 'event' ? 'of you' : `of ${request.origin.label}`}, so I widened the search to ${formatDistance(selection.radiusM)}.`);
  }
  if (request.origin && selection.radiusM === null && selection.results.length > 0) {
    notes.push('Nothing is close by; these are the nearest I know.');
  }
  if (selection.priceRelaxed && request.priceLevel !== null) {
    notes.push(`Nothing ${priceLevelName(request.priceLevel)} matched, so these are at any price.`);
  }
  if (selection.noneOpen) notes.push('None of them is open right now; each card says when it is closed.');
  if (selection.ignoredTerms.length > 0) notes.push(`No business mentions “${selection.ignoredTerms.join(' ')}”, so I left that out.`);
  if (!request.origin) notes.push('Sorted by rating; share your location to see the closest first.');
  return notes;
}

export function searchReply(selection: Selection, request: SearchRequest): ReplyParts {
  const usefulTerms = request.terms.filter((t) => !selection.ignoredTerms.includes(t));
  const described = describeRequest(request, usefulTerms);
  if (selection.results.length === 0) {
    return {
      text: `I found no ${described}.${request.origin ? '' : ' Try another word or a category such as restaurants, cafés, bars, salons or gyms.'}`,
      cards: [],
      suggestions: ['Restaurants near me', 'Cafés open now', 'Best rated bars'],
    };
  }
  const radius = selection.radiusM !== null && !selection.widened ? ` within ${formatDistance(selection.radiusM)}` : '';
  const head = `${selection.total > selection.results.length ? `The top ${selection.results.length} of ${selection.total}` : `${selection.results.length === 1 ? 'One' : `${selection.results.length}`}`} ${described}${radius}:`;
  const lines = selection.results.map(resultLine);
  const notes = selectionNotes(selection, request);
  const [first, second] = selection.results;
  const suggestions: string[] = [];
  if (first && second) suggestions.push(`Compare ${first.name} and ${second.name}`);
  if (first) suggestions.push(`Tell me about ${first.name}`);
  if (!request.openNow) suggestions.push(`Which ${request.categories[0] ? CATEGORY_PLURAL[request.categories[0]] ?? 'places' : 'places'} are open now?`);
  return {
    text: [head, ...lines, ...notes].join('\n'),
    cards: selection.results.map((c) => businessCard(c, c.matchedTerms.length > 0 ? { Matches: c.matchedTerms.join(', ') } : {})),
    suggestions,
  };
}

// ---------------------------------------------------------------------------
// comparison

/** COMPARISON cards share their field names and order, so a client can lay them side by side. */
export function comparisonCard(c: Candidate, originKnown: boolean): Card {
  const fields: Record<string, string> = {
    Category: categoryLabel(c.category),
    Rating: ratingText(c),
    'Price level': `${priceSymbols(c.priceLevel)} (${priceLevelName(c.priceLevel)})`,
  };
  if (originKnown) fields.Distance = c.distanceM === null ? 'Unknown' : formatDistance(c.distanceM);
  fields['Open now'] = openText(c);
  fields.Highlight = c.highlight ?? 'None listed';
  fields.Bookings = c.acceptingBookings ? 'Accepting bookings' : 'Not taking bookings';
  return { kind: 'COMPARISON', title: c.name, subtitle: categoryLabel(c.category), businessId: c.id, fields };
}

/** Who wins on each count, said plainly; ties name every winner. */
export function comparisonSummary(items: readonly Candidate[], originKnown: boolean): string[] {
  const lines: string[] = [];
  const names = (xs: readonly Candidate[]) => joinNames(xs.map((x) => x.name));
  const rated = items.filter((c) => c.rating !== null);
  if (rated.length > 0) {
    const best = Math.max(...rated.map((c) => c.rating!));
    lines.push(`Best rated: ${names(rated.filter((c) => c.rating === best))} (${best.toFixed(1)}).`);
  }
  const cheapest = Math.min(...items.map((c) => c.priceLevel));
  if (items.some((c) => c.priceLevel !== cheapest)) {
    lines.push(`Cheapest: ${names(items.filter((c) => c.priceLevel === cheapest))} (${priceSymbols(cheapest)}).`);
  } else {
    lines.push(`Same price level: ${priceSymbols(cheapest)}.`);
  }
  if (originKnown) {
    const located = items.filter((c) => c.distanceM !== null);
    if (located.length > 0) {
      const nearest = located.reduce((a, b) => (b.distanceM! < a.distanceM! ? b : a));
      lines.push(`Closest: ${nearest.name} (${formatDistance(nearest.distanceM!)}).`);
    }
  }
  const open = items.filter((c) => c.openNow);
  lines.push(open.length === 0 ? 'None is open right now.' : open.length === items.length ? 'All are open now.' : `Open now: ${names(open)}.`);
  return lines;
}

export function comparisonReply(items: readonly Candidate[], originKnown: boolean, dropped: readonly string[]): ReplyParts {
  const head = `${joinNames(items.map((c) => c.name))}, side by side:`;
  const notes = dropped.length > 0 ? [`I compare up to 4 at a time, so I left out ${joinNames(dropped)}.`] : [];
  return {
    text: [head, ...comparisonSummary(items, originKnown), ...notes].join('\n'),
    cards: items.map((c) => comparisonCard(c, originKnown)),
    suggestions: items.slice(0, 2).map((c) => `Tell me about ${c.name}`),
  };
}

// ---------------------------------------------------------------------------
// recommendations

export function recommendationCard(r: Recommendation): Card {
  const c = r.candidate;
  const fields: Record<string, string> = { Why: r.reasons.map((x) => x.text).join(' · ') };
  for (const reason of r.reasons) {
    const label = { rating: 'Rating', distance: 'Distance', open: 'Open now', price: 'Price', match: 'Known for' }[reason.kind];
    fields[label] = reason.text;
  }
  // Facts that are not reasons still help to decide; they never claim to be one.
  if (!('Rating' in fields)) fields.Rating = ratingText(c);
  if (!('Price' in fields)) fields.Price = priceSymbols(c.priceLevel);
  if (!('Distance' in fields) && c.distanceM !== null) fields.Distance = formatDistance(c.distanceM);
  if (!('Open now' in fields)) fields['Open now'] = openText(c);
  if (c.highlight) fields['Try'] = c.highlight;
  fields.Address = c.address;
  return {
    kind: 'BUSINESS',
    title: c.name,
    subtitle: `${categoryLabel(c.category)} · ${priceSymbols(c.priceLevel)} · ${c.rating === null ? 'not rated' : `${c.rating.toFixed(1)} ★`}`,
    businessId: c.id,
    fields,
  };
}

export function recommendationReply(recs: readonly Recommendation[], selection: Selection, request: SearchRequest): ReplyParts {
  const described = describeRequest(request, request.terms.filter((t) => !selection.ignoredTerms.includes(t)));
  if (recs.length === 0) {
    return { text: `I have nothing to recommend for ${described}.`, cards: [], suggestions: ['Best rated restaurants', 'Cafés open now'] };
  }
  const lines = recs.map((r, i) => `${i + 1}. ${r.candidate.name}: ${r.reasons.map((x) => lowerFirst(x.text)).join(', ')}.`);
  const notes = selectionNotes(selection, request).filter((n) => !n.startsWith('Sorted by rating'));
  if (!request.origin) notes.push('Share your location and I will weigh distance too.');
  const [first, second] = recs;
  const suggestions: string[] = [];
  if (first && second) suggestions.push(`Compare ${first.candidate.name} and ${second.candidate.name}`);
  if (first) suggestions.push(`Tell me about ${first.candidate.name}`);
  return {
    text: [`My recommendation${recs.length > 1 ? 's' : ''} for ${described}:`, ...lines, ...notes].join('\n'),
    cards: recs.map(recommendationCard),
    suggestions,
  };
}

// ---------------------------------------------------------------------------
// one business

export function hoursOfDay(hours: readonly HoursRow[], isoWeekday: number): string {
  const today = hours.filter((h) => h.weekday === isoWeekday);
  if (today.length === 0) return 'Closed';
  return today.map((h) => `${h.opens}–${h.closes === '00:00' || h.closes === '24:00' ? '24:00' : h.closes}`).join(', ');
}

export function weeklyHours(hours: readonly HoursRow[]): string {
  return [1, 2, 3, 4, 5, 6, 7].map((d) => `${WEEKDAY_NAMES[d]!.slice(0, 3)} ${hoursOfDay(hours, d)}`).join('; ');
}

export interface InfoAsked {
  /** The question named words (FAQs were looked up by them): quote the answers. */
  faqTerms: readonly string[];
  /** The question was about opening hours: give the whole week. */
  hours: boolean;
}

export function businessInfoReply(c: Candidate, details: BusinessDetails, isoWeekday: number, asked: InfoAsked): ReplyParts {
  const extra: Record<string, string> = {};
  if (details.phone) extra.Phone = details.phone;
  extra['Hours today'] = hoursOfDay(details.hours, isoWeekday);
  if (details.offerings.length > 0) {
    extra.Popular = details.offerings.slice(0, 3).map((o) => `${o.name} (€${(o.priceCents / 100).toFixed(o.priceCents % 100 === 0 ? 0 : 2)})`).join(', ');
  }
  const card = businessCard(c, extra);
  const lines = [
    `${c.name}: ${lowerFirst(categoryLabel(c.category))} at ${c.address}. ${c.description}`,
    `${ratingText(c)}, ${priceSymbols(c.priceLevel)}. ${c.openNow ? `Open now${c.openUntil ? `, until ${c.openUntil}` : ''}` : 'Closed right now'}; today ${hoursOfDay(details.hours, isoWeekday)}.`,
  ];
  if (c.distanceM !== null) lines.push(`It is ${formatDistance(c.distanceM)} away.`);
  // Answers to what was asked ("parking?") come from the business's own FAQ, quoted.
  const answered = asked.faqTerms.length > 0 ? details.faqs : [];
  for (const faq of answered.slice(0, 2)) lines.push(`${faq.question} ${faq.answer}`);
  if (asked.hours) lines.push(`Opening hours: ${weeklyHours(details.hours)}.`);
  const plural = CATEGORY_PLURAL[c.category] ?? 'places';
  const suggestions = [`Best rated ${plural} near me`, `Which ${plural} are open now?`];
  return { text: lines.join('\n'), cards: [card], suggestions };
}

export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

// The GLOBAL chat's pure logic: distances, the search radius, what a message asks
// to search for, which results to show in which order, and the reasons a
// recommendation gives.
import { describe, expect, it } from 'vitest';
import { chooseRadius, formatDistance, haversineMeters } from '../../processors/global/geo.js';
import { namedBusinesses, priceMatches, searchRequest, searchTerms, singular, type SearchRequest } from '../../processors/global/query.js';
import { type Candidate, recommend, recommendation, selectResults } from '../../processors/global/ranking.js';
import { comparisonSummary, searchReply, selectionNotes } from '../../processors/global/replies.js';

const CHIADO = { lat: 38.7106, lon: -9.142 };
const BELEM = { lat: 38.6975, lon: -9.206 };

function candidate(over: Partial<Candidate> & { id: string }): Candidate {
  return {
    name: over.id, category: 'restaurant', description: '', address: 'Rua 1', priceLevel: 2, rating: 4.5, reviewCount: 500,
    acceptingBookings: true, openNow: true, openUntil: '23:00', distanceM: null, matchedTerms: [], highlight: null, ...over,
  };
}

function request(over: Partial<SearchRequest> = {}): SearchRequest {
  return { categories: [], terms: [], priceLevel: null, priceWord: null, openNow: false, origin: null, ...over };
}

describe('geo', () => {
  it('measures Chiado to Belém as about 5.7 km', () => {
    const d = haversineMeters(CHIADO, BELEM);
    expect(d).toBeGreaterThan(5_500);
    expect(d).toBeLessThan(5_900);
    expect(haversineMeters(CHIADO, CHIADO)).toBe(0);
  });

  it('formats distances the way people read them', () => {
    expect(formatDistance(348)).toBe('350 m');
    expect(formatDistance(1_234)).toBe('1.2 km');
    expect(formatDistance(14_400)).toBe('14 km');
  });

  it('keeps the default radius when something is within it, and widens (saying so) when nothing is', () => {
    expect(chooseRadius([800, 5_000])).toEqual({ radiusM: 3_000, widened: false });
    expect(chooseRadius([4_000, 9_000])).toEqual({ radiusM: 6_000, widened: true });
    expect(chooseRadius([20_000])).toEqual({ radiusM: 25_000, widened: true });
    expect(chooseRadius([90_000])).toEqual({ radiusM: null, widened: true });
    expect(chooseRadius([])).toEqual({ radiusM: null, widened: true });
  });
});

describe('what a message searches for', () => {
  it('keeps the subject words, folded and singular, without filler, prices or numbers', () => {
    expect(searchTerms('Find me some cheap Tascas near here for 4!')).toEqual(['tasca']);
    expect(searchTerms('Pastéis de nata open now?')).toEqual(['pastei', 'nata']);
    // "bar" is the category (filtered on), not a word that tells bars apart.
    expect(searchTerms('quiet wine bar in Chiado', ['Chiado'])).toEqual(['quiet', 'wine']);
    expect(singular('glass')).toBe('glass');
  });

  it('measures from a named place before the event location, and from nowhere without either', () => {
    const place = { name: 'Belém', lat: BELEM.lat, lon: BELEM.lon };
    const fromPlace = searchRequest({ text: 'sushi in Belém', categories: ['restaurant'], places: [place], location: CHIADO });
    expect(fromPlace.origin).toEqual({ point: BELEM, label: 'Belém', kind: 'place' });
    expect(fromPlace.terms).toEqual(['sushi']);
    expect(searchRequest({ text: 'sushi', categories: [], places: [], location: CHIADO }).origin).toEqual({ point: CHIADO, label: 'you', kind: 'event' });
    expect(searchRequest({ text: 'sushi', categories: [], places: [], location: null }).origin).toBeNull();
    // "Chiado" in a business's name is not a place to search around.
    const chiado = { name: 'Chiado', ...CHIADO };
    expect(searchRequest({ text: 'Vinhos do Chiado vs Café Garrett', categories: [], places: [chiado], businessNames: ['Vinhos do Chiado', 'Café Garrett'], location: BELEM }).origin?.kind).toBe('event');
    expect(searchRequest({ text: 'wine bars in Chiado', categories: [], places: [chiado], location: BELEM }).origin?.label).toBe('Chiado');
  });

  it('reads "open now" and quotes the price word', () => {
    const r = searchRequest({ text: 'Any cheap cafés open now?', categories: ['cafe'], priceLevel: 1, places: [], location: null });
    expect(r.openNow).toBe(true);
    expect(r.priceLevel).toBe(1);
    expect(r.priceWord).toBe('cheap');
    expect(searchRequest({ text: 'cafés that open early', categories: ['cafe'], places: [], location: null }).openNow).toBe(false);
  });

  it('drops partial name matches whose words belong to a business named in full', () => {
    const named = [
      { id: 'vinhos', name: 'Vinhos do Chiado' },
      { id: 'studio', name: 'Studio Cabelo Chiado' },
      { id: 'terraco', name: 'Terraço Santa Luzia' },
    ];
    expect(namedBusinesses('Compare Vinhos do Chiado and Terraço Santa Luzia', named)).toEqual(['vinhos', 'terraco']);
    expect(namedBusinesses('Vinhos do Chiado vs the Chiado studio', named)).toEqual(['vinhos', 'studio']);
    // No full name (a typo or a short form): understanding's matches stand.
    expect(namedBusinesses('vinhos or terraco?', named.slice(0, 1).concat(named.slice(2)))).toEqual(['vinhos', 'terraco']);
  });

  it('treats cheap and mid-range as ceilings, upscale and luxury as floors', () => {
    expect(priceMatches(1, 1)).toBe(true);
    expect(priceMatches(2, 1)).toBe(false);
    expect(priceMatches(2, 2)).toBe(true);
    expect(priceMatches(3, 3)).toBe(true);
    expect(priceMatches(4, 3)).toBe(true);
    expect(priceMatches(3, 4)).toBe(true);
    expect(priceMatches(2, 4)).toBe(false);
  });
});

describe('selecting results', () => {
  const near = candidate({ id: 'near', rating: 4.1, distanceM: 400, matchedTerms: ['sushi'] });
  const far = candidate({ id: 'far', rating: 4.9, distanceM: 2_500, matchedTerms: ['sushi'] });
  const other = candidate({ id: 'other', rating: 5, distanceM: 100, matchedTerms: [] });
  const origin = { point: CHIADO, label: 'you', kind: 'event' as const };

  it('keeps only businesses matching a meaningful word, nearest first with a location', () => {
    const s = selectResults([far, other, near], request({ terms: ['sushi'], origin }));
    expect(s.results.map((c) => c.id)).toEqual(['near', 'far']);
    expect(s.radiusM).toBe(3_000);
    expect(s.widened).toBe(false);
  });

  it('puts the businesses matching more of the words first, then the nearest', () => {
    const both = candidate({ id: 'both', distanceM: 900, matchedTerms: ['quiet', 'wine'] });
    const one = candidate({ id: 'one', distanceM: 100, matchedTerms: ['wine'] });
    const alsoOne = candidate({ id: 'also-one', distanceM: 50, matchedTerms: ['quiet'] });
    const s = selectResults([one, both, alsoOne], request({ terms: ['quiet', 'wine'], origin }));
    expect(s.results.map((c) => c.id)).toEqual(['both', 'also-one', 'one']);
  });

  it('orders by rating without a location', () => {
    const s = selectResults([near, far], request({ terms: ['sushi'] }));
    expect(s.results.map((c) => c.id)).toEqual(['far', 'near']);
    expect(selectionNotes(s, request())).toContain('Sorted by rating; share your location to see the closest first.');
  });

  it('ignores words no business mentions instead of returning nothing, and says so', () => {
    const s = selectResults([near, far], request({ terms: ['sushi', 'tonite'] }));
    expect(s.results).toHaveLength(2);
    expect(s.ignoredTerms).toEqual(['tonite']);
  });

  it('widens the radius when nothing is within 3 km and the reply says so', () => {
    const a = candidate({ id: 'a', distanceM: 4_200 });
    const b = candidate({ id: 'b', distanceM: 11_000 });
    const req = request({ origin });
    const s = selectResults([a, b], req);
    expect(s.results.map((c) => c.id)).toEqual(['a']);
    expect(s.radiusM).toBe(6_000);
    expect(s.widened).toBe(true);
    expect(searchReply(s, req).text).toContain('Nothing within 3 km of you, so I widened the search to 6 km.');
  });

  it('filters by price unless nothing is at that price, and by open now unless nothing is open', () => {
    const cheap = candidate({ id: 'cheap', priceLevel: 1, openNow: false });
    const dear = candidate({ id: 'dear', priceLevel: 3, openNow: true });
    expect(selectResults([cheap, dear], request({ priceLevel: 1 })).results.map((c) => c.id)).toEqual(['cheap']);
    const relaxed = selectResults([dear], request({ priceLevel: 1 }));
    expect(relaxed.priceRelaxed).toBe(true);
    expect(relaxed.results.map((c) => c.id)).toEqual(['dear']);
    expect(selectResults([cheap, dear], request({ openNow: true })).results.map((c) => c.id)).toEqual(['dear']);
    const noneOpen = selectResults([cheap], request({ openNow: true }));
    expect(noneOpen.noneOpen).toBe(true);
    expect(noneOpen.results).toHaveLength(1);
  });
});

describe('recommendations', () => {
  const origin = { point: CHIADO, label: 'you', kind: 'event' as const };

  it('states every reason that raised the score, and none that did not', () => {
    const r = recommendation(
      candidate({ id: 'x', name: 'Tasca X', rating: 4.7, reviewCount: 930, distanceM: 650, openNow: true, openUntil: '23:00', priceLevel: 1, matchedTerms: ['tasca'] }),
      { request: request({ origin, priceLevel: 1, priceWord: 'cheap', terms: ['tasca'] }) },
    );
    expect(r.reasons.map((x) => x.text)).toEqual([
      'Rated 4.7 from 930 reviews',
      '650 m from you',
      'Open now, until 23:00',
      '€, matches “cheap”',
      'Known for tasca',
    ]);
    const closed = recommendation(candidate({ id: 'y', openNow: false, priceLevel: 3, distanceM: 5_000 }), { request: request({ origin, priceLevel: 1, priceWord: 'cheap' }) });
    expect(closed.reasons.map((x) => x.kind)).toEqual(['rating']);
  });

  it('prefers the well rated, near and open over the merely well rated', () => {
    const good = candidate({ id: 'good', rating: 4.6, distanceM: 300, openNow: true });
    const better = candidate({ id: 'better', rating: 4.8, distanceM: 2_900, openNow: false });
    const [first] = recommend([better, good], { request: request({ origin }) }, 2);
    expect(first!.candidate.id).toBe('good');
  });

  it('trusts a rating from many reviews more than the same from a few', () => {
    const many = recommendation(candidate({ id: 'many', rating: 4.8, reviewCount: 1_000 }), { request: request() });
    const few = recommendation(candidate({ id: 'few', rating: 4.8, reviewCount: 3 }), { request: request() });
    expect(many.score).toBeGreaterThan(few.score);
  });
});

describe('comparison summary', () => {
  it('names the winner on each count and every winner of a tie', () => {
    const a = candidate({ id: 'a', name: 'A', rating: 4.6, priceLevel: 2, distanceM: 900, openNow: true });
    const b = candidate({ id: 'b', name: 'B', rating: 4.6, priceLevel: 3, distanceM: 300, openNow: false });
    expect(comparisonSummary([a, b], true)).toEqual([
      'Best rated: A and B (4.6).',
      'Cheapest: A (€€).',
      'Closest: B (300 m).',
      'Open now: A.',
    ]);
    expect(comparisonSummary([a, b], false)).not.toContain('Closest: B (300 m).');
  });
});

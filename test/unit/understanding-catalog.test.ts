import { describe, expect, it } from 'vitest';
import {
  type Catalog, type CatalogBusiness, type CatalogPlace, matchBusinesses, matchCategories, matchPlaces,
} from '../../src/understanding/catalog.js';
import { understand } from '../../src/understanding/index.js';
import { fold } from '../../src/understanding/text.js';

// Catalog matching remembers each business's and place's words between messages.
// These tests pin that the memory never shows: the same catalog twice gives the same
// answers, and a changed catalog (a new object, or an entry edited in place) is
// matched as it is now.

const NOW = new Date('2026-11-25T15:00:00Z');

function lisbon(): Catalog {
  const names: Array<[string, string]> = [
    ['Sushi Sakura Chiado', 'restaurant'], ['Tasca do Chico', 'restaurant'], ['Cervejaria Ramiro', 'restaurant'],
    ['Time Out Market', 'restaurant'], ['A Cevicheria', 'restaurant'], ['Ponto Final', 'restaurant'],
    ['Café A Brasileira', 'cafe'], ['Café Nicola', 'cafe'], ['Fábrica Coffee Roasters', 'cafe'], ['Bom Dia Café', 'cafe'],
    ['Pastéis de Belém', 'bakery'], ['Manteigaria', 'bakery'], ['The Barber of Alfama', 'barber'], ['Figaro’s Barbershop', 'barber'],
    ['Clínica Dentária Sorriso', 'dentist'], ['Holmes Place Avenida', 'gym'], ['Joe’s Gym', 'gym'], ['Red Frog Speakeasy', 'bar'],
    ['Pavilhão Chinês', 'bar'], ['Hammam Lisboa Spa', 'spa'],
  ];
  return {
    businesses: names.map(([name, category], i) => ({ id: `b${i + 1}`, name, category })),
    categories: ['restaurant', 'cafe', 'salon', 'barber', 'clinic', 'dentist', 'gym', 'bakery', 'bar', 'spa'],
    places: [
      { name: 'Alfama', lat: 38.7118, lon: -9.13 }, { name: 'Bairro Alto', lat: 38.713, lon: -9.146 },
      { name: 'Príncipe Real', lat: 38.7166, lon: -9.1488 }, { name: 'Belém', lat: 38.697, lon: -9.206 },
      { name: 'Cais do Sodré', lat: 38.7061, lon: -9.1446 },
    ],
  };
}

const names = (text: string, businesses: readonly CatalogBusiness[]) =>
  matchBusinesses(fold(text), businesses).map((m) => [m.business.id, m.rule, m.score]);
const placeNames = (text: string, places: readonly CatalogPlace[]) => matchPlaces(fold(text), places).map((p) => p.name);

const MESSAGES: Array<[string, Array<[string, string, number]>]> = [
  ['Compare Cervejaria Ramiro vs Ponto Final', [['b3', 'name-exact', 1], ['b6', 'name-exact', 1]]],
  ['is sakura open tonight?', [['b1', 'name-partial', 0.7]]],
  ['how about cervejaria ramiru', [['b3', 'name-fuzzy', 0.9]]],
  ['tell me about pasteis de belem', [['b11', 'name-exact', 1]]],
  ['“Joe’s Gym” hours?', [['b17', 'name-exact', 1]]],
  ['figaros barbershop or the barber of alfama', [['b14', 'name-exact', 1], ['b13', 'name-exact', 1]]],
  ['bom dia!', []],
  ['I want sushi', []],
];

describe('catalog matching with the same catalog, message after message', () => {
  it.each(MESSAGES)('%s', (text, expected) => {
    const catalog = lisbon();
    const first = names(text, catalog.businesses);
    expect(first).toEqual(expected);
    // Again, and after other messages went through the same catalog.
    for (const [other] of MESSAGES) names(other, catalog.businesses);
    expect(names(text, catalog.businesses)).toEqual(first);
  });

  it('places, twice', () => {
    const { places } = lisbon();
    expect(placeNames('a bar in bairro alto or in Príncipe Real, near Cais do Sodre', places)).toEqual(['Bairro Alto', 'Príncipe Real', 'Cais do Sodré']);
    expect(placeNames('a bar in bairro alto or in Príncipe Real, near Cais do Sodre', places)).toEqual(['Bairro Alto', 'Príncipe Real', 'Cais do Sodré']);
    expect(placeNames('somewhere in belem', places)).toEqual(['Belém']);
  });

  it('understand() gives the same answer each time', () => {
    const catalog = lisbon();
    const context = { chatType: 'GLOBAL' as const, now: NOW, timeZone: 'Europe/Lisbon', catalog };
    const first = understand('Compare Cervejaria Ramiro vs Ponto Final in Cais do Sodré', context);
    expect(first.entities.businessIds).toEqual(['b3', 'b6']);
    expect(first.entities.places.map((p) => p.name)).toEqual(['Cais do Sodré']);
    expect(understand('Compare Cervejaria Ramiro vs Ponto Final in Cais do Sodré', context)).toEqual(first);
  });
});

describe('catalog matching after the catalog changes: nothing stale', () => {
  it('a new catalog object with a new business matches the new business', () => {
    const before = lisbon();
    expect(names('dinner at Belcanto?', before.businesses)).toEqual([]);
    const after = lisbon();
    after.businesses = [...after.businesses, { id: 'b99', name: 'Belcanto', category: 'restaurant' }];
    expect(names('dinner at Belcanto?', after.businesses)).toEqual([['b99', 'name-exact', 1]]);
    // The old catalog is unchanged.
    expect(names('dinner at Belcanto?', before.businesses)).toEqual([]);
  });

  it('the same business objects in a new array with one more business', () => {
    const catalog = lisbon();
    expect(names('Belcanto or Ramiro?', catalog.businesses)).toEqual([['b3', 'name-partial', 0.7]]);
    const more = [...catalog.businesses, { id: 'b99', name: 'Belcanto', category: 'restaurant' }];
    expect(names('Belcanto or Ramiro?', more)).toEqual([['b99', 'name-exact', 1], ['b3', 'name-partial', 0.7]]);
  });

  it('a business pushed onto the same array', () => {
    const businesses: CatalogBusiness[] = [...lisbon().businesses];
    expect(names('Belcanto or Ramiro?', businesses)).toEqual([['b3', 'name-partial', 0.7]]);
    businesses.push({ id: 'b99', name: 'Belcanto', category: 'restaurant' });
    expect(names('Belcanto or Ramiro?', businesses)).toEqual([['b99', 'name-exact', 1], ['b3', 'name-partial', 0.7]]);
  });

  it('a business or place renamed in place is matched by its new name only', () => {
    const business: CatalogBusiness = { id: 'b1', name: 'Sushi Sakura', category: 'restaurant' };
    const place: CatalogPlace = { name: 'Alfama', lat: 0, lon: 0 };
    expect(names('sakura tonight', [business])).toEqual([['b1', 'name-partial', 0.9]]);
    expect(placeNames('in alfama', [place])).toEqual(['Alfama']);
    business.name = 'Ramen Kanpai';
    place.name = 'Graça';
    expect(names('sakura tonight', [business])).toEqual([]);
    expect(names('kanpai tonight', [business])).toEqual([['b1', 'name-partial', 0.9]]);
    expect(placeNames('in alfama', [place])).toEqual([]);
    expect(placeNames('in graca', [place])).toEqual(['Graça']);
  });

  it('understand() with a new catalog object sees the new business and place', () => {
    const context = { chatType: 'GLOBAL' as const, now: NOW, timeZone: 'Europe/Lisbon' };
    const old = lisbon();
    expect(understand('is Belcanto in Campo de Ourique any good?', { ...context, catalog: old }).entities).toMatchObject({ businessIds: [], places: [] });
    const fresh = lisbon();
    fresh.businesses = [...fresh.businesses, { id: 'b99', name: 'Belcanto', category: 'restaurant' }];
    fresh.places = [...fresh.places, { name: 'Campo de Ourique', lat: 38.718, lon: -9.167 }];
    const found = understand('is Belcanto in Campo de Ourique any good?', { ...context, catalog: fresh }).entities;
    expect(found.businessIds).toEqual(['b99']);
    expect(found.places.map((p) => p.name)).toEqual(['Campo de Ourique']);
  });
});

describe('categories', () => {
  it('without a catalog (or with an empty category list) every platform category is allowed', () => {
    const text = fold('a haircut, then sushi and a massage');
    expect(matchCategories(text)).toEqual({ categories: ['salon', 'barber', 'restaurant', 'spa'], words: ['haircut', 'haircut', 'sushi', 'massage'] });
    expect(matchCategories(text, [])).toEqual(matchCategories(text));
  });

  it('a catalog restricts them, call after call', () => {
    const text = fold('a haircut, then sushi and a massage');
    expect(matchCategories(text, ['barber', 'spa'])).toEqual({ categories: ['barber', 'spa'], words: ['haircut', 'massage'] });
    expect(matchCategories(text, ['restaurant'])).toEqual({ categories: ['restaurant'], words: ['sushi'] });
    expect(matchCategories(text, ['barber', 'spa'])).toEqual({ categories: ['barber', 'spa'], words: ['haircut', 'massage'] });
  });
});

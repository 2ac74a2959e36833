// The GLOBAL agents and their SQL tools over the seeded Lisbon catalogue: answers name
// real businesses, change with the event's location, compare named places side by
// side and recommend with reasons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessInfoAgent, comparisonAgent, discoveryAgent, recommendationAgent } from '../../processors/global/agents.js';
import { findCandidates } from '../../processors/global/tools.js';
import { poolDb } from '../../processors/shared/tools.js';
import { agentRunner } from '../support/agents.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// Points in the city: where the phone is when the message is sent.
const ALFAMA = { lat: 38.7114, lon: -9.1295 };
const BELEM = { lat: 38.6972, lon: -9.2063 };
const PARQUE_DAS_NACOES = { lat: 38.7678, lon: -9.0972 };
const ATLANTIC = { lat: 38.60, lon: -9.60 }; // at sea, ~40 km west: nothing is near
// A Thursday at 13:00 in Lisbon (winter, UTC+0): restaurants serve lunch, bars are closed.
const THURSDAY_LUNCH = new Date('2026-11-26T13:00:00Z');

describe('GLOBAL agents over the seed data', () => {
  let db: TestDatabase;
  let ask: ReturnType<typeof agentRunner>;

  beforeAll(async () => {
    db = await createTestDatabase({ seed: true, label: 'global' });
    ask = agentRunner(db.pool, db.url);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const titles = (cards: Array<{ title: string }> | undefined) => (cards ?? []).map((c) => c.title);

  it('finds the nearest restaurants: the answer changes with where the message comes from', async () => {
    const fromAlfama = await ask(discoveryAgent, { chatType: 'GLOBAL', text: 'restaurants near me', location: ALFAMA, now: THURSDAY_LUNCH });
    const fromBelem = await ask(discoveryAgent, { chatType: 'GLOBAL', text: 'restaurants near me', location: BELEM, now: THURSDAY_LUNCH });
    expect(fromAlfama.result?.outcome).toBe('ANSWERED');
    expect(titles(fromAlfama.result?.cards)[0]).toBe('Taberna do Largo');
    expect(titles(fromBelem.result?.cards)[0]).toBe('Sal e Brasa');
    expect(fromBelem.result?.text).toContain('Sal e Brasa');
    expect(fromAlfama.result?.text).toMatch(/restaurants near you within 3 km/);
    // Distances are in the cards and grow down the list.
    const distances = (fromAlfama.result?.cards ?? []).map((c) => c.fields.Distance);
    expect(distances.every((d) => /\d( m| km)$/.test(d ?? ''))).toBe(true);
  });

  it('searches keywords, offerings and names, and says when it had to widen the radius', async () => {
    const sushi = await ask(discoveryAgent, { chatType: 'GLOBAL', text: 'sushi near me', location: PARQUE_DAS_NACOES, now: THURSDAY_LUNCH });
    expect(titles(sushi.result?.cards)).toEqual(['Sushi do Tejo']);
    expect(sushi.result?.text).toMatch(/Nothing within 3 km of you, so I widened the search to 6 km\./);

    const nata = await ask(discoveryAgent, { chatType: 'GLOBAL', text: 'where can I get pastel de nata?', location: BELEM, now: THURSDAY_LUNCH });
    expect(titles(nata.result?.cards)[0]).toBe('Pastéis Dourados de Belém');
    expect(nata.result?.cards?.[0]?.fields.Highlight).toMatch(/^Pastel de nata/);

    const farAway = await ask(discoveryAgent, { chatType: 'GLOBAL', text: 'gyms near me', location: ATLANTIC, now: THURSDAY_LUNCH });
    expect(farAway.result?.text).toContain('these are the nearest I know');
  });

  it('without a location ranks by rating and says how to get distances', async () => {
    const r = await ask(discoveryAgent, { chatType: 'GLOBAL', text: 'find a cafe', now: THURSDAY_LUNCH });
    expect(titles(r.result?.cards)[0]).toBe('Torra Café de Especialidade'); // 4.7, the best rated café
    expect(r.result?.text).toContain('share your location');
    expect(r.result?.cards?.[0]?.fields.Distance).toBeUndefined();
  });

  it('finds a business by an offering as soon as it is added, and no longer once it is unavailable', async () => {
    const tool = poolDb(db.pool, db.url);
    const search = async () => (await findCandidates(tool, { terms: ['okonomiyaki'], at: THURSDAY_LUNCH })).map((c) => c.id);
    expect(await search()).toEqual([]);
    await db.pool.query(
      `insert into offerings (business_id, kind, name, description, price_cents) values ('lis-sushi-do-tejo', 'menu_item', 'Okonomiyaki', 'Osaka pancake', 1200)`,
    );
    try {
      expect(await search()).toEqual(['lis-sushi-do-tejo']);
      await db.pool.query(`update offerings set available = false where business_id = 'lis-sushi-do-tejo' and name = 'Okonomiyaki'`);
      expect(await search()).toEqual([]);
      // Accents are folded on write as on search: "Pastéis" is found as "pasteis".
      expect((await findCandidates(tool, { terms: ['pasteis'], at: THURSDAY_LUNCH })).length).toBeGreaterThan(0);
    } finally {
      await db.pool.query(`delete from offerings where business_id = 'lis-sushi-do-tejo' and name = 'Okonomiyaki'`);
    }
    expect(await search()).toEqual([]);
  });

  it('tells open from closed in the business time zone, via business_open_at', async () => {
    const tool = poolDb(db.pool, db.url);
    const lunch = await findCandidates(tool, { ids: ['lis-bar-da-atalaia', 'lis-taberna-do-largo'], at: THURSDAY_LUNCH });
    const byId = Object.fromEntries(lunch.map((c) => [c.id, c]));
    expect(byId['lis-taberna-do-largo']).toMatchObject({ openNow: true, openUntil: '15:00' });
    expect(byId['lis-bar-da-atalaia']).toMatchObject({ openNow: false, openUntil: null });
    // Friday 01:30 Lisbon: Thursday's bar night (18:00–02:00) is still on.
    const late = await findCandidates(tool, { ids: ['lis-bar-da-atalaia'], at: new Date('2026-11-27T01:30:00Z') });
    expect(late[0]).toMatchObject({ openNow: true, openUntil: '02:00' });

    const open = await ask(discoveryAgent, { chatType: 'GLOBAL', text: 'bars open now', location: ALFAMA, now: new Date('2026-11-26T21:00:00Z') });
    expect(open.result?.cards?.length).toBeGreaterThan(0);
    expect(open.result?.cards?.every((c) => c.fields['Open now']!.startsWith('Yes'))).toBe(true);
  });

  it('compares 2–4 named businesses as COMPARISON cards with the same fields', async () => {
    const r = await ask(comparisonAgent, {
      chatType: 'GLOBAL', text: 'Compare Vinhos do Chiado and Terraço Santa Luzia', location: ALFAMA, now: new Date('2026-11-26T18:00:00Z'),
    });
    expect(r.result?.outcome).toBe('ANSWERED');
    const cards = r.result?.cards ?? [];
    expect(cards.map((c) => c.kind)).toEqual(['COMPARISON', 'COMPARISON']);
    expect(cards.map((c) => c.title)).toEqual(['Vinhos do Chiado', 'Terraço Santa Luzia']);
    expect(Object.keys(cards[0]!.fields)).toEqual(Object.keys(cards[1]!.fields));
    expect(cards[0]!.fields).toMatchObject({ Category: 'Bar', Rating: '4.6 ★ (720 reviews)', 'Price level': '€€ (mid-range)', 'Open now': 'Yes, until 01:00' });
    expect(cards[1]!.fields['Price level']).toBe('€€€ (upscale)');
    expect(cards[1]!.fields.Highlight).toBeTruthy();
    expect(r.result?.text).toContain('Best rated: Vinhos do Chiado (4.6).');
    expect(r.result?.text).toContain('Cheapest: Vinhos do Chiado (€€).');
    expect(r.result?.text).toContain('Closest: Terraço Santa Luzia');

    // Without a location there is no distance to compare.
    const noLocation = await ask(comparisonAgent, { chatType: 'GLOBAL', text: 'Taberna do Largo vs Tasca da Rosa vs Cozinha da Avó Lurdes' });
    expect(noLocation.result?.cards?.map((c) => c.title)).toEqual(['Taberna do Largo', 'Tasca da Rosa', 'Cozinha da Avó Lurdes']);
    expect(noLocation.result?.cards?.[0]?.fields.Distance).toBeUndefined();
  });

  it('compares "it" with a named place from the previous answer, and asks when it has fewer than two', async () => {
    const previous = { role: 'assistant' as const, text: '1. Vinhos do Chiado (4.6★, €€, 150 m, open until 01:00)', intent: null, agent: 'discovery', eventId: 'e-0', at: 0 };
    const r = await ask(comparisonAgent, { chatType: 'GLOBAL', text: 'compare it with Terraço Santa Luzia', turns: [previous] });
    expect(r.result?.cards?.map((c) => c.title)).toEqual(['Vinhos do Chiado', 'Terraço Santa Luzia']);
    const lonely = await ask(comparisonAgent, { chatType: 'GLOBAL', text: 'compare Tasca da Rosa' });
    expect(lonely.result?.cards ?? []).toEqual([]);
    expect(lonely.result?.text).toMatch(/Which place should I compare Tasca da Rosa with/);
  });

  it('recommends with reasons stated in the cards, and the price asked for', async () => {
    const r = await ask(recommendationAgent, { chatType: 'GLOBAL', text: 'recommend a cheap restaurant for lunch', location: ALFAMA, now: THURSDAY_LUNCH });
    expect(r.result?.outcome).toBe('ANSWERED');
    const cards = r.result?.cards ?? [];
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) {
      expect(card.fields.Price).toMatch(/^€, matches “cheap”$/);
      expect(card.fields.Why).toContain('Rated');
      expect(card.fields.Rating).toMatch(/^Rated \d\.\d from/);
    }
    // "lunch" is a keyword of Cozinha da Avó Lurdes (€, 4.8, lunch from 12:00), 3.3 km
    // from Alfama: the radius is widened to reach it, and the reply says so.
    expect(cards[0]!.title).toBe('Cozinha da Avó Lurdes');
    expect(cards[0]!.fields['Open now']).toBe('Open now, until 15:30');
    expect(cards[0]!.fields['Known for']).toBe('Known for lunch');
    expect(r.result?.text).toMatch(/^My recommendation for cheap restaurants matching “lunch” near you/);
    expect(r.result?.text).toContain('widened the search to 6 km');

    // Without "lunch": the cheap restaurants close by, distance stated as a reason.
    const near = await ask(recommendationAgent, { chatType: 'GLOBAL', text: 'recommend a cheap restaurant', location: ALFAMA, now: THURSDAY_LUNCH });
    // O Cantinho de Goa: €, 4.4, open 12:00–23:00, about 700 m from Alfama.
    expect(near.result?.cards?.[0]?.title).toBe('O Cantinho de Goa');
    expect(near.result?.cards?.[0]?.fields.Distance).toMatch(/^\d+ m from you$/);
    expect(near.result?.cards?.[0]?.fields['Open now']).toBe('Open now, until 23:00');

    const upscale = await ask(recommendationAgent, { chatType: 'GLOBAL', text: 'suggest an upscale restaurant', location: BELEM, now: THURSDAY_LUNCH });
    expect(upscale.result?.cards?.[0]?.title).toBe('Fumeiro da Doca');
    expect(upscale.result?.cards?.every((c) => /^€€€/.test(c.fields.Price ?? ''))).toBe(true);
  });

  it('tells about one business, answering from its FAQ, and about "it" from the previous answer', async () => {
    const r = await ask(businessInfoAgent, { chatType: 'GLOBAL', text: 'Is there parking at Café Garrett?', now: THURSDAY_LUNCH });
    expect(r.result?.cards?.[0]).toMatchObject({ kind: 'BUSINESS', title: 'Café Garrett', businessId: 'lis-cafe-garrett' });
    expect(r.result?.cards?.[0]?.fields['Hours today']).toBe('07:30–19:00');
    expect(r.result?.text).toContain('Is there parking nearby?');

    const previous = { role: 'assistant' as const, text: '1. Tasca da Rosa (4.3★, €, 300 m, closed now)', intent: null, agent: 'discovery', eventId: 'e-0', at: 0 };
    const it2 = await ask(businessInfoAgent, { chatType: 'GLOBAL', text: 'tell me more about it, when does it open?', turns: [previous], now: THURSDAY_LUNCH });
    expect(it2.result?.cards?.[0]?.title).toBe('Tasca da Rosa');
    expect(it2.result?.text).toContain('Opening hours: Mon Closed; Tue 19:00–24:00');
    const nothing = await ask(businessInfoAgent, { chatType: 'GLOBAL', text: 'tell me about it' });
    expect(nothing.result).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { type Catalog, extractEntities, extractEntitiesExplained } from '../../src/understanding/entities.js';
import { halfOfDay } from '../../src/understanding/meridiem.js';

// Wednesday 25 November 2026, 15:00 in Lisbon (+00:00 in winter), 10:00 in New York.
const NOW = new Date('2026-11-25T15:00:00Z');
const LISBON = 'Europe/Lisbon';
const at = (text: string, extra: Partial<Parameters<typeof extractEntities>[1]> = {}) =>
  extractEntities(text, { now: NOW, timeZone: LISBON, ...extra });

const catalog: Catalog = {
  businesses: [
    { id: 'b1', name: 'Sushi Sakura', category: 'restaurant' },
    { id: 'b2', name: 'Tasca do Chico', category: 'restaurant' },
    { id: 'b3', name: 'The Barber of Alfama', category: 'barber' },
    { id: 'b4', name: 'Café Nicola', category: 'cafe' },
    { id: 'b5', name: 'Clínica Dentária Sorriso', category: 'dentist' },
    { id: 'b6', name: 'Bom Dia Café', category: 'cafe' },
    { id: 'b7', name: "Joe's Gym", category: 'gym' },
  ],
  categories: ['restaurant', 'cafe', 'salon', 'barber', 'clinic', 'dentist', 'gym', 'bakery', 'bar', 'spa'],
  places: [
    { name: 'Alfama', lat: 38.7118, lon: -9.1300 },
    { name: 'Bairro Alto', lat: 38.7130, lon: -9.1460 },
    { name: 'Príncipe Real', lat: 38.7166, lon: -9.1488 },
    { name: 'Belém', lat: 38.6970, lon: -9.2060 },
  ],
};

describe('dates and times, relative to the business zone (now = Wed 2026-11-25 15:00 Lisbon)', () => {
  it.each([
    // text, iso, precision, time
    ['tomorrow at 7pm', '2026-11-26T19:00:00+00:00', 'datetime', '19:00'],
    ['Tomorrow at 7 PM please', '2026-11-26T19:00:00+00:00', 'datetime', '19:00'],
    ['tonight at 8', '2026-11-25T20:00:00+00:00', 'datetime', '20:00'],
    ['Friday 19:30', '2026-11-27T19:30:00+00:00', 'datetime', '19:30'],
    ['on friday at 7.30pm', '2026-11-27T19:30:00+00:00', 'datetime', '19:30'],
    ['next friday at 7pm', '2026-11-27T19:00:00+00:00', 'datetime', '19:00'],
    ['wednesday at 6pm', '2026-11-25T18:00:00+00:00', 'datetime', '18:00'],
    ['wednesday at 2pm', '2026-12-02T14:00:00+00:00', 'datetime', '14:00'], // today's 2pm has passed: next week
    ['next wednesday at 6pm', '2026-12-02T18:00:00+00:00', 'datetime', '18:00'],
    ['in 2 hours', '2026-11-25T17:00:00+00:00', 'datetime', '17:00'],
    ['in 30 minutes', '2026-11-25T15:30:00+00:00', 'datetime', '15:30'],
    ['in an hour', '2026-11-25T16:00:00+00:00', 'datetime', '16:00'],
    ['at 7:30pm', '2026-11-25T19:30:00+00:00', 'time', '19:30'],
    ['at 10am', '2026-11-26T10:00:00+00:00', 'time', '10:00'], // passed today: tomorrow
    ['20h30', '2026-11-25T20:30:00+00:00', 'time', '20:30'],
    ['noon', '2026-11-26T12:00:00+00:00', 'time', '12:00'],
    ['tomorrow at noon', '2026-11-26T12:00:00+00:00', 'datetime', '12:00'],
    ['tonight at midnight', '2026-11-26T00:00:00+00:00', 'datetime', '00:00'],
    ['12 March at 8pm', '2027-03-12T20:00:00+00:00', 'datetime', '20:00'],
    ['March 30th at 8pm', '2027-03-30T20:00:00+01:00', 'datetime', '20:00'], // summer time next year
    ['on 12/12 at 13:00', '2026-12-12T13:00:00+00:00', 'datetime', '13:00'],
    ['2026-12-24 at 21:00', '2026-12-24T21:00:00+00:00', 'datetime', '21:00'],
    ['amanhã às 20h', '2026-11-26T20:00:00+00:00', 'datetime', '20:00'],
    ['sábado às 13h30', '2026-11-28T13:30:00+00:00', 'datetime', '13:30'],
    ['the day after tomorrow at 9am', '2026-11-27T09:00:00+00:00', 'datetime', '09:00'],
    ['tomorrow morning at 9', '2026-11-26T09:00:00+00:00', 'datetime', '09:00'],
    ['tomorrow at 8 in the evening', '2026-11-26T20:00:00+00:00', 'datetime', '20:00'],
    ['at 7 o\'clock tomorrow', '2026-11-26T07:00:00+00:00', 'datetime', '07:00'],
  ] as const)('%s → %s (%s)', (text, iso, precision, time) => {
    const dt = at(text).dateTime;
    expect(dt).toMatchObject({ iso, precision, time });
  });

  it.each([
    ['today', '2026-11-25', '2026-11-25T00:00:00+00:00'],
    ['on 12/03', '2027-03-12', '2027-03-12T00:00:00+00:00'], // day/month; 12 March has passed this year
    ['on 12/03/2026', '2026-03-12', '2026-03-12T00:00:00+00:00'], // an explicit year is kept, even in the past
    ['12.12.2026', '2026-12-12', '2026-12-12T00:00:00+00:00'],
    ['on the 3rd', '2026-12-03', '2026-12-03T00:00:00+00:00'],
    ['on the 28th', '2026-11-28', '2026-11-28T00:00:00+00:00'],
    ['this saturday', '2026-11-28', '2026-11-28T00:00:00+00:00'],
    ['in 3 days', '2026-11-28', '2026-11-28T00:00:00+00:00'],
    ['1 de abril', '2027-04-01', '2027-04-01T00:00:00+01:00'],
  ] as const)('%s → the day %s (precision date, no time)', (text, date, iso) => {
    const dt = at(text).dateTime;
    expect(dt).toMatchObject({ date, iso, precision: 'date' });
    expect(dt?.time).toBeUndefined();
  });

  it.each(['31/02', 'hello there', 'table for 4', 'for 2 hours', 'room 12', 'B-123'])('%s names no date or time', (text) => {
    expect(at(text).dateTime).toBeUndefined();
  });

  it('quotes the customer\'s own words', () => {
    expect(at('Can we come Tomorrow at 7pm?').dateTime?.text).toBe('Tomorrow at 7pm');
    expect(at('Amanhã às 20h, por favor').dateTime?.text).toBe('Amanhã às 20h');
    expect(at('tomorrow for 4 people at 7pm').dateTime?.text).toBe('tomorrow … at 7pm');
  });

  describe('an hour without am/pm', () => {
    it('1–6 is pm, 7–11 am, flagged as assumed', () => {
      expect(at('tomorrow at 3').dateTime).toMatchObject({ time: '15:00', meridiemAssumed: true });
      expect(at('tomorrow at 9').dateTime).toMatchObject({ time: '09:00', meridiemAssumed: true });
      expect(at('tomorrow at 19:00').dateTime?.meridiemAssumed).toBeUndefined();
      expect(at('tomorrow at 07:30').dateTime).toMatchObject({ time: '07:30' });
    });
    it('evening words or preferEvening (restaurants, bars) make it pm', () => {
      expect(at('tomorrow at 8', { preferEvening: true }).dateTime).toMatchObject({ iso: '2026-11-26T20:00:00+00:00', meridiemAssumed: true });
      expect(at('next friday at 7', { preferEvening: true }).dateTime?.iso).toBe('2026-11-27T19:00:00+00:00');
      expect(at('amanhã à noite às 9').dateTime?.time).toBe('21:00');
      expect(at('tomorrow morning at 8', { preferEvening: true }).dateTime?.time).toBe('08:00');
    });
  });
});

describe('daylight saving time in Europe/Lisbon', () => {
  it('now = Sat 2026-03-28 (+00:00): "tomorrow at 7pm" is on summer time, +01:00', () => {
    const now = new Date('2026-03-28T12:00:00Z');
    expect(extractEntities('tomorrow at 7pm', { now, timeZone: LISBON }).dateTime?.iso).toBe('2026-03-29T19:00:00+01:00');
    expect(extractEntities('tonight at 8pm', { now, timeZone: LISBON }).dateTime?.iso).toBe('2026-03-28T20:00:00+00:00');
  });
  it('a time in the spring-forward gap moves forward; "in 2 hours" across the switch keeps real elapsed time', () => {
    const now = new Date('2026-03-28T12:00:00Z');
    expect(extractEntities('tomorrow at 1:30am', { now, timeZone: LISBON }).dateTime).toMatchObject({ iso: '2026-03-29T02:30:00+01:00', time: '02:30', skipped: '01:30' });
    // A time that exists says nothing of a gap.
    expect(extractEntities('tomorrow at 3:30am', { now, timeZone: LISBON }).dateTime).not.toHaveProperty('skipped');
    const night = new Date('2026-03-29T00:30:00Z'); // 00:30 +00:00
    expect(extractEntities('in 2 hours', { now: night, timeZone: LISBON }).dateTime?.iso).toBe('2026-03-29T03:30:00+01:00');
  });
  it('now = Sat 2026-10-24 (+01:00): "tomorrow at 7pm" is back on winter time, +00:00', () => {
    const now = new Date('2026-10-24T12:00:00Z');
    expect(extractEntities('tomorrow at 7pm', { now, timeZone: LISBON }).dateTime?.iso).toBe('2026-10-25T19:00:00+00:00');
    expect(extractEntities('today at 7pm', { now, timeZone: LISBON }).dateTime?.iso).toBe('2026-10-24T19:00:00+01:00');
  });
});

describe('the business zone decides, not the server\'s', () => {
  it('America/New_York: same instant, other wall clock and offset', () => {
    const ny = { now: NOW, timeZone: 'America/New_York' };
    expect(extractEntities('tomorrow at 7pm', ny).dateTime?.iso).toBe('2026-11-26T19:00:00-05:00');
    expect(extractEntities('tonight at 8', ny).dateTime?.iso).toBe('2026-11-25T20:00:00-05:00');
    expect(extractEntities('at 11am', ny).dateTime?.iso).toBe('2026-11-25T11:00:00-05:00'); // still ahead in New York
    expect(at('at 11am').dateTime?.iso).toBe('2026-11-26T11:00:00+00:00'); // already past in Lisbon
  });
  it('late evening in New York is the next day in Lisbon: "tomorrow" differs', () => {
    const now = new Date('2026-11-26T03:00:00Z');
    expect(extractEntities('tomorrow at 7pm', { now, timeZone: 'America/New_York' }).dateTime?.iso).toBe('2026-11-26T19:00:00-05:00');
    expect(extractEntities('tomorrow at 7pm', { now, timeZone: LISBON }).dateTime?.iso).toBe('2026-11-27T19:00:00+00:00');
    expect(extractEntities('today', { now, timeZone: 'America/New_York' }).dateTime?.date).toBe('2026-11-25');
  });
  it('refuses an unknown zone or an invalid now', () => {
    expect(() => extractEntities('tomorrow', { now: NOW, timeZone: 'Mars/Olympus' })).toThrow(/unknown time zone/);
    expect(() => extractEntities('tomorrow', { now: new Date(Number.NaN), timeZone: LISBON })).toThrow(RangeError);
  });
});

describe('party size', () => {
  it.each([
    ['table for 4', 4],
    ['A table for four tomorrow at 7pm', 4],
    ['4 people', 4],
    ['party of six', 6],
    ['for two', 2],
    ['just for 2 please', 2],
    ['we are 5', 5],
    ["we'll be 3", 3],
    ['mesa para 4 pessoas', 4],
    ['somos três', 3],
    ['2 adults and 2 kids', 4],
    ['make it 8', 8],
    ['actually 6 people', 6],
    ['change it to 10', 10],
  ] as const)('%s → %i', (text, size) => {
    expect(at(text).partySize).toBe(size);
  });

  it.each(['make it 8pm', 'make it 8:30', 'for 2 hours', 'for 20h', 'for 12/03', 'at 8', 'in 4 days', 'B-123', 'we are 5 minutes late'])(
    '%s is not a party size', (text) => {
      expect(at(text).partySize).toBeUndefined();
    });

  it('"make it 8pm" is a time; "make it 8" a party size', () => {
    expect(at('make it 8pm').dateTime?.time).toBe('20:00');
    expect(at('make it 8')).toMatchObject({ partySize: 8 });
    expect(at('make it 8').dateTime).toBeUndefined();
  });

  it('a bare number follows the slot the booking waits for', () => {
    expect(at('8').partySize).toBeUndefined();
    expect(at('8', { pendingSlots: ['partySize'] }).partySize).toBe(8);
    expect(at('8', { pendingSlots: ['partySize', 'time'] }).partySize).toBe(8);
    const time = at('8', { pendingSlots: ['time'], preferEvening: true });
    expect(time.partySize).toBeUndefined();
    expect(time.dateTime).toMatchObject({ iso: '2026-11-25T20:00:00+00:00', precision: 'time' });
    expect(at('make it 8', { pendingSlots: ['time'], preferEvening: true }).dateTime?.time).toBe('20:00');
    expect(at('7pm', { pendingSlots: ['time'] }).dateTime?.time).toBe('19:00');
  });

  it('party size and time in one message stay apart', () => {
    const e = at('table for 4 at 8', { preferEvening: true });
    expect(e.partySize).toBe(4);
    expect(e.dateTime?.time).toBe('20:00');
  });
});

describe('businesses, categories and places from the catalog', () => {
  const names = (text: string) => at(text, { catalog }).businessIds;
  it.each([
    ['tell me about Sushi Sakura', ['b1']],
    ['is sakura open now?', ['b1']],
    ['SAKURA', ['b1']],
    ['compare tasca do chico and sushi sakura', ['b2', 'b1']],
    ['barber of alfama', ['b3']],
    ['cafe nicola', ['b4']],
    ['CAFÉ NICOLA', ['b4']],
    ['what about nicolla?', ['b4']], // one typo
    ['clinica sorriso', ['b5']],
    ['bom dia cafe', ['b6']],
    ['bom dia!', []], // a greeting, not the café
    ['joes gym', ['b7']],
    ["joe's gym", ['b7']],
    ['a cafe in belem', []],
    ['the barber', []],
  ] as const)('%s → %j', (text, ids) => {
    expect(names(text)).toEqual(ids);
  });

  it('returns the catalog names with the ids', () => {
    expect(at('sakura vs chico', { catalog })).toMatchObject({ businessIds: ['b1', 'b2'], businessNames: ['Sushi Sakura', 'Tasca do Chico'] });
  });

  it.each([
    ['sushi near me', ['restaurant']],
    ['pizza', ['restaurant']],
    ['I need a haircut', ['salon', 'barber']],
    ['my teeth hurt', ['dentist']],
    ['somewhere for coffee', ['cafe']],
    ['a place to workout', ['gym']],
    ['best pastel de nata', ['bakery']],
    ['cocktails in bairro alto', ['bar']],
    ['a massage', ['spa']],
    ['do you do balayage', ['salon']],
    ['cafes and bars', ['cafe', 'bar']],
    ['hello', []],
  ] as const)('category: %s → %j', (text, cats) => {
    expect(at(text).categories).toEqual(cats);
  });

  it('only categories the catalog knows', () => {
    expect(at('a haircut', { catalog: { ...catalog, categories: ['restaurant', 'barber'] } }).categories).toEqual(['barber']);
  });

  it.each([
    ['a barber in Alfama', ['Alfama']],
    ['drinks in bairro alto', ['Bairro Alto']],
    ['principe real or belem?', ['Príncipe Real', 'Belém']],
    ['near me', []],
  ] as const)('place: %s → %j', (text, places) => {
    expect(at(text, { catalog }).places.map((p) => p.name)).toEqual(places);
  });

  it('"near me" is flagged for a search around the event\'s location', () => {
    expect(at('sushi near me').nearMe).toBe(true);
    expect(at('sushi in alfama').nearMe).toBeUndefined();
  });
});

describe('booking references, price level, hours, announcements', () => {
  it.each([
    ['cancel booking B-123', 'B-123'],
    ['cancel b123', 'B-123'],
    ['cancel 3F2504E0-4F89-41D3-9A0C-0305E82C3301', '3f2504e0-4f89-41d3-9a0c-0305e82c3301'],
    ['cancel my booking', undefined],
  ] as const)('bookingRef: %s → %s', (text, ref) => {
    expect(at(text).bookingRef).toBe(ref);
  });

  it.each([
    ['cancel workflow reservation-3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'reservation-3f2504e0-4f89-41d3-9a0c-0305e82c3301'],
    ['stop Voice-Callback-3F2504E0-4F89-41D3-9A0C-0305E82C3301 please', 'voice-callback-3f2504e0-4f89-41d3-9a0c-0305e82c3301'],
    ['what about management-3f2504e0-4f89-41d3-9a0c-0305e82c3301?', 'management-3f2504e0-4f89-41d3-9a0c-0305e82c3301'],
    ['cancel 3f2504e0-4f89-41d3-9a0c-0305e82c3301', undefined],
    ['cancel workflow reservation-123', undefined],
  ] as const)('workflowRef: %s → %s', (text, ref) => {
    expect(at(text).workflowRef).toBe(ref);
  });

  it.each([
    ['recommend a cheap cafe', 1],
    ['somewhere not too expensive', 1],
    ['barato', 1],
    ['mid-range sushi', 2],
    ['an upscale restaurant', 3],
    ['fine dining tonight', 4],
    ['€€€ restaurant', 3],
    ['a cafe', undefined],
  ] as const)('priceLevel: %s → %s', (text, level) => {
    expect(at(text).priceLevel).toBe(level);
  });

  it.each([
    ['open 9 to 6 on Saturday', { weekdays: ['sat'], opens: '09:00', closes: '18:00' }],
    ['opening hours mon-fri 08:00-19:00', { weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '08:00', closes: '19:00' }],
    ['set hours for weekends 10am to 2pm', { weekdays: ['sat', 'sun'], opens: '10:00', closes: '14:00' }],
    ["we're closed on Sundays", { weekdays: ['sun'], closed: true }],
    ['open till 11pm on fridays and saturdays', { weekdays: ['fri', 'sat'], closes: '23:00' }],
    ['open from 6pm to 2am on friday', { weekdays: ['fri'], opens: '18:00', closes: '02:00', overnight: true }],
    ['horário: sábado das 10h às 14h', { weekdays: ['sat'], opens: '10:00', closes: '14:00' }],
    ['open 9 to 5', { opens: '09:00', closes: '17:00' }],
  ] as const)('hours: %s', (text, hours) => {
    const e = at(text);
    expect(e.hours).toMatchObject(hours);
    if (!('weekdays' in hours)) expect(e.hours?.weekdays).toBeUndefined(); // unstated days stay absent
    expect(e.dateTime).toBeUndefined(); // a schedule, not an appointment
  });

  it('no hours in a booking request', () => {
    expect(at('table for 2 on saturday at 9').hours).toBeUndefined();
  });

  it('keeps the announcement as written', () => {
    expect(at('Announce: Closed on Dec 24 — Feliz Natal!').announcement).toBe('Closed on Dec 24 — Feliz Natal!');
    expect(at('announce the menu').announcement).toBeUndefined();
  });

  it('explains each entity', () => {
    const { reasons } = extractEntitiesExplained('Table for 4 at Sakura tomorrow at 7pm', { now: NOW, timeZone: LISBON, catalog });
    expect(reasons).toEqual(expect.arrayContaining([
      'partySize 4 from "Table for 4" (party-table-for)',
      expect.stringMatching(/^dateTime 2026-11-26T19:00:00\+00:00 \(datetime\) from "tomorrow at 7pm" in Europe\/Lisbon/),
      'business b1 "Sushi Sakura" (name-partial, score 0.9)',
    ]));
  });

  it('is deterministic: same input, same output', () => {
    const ctx = { now: NOW, timeZone: LISBON, catalog };
    expect(extractEntities('sushi sakura tomorrow at 7pm for 4', ctx)).toEqual(extractEntities('sushi sakura tomorrow at 7pm for 4', ctx));
  });
});

describe('phone numbers', () => {
  it.each([
    ['call me on +351 912 345 678', '+351912345678', '+351 912 345 678'],
    ['my number is 00351 912-345-678', '+351912345678', '00351 912-345-678'],
    ['+1 (212) 555-0100 please', '+12125550100', '+1 (212) 555-0100'],
    ['ligue para +351912345678 amanhã às 17h', '+351912345678', '+351912345678'],
  ])('%s → %s', (text, e164, words) => {
    expect(at(text).phone).toEqual({ e164, text: words });
  });

  it('finds a number without its country code, but does not complete it', () => {
    expect(at('call me on 912 345 678 tomorrow at 10am').phone).toEqual({ e164: null, text: '912 345 678' });
    expect(at('+35 1').phone).toBeUndefined();
  });

  it('takes no date, time, party size or short number for a phone number', () => {
    for (const text of ['call me on 2026-11-26 at 17:00', 'table for 4 on 26/11 at 19:30', 'tomorrow at 10:30', 'ref 12345', 'in 2 hours']) {
      expect(at(text).phone, text).toBeUndefined();
    }
  });

  it('keeps the number out of the reasons, which are logged', () => {
    const { reasons } = extractEntitiesExplained('call me on +351 912 345 678', { now: NOW, timeZone: LISBON });
    expect(reasons).toContain('phone number with its country code');
    expect(reasons.join(' ')).not.toContain('912');
  });
});

describe('half of the day, answering "05:00 or 17:00?"', () => {
  it.each([
    ['pm', 'pm'], ['PM.', 'pm'], ['p.m.', 'pm'], ['the afternoon one', 'pm'], ['in the evening please', 'pm'], ['à tarde', 'pm'],
    ['am', 'am'], ['morning', 'am'], ['in the morning', 'am'], ['de manhã', 'am'],
  ] as const)('%s → %s', (text, half) => expect(halfOfDay(text)).toBe(half));

  it('only when that is all the message says', () => {
    for (const text of ['5pm', 'I am here', 'good morning', 'the morning after', 'pm me']) expect(halfOfDay(text), text).toBeUndefined();
  });
});

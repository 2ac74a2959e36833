import { describe, expect, it } from 'vitest';
import { allowedIntents, classifyIntent, type IntentContext } from '../../src/understanding/intents.js';
import { understand } from '../../src/understanding/index.js';

const dedicated = (text: string, extra: Partial<IntentContext> = {}) => classifyIntent(text, { chatType: 'DEDICATED', ...extra });
const dashboard = (text: string, extra: Partial<IntentContext> = {}) => classifyIntent(text, { chatType: 'DASHBOARD', ...extra });
const global = (text: string, extra: Partial<IntentContext> = {}) => classifyIntent(text, { chatType: 'GLOBAL', ...extra });

describe('DEDICATED intents', () => {
  it.each([
    ['hi', 'greeting'],
    ['Hello there!', 'greeting'],
    ['Bom dia', 'greeting'],
    ['good evening', 'greeting'],
    ['I would like to book a table for 4 tomorrow at 7pm', 'book'],
    ['table for 2 tonight?', 'book'],
    ['Can I get a table for four?', 'book'],
    ['can I book a haircut for saturday', 'book'],
    ['I need an appointment next week', 'book'],
    ['do you have availability on friday?', 'book'],
    ['queria reservar uma mesa para 4 amanhã às 20h', 'book'],
    ['hi, I want to book a table for 2', 'book'],
    ['4 people tomorrow at 8', 'book'],
    ['make it 8', 'modify_booking'],
    ['make it 8pm', 'modify_booking'],
    ['change to 8pm', 'modify_booking'],
    ['actually 6 people', 'modify_booking'],
    ['can we move it to friday?', 'modify_booking'],
    ['I need to reschedule my appointment', 'modify_booking'],
    ['change my booking to 9pm', 'modify_booking'],
    ['cancel my booking', 'cancel_booking'],
    ['I want to cancel the reservation for tonight', 'cancel_booking'],
    ["sorry, we can't make it tonight", 'cancel_booking'],
    ['quero cancelar a reserva', 'cancel_booking'],
    ["what's on the menu?", 'menu_or_services'],
    ['do you do balayage?', 'menu_or_services'],
    ['how much is a haircut?', 'menu_or_services'],
    ['do you have vegan options', 'menu_or_services'],
    ['what services do you offer', 'menu_or_services'],
    ['prices please', 'menu_or_services'],
    ['qual é a ementa de hoje', 'menu_or_services'],
    ['is there parking nearby?', 'faq'],
    ['do you have wifi', 'faq'],
    ['can I bring my dog?', 'faq'],
    ['do you take credit cards?', 'faq'],
    ['can I pay with MB Way', 'faq'],
    ['is it wheelchair accessible?', 'faq'],
    ["what's your address?", 'faq'],
    ['where are you located', 'faq'],
    ['onde fica?', 'faq'],
    ['do you deliver?', 'faq'],
    ['are you open now?', 'hours'],
    ['when do you close?', 'hours'],
    ['what time do you open on sunday', 'hours'],
    ['opening hours?', 'hours'],
    ['are you closed on mondays?', 'hours'],
    ['open tomorrow?', 'hours'],
    ['a que horas fecham?', 'hours'],
    ['I want to talk to a person', 'human_handoff'],
    ['can I speak with the manager', 'human_handoff'],
    ['human please', 'human_handoff'],
    ['quero falar com uma pessoa', 'human_handoff'],
    ['please call me back', 'callback'],
    ['call me back tomorrow at 5pm', 'callback'],
    ['can you call me at 10am on Monday', 'callback'],
    ['could someone give me a call this afternoon?', 'callback'],
    ['I would like a callback tomorrow', 'callback'],
    ['ligue-me amanhã às 17h', 'callback'],
    ['podem ligar-me amanhã de manhã?', 'callback'],
    ['me liga às 18h', 'callback'],
    ['cancel the callback', 'cancel_callback'],
    ['please cancel my call back', 'cancel_callback'],
    ["don't call me, thanks", 'cancel_callback'],
    ['não me liguem', 'cancel_callback'],
    ['cancela a chamada', 'cancel_callback'],
    ['thanks!', 'thanks'],
    ['thank you so much', 'thanks'],
    ['obrigado', 'thanks'],
    ['asdf qwerty', 'unknown'],
    ['the weather is nice', 'unknown'],
  ] as const)('%s → %s', (text, intent) => {
    const result = dedicated(text);
    expect(result.intent).toBe(intent);
    if (intent === 'unknown') expect(result.confidence).toBe(0);
    else {
      expect(result.confidence).toBeGreaterThan(0.3);
      expect(result.matched[0]).toMatch(new RegExp(`^${intent}:`));
    }
  });

  describe('with slots pending, a bare detail continues the booking', () => {
    it.each([
      ['7pm', ['time']],
      ['7pm please', ['time']],
      ['tomorrow at 7pm', ['time']],
      ['4 people', ['partySize']],
      ['we are 4', ['partySize']],
      ['4', ['partySize']],
      ['8', ['time']],
      ['friday', ['date', 'time']],
      ['Maria', ['name']],
      ['my name is Maria Silva', ['name']],
      ['+351 912 345 678', ['phone']],
    ] as const)('%s (pending %j) → provide_details', (text, pendingSlots) => {
      expect(dedicated(text, { pendingSlots }).intent).toBe('provide_details');
    });

    it('other requests still win over pending slots', () => {
      expect(dedicated('cancel my booking', { pendingSlots: ['time'] }).intent).toBe('cancel_booking');
      expect(dedicated('I want to talk to a person', { pendingSlots: ['time'] }).intent).toBe('human_handoff');
      expect(dedicated('do you have parking?', { pendingSlots: ['time'] }).intent).toBe('faq');
      expect(dedicated('make it 8', { pendingSlots: ['time'] }).intent).toBe('modify_booking');
    });

    it('without pending slots a bare detail starts a booking, and provide_details is never produced', () => {
      expect(dedicated('7pm').intent).toBe('book');
      expect(dedicated('4 people').intent).toBe('book');
      expect(dedicated('Maria').intent).toBe('unknown');
    });
  });

  it('a callback is neither a hand-off nor a booking, and cancelling it is not cancelling a booking', () => {
    expect(dedicated('call me back tomorrow at 5pm').matched).not.toContain('human_handoff:phrases');
    expect(dedicated('cancel the callback').matched).not.toContain('cancel_booking:verb');
    expect(dedicated("don't call me").matched).not.toContain('callback:call-me');
    expect(dedicated('cancel my booking, I will call you later').intent).toBe('cancel_booking');
    // While a callback waits for its time, "5pm" is the detail asked for.
    expect(dedicated('5pm', { pendingSlots: ['time'] }).intent).toBe('provide_details');
    expect(dedicated('call me at 5pm instead', { pendingSlots: ['phone'] }).intent).toBe('callback');
  });

  it('yes/no confirm or reject only when an action waits', () => {
    expect(dedicated('yes', { hasPendingAction: true }).intent).toBe('confirm');
    expect(dedicated('no thanks', { hasPendingAction: true }).intent).toBe('reject');
    expect(dedicated('cancel', { hasPendingAction: true }).intent).toBe('reject');
    expect(dedicated('cancel').intent).toBe('cancel_booking');
    expect(dedicated('yes').intent).toBe('unknown');
  });
});

describe('DASHBOARD intents', () => {
  it.each([
    ['how many messages this week?', 'analytics_volume'],
    ['how many conversations did we have today', 'analytics_volume'],
    ['message volume last month', 'analytics_volume'],
    ['bookings today', 'analytics_bookings'],
    ['how many bookings this month?', 'analytics_bookings'],
    ['show me the reservations for tomorrow', 'analytics_bookings'],
    ["who's booked tonight?", 'analytics_bookings'],
    ['what are the top questions?', 'analytics_top_questions'],
    ['most common questions this week', 'analytics_top_questions'],
    ['what do customers ask about most', 'analytics_top_questions'],
    ['open 9 to 6 on Saturday', 'set_hours'],
    ['change our opening hours', 'set_hours'],
    ["we're closed on Sundays", 'set_hours'],
    ['mon-fri 8am to 7pm opening hours', 'set_hours'],
    ['pause bookings', 'pause_bookings'],
    ['stop taking reservations for today', 'pause_bookings'],
    ['no more bookings tonight', 'pause_bookings'],
    ['resume bookings', 'resume_bookings'],
    ['start accepting reservations again', 'resume_bookings'],
    ['turn on bookings', 'resume_bookings'],
    ['cancel booking B-123', 'cancel_booking'],
    ['cancel 3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'cancel_booking'],
    ['please cancel the reservation for Silva', 'cancel_booking'],
    ['announce: we are closed on Dec 24', 'announcement'],
    ['Announcement - new menu from Monday', 'announcement'],
    ['tell all our customers that we have a new chef', 'announcement'],
    ["what's running?", 'workflows_list'],
    ['What is running right now', 'workflows_list'],
    ["show pending bookings' workflows", 'workflows_list'],
    ['show the workflows of pending bookings', 'workflows_list'],
    ['which reminders are scheduled?', 'workflows_list'],
    ['which workflows failed?', 'workflows_list'],
    ['cancel the reminder for booking 3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'workflow_cancel'],
    ['stop the reminder for booking 3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'workflow_cancel'],
    ['cancel workflow reservation-3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'workflow_cancel'],
    ['cancel management-3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'workflow_cancel'],
    ['cancel the callback because the customer already came by', 'workflow_cancel'],
    ['asdf', 'unknown'],
    ['hi', 'unknown'],
  ] as const)('%s → %s', (text, intent) => {
    expect(dashboard(text).intent).toBe(intent);
  });

  it.each([
    ['yes', 'confirm'],
    ['Confirm', 'confirm'],
    ['ok, go ahead', 'confirm'],
    ['sim', 'confirm'],
    ['no', 'reject'],
    ['cancel that', 'reject'],
    ['nope, never mind', 'reject'],
    ["don't send it", 'reject'],
  ] as const)('%s with a pending action → %s', (text, intent) => {
    const result = dashboard(text, { hasPendingAction: true });
    expect(result.intent).toBe(intent);
    expect(result.confidence).toBeGreaterThanOrEqual(0.6);
  });

  it('a yes with nothing to confirm is a weak confirm, said so by its confidence', () => {
    const result = dashboard('yes');
    expect(result.intent).toBe('confirm');
    expect(result.confidence).toBeLessThan(0.5);
  });
});

describe('GLOBAL intents', () => {
  it.each([
    ['sushi near me', 'search'],
    ['a barber in Alfama', 'search'],
    ['find a dentist', 'search'],
    ['looking for a gym in Belém', 'search'],
    ['cheap sushi near me', 'search'],
    ['cafes open now', 'search'],
    ['procuro um cabeleireiro', 'search'],
    ['compare Sakura and Tasca do Chico', 'compare'],
    ['Sakura vs Chico', 'compare'],
    ["what's the difference between those two salons", 'compare'],
    ['recommend a cheap cafe', 'recommend'],
    ['best dentist', 'recommend'],
    ['can you suggest a good spa?', 'recommend'],
    ['where should we go for dinner', 'recommend'],
    ['tell me about Sushi Sakura', 'business_info'],
    ['hello', 'greeting'],
    ['Olá!', 'greeting'],
    ['blah blah', 'unknown'],
  ] as const)('%s → %s', (text, intent) => {
    expect(global(text).intent).toBe(intent);
  });

  it('catalog matches (passed by understand) are evidence too', () => {
    expect(global('Sakura or Chico?', { entities: { businessIds: ['b1', 'b2'] } }).intent).toBe('compare');
    expect(global('is sakura any good?', { entities: { businessIds: ['b1'] } }).intent).toBe('business_info');
  });
});

describe('explanations', () => {
  it('lists the winner\'s rules first, then the others that fired', () => {
    const result = dedicated('hi, I want to book a table for 2');
    expect(result.matched.slice(0, 2)).toEqual(['book:verb', 'book:table']);
    expect(result.matched).toContain('greeting:hello');
  });

  it('lowers confidence when two intents compete', () => {
    const clear = dedicated('are you open now?');
    const mixed = dedicated('hi, are you open now?');
    expect(mixed.intent).toBe('hours');
    expect(mixed.confidence).toBeLessThan(clear.confidence);
  });

  it('is deterministic', () => {
    expect(dedicated('table for 4 tomorrow at 7pm')).toEqual(dedicated('table for 4 tomorrow at 7pm'));
  });

  it('allowed intents depend on the context', () => {
    expect(allowedIntents({ chatType: 'DEDICATED' })).not.toContain('provide_details');
    expect(allowedIntents({ chatType: 'DEDICATED', pendingSlots: ['time'] })).toContain('provide_details');
    expect(allowedIntents({ chatType: 'DEDICATED', hasPendingAction: true })).toEqual(expect.arrayContaining(['confirm', 'reject']));
    expect(allowedIntents({ chatType: 'GLOBAL' })).toEqual(['search', 'compare', 'recommend', 'business_info', 'greeting', 'unknown']);
  });
});

describe('understand(): intent and entities together', () => {
  const catalog = {
    businesses: [{ id: 'b1', name: 'Sushi Sakura', category: 'restaurant' }, { id: 'b2', name: 'Tasca do Chico', category: 'restaurant' }],
    categories: ['restaurant', 'barber'],
    places: [{ name: 'Alfama', lat: 38.7118, lon: -9.13 }],
  };
  const now = new Date('2026-11-25T15:00:00Z');

  it('a DEDICATED booking at a restaurant reads "at 8" as evening', () => {
    const u = understand('Table for 4 tomorrow at 8', { chatType: 'DEDICATED', now, timeZone: 'Europe/Lisbon', businessCategory: 'restaurant' });
    expect(u).toMatchObject({ intent: 'book', source: 'rules', entities: { partySize: 4, dateTime: { iso: '2026-11-26T20:00:00+00:00' } } });
    expect(u.reasons[0]).toMatch(/^intent book \(0\.\d+, rules\): book:table/);
    expect(u.reasons.some((r) => r.startsWith('partySize 4'))).toBe(true);
  });

  it('carries the booking across turns: "make it 8" is a party size, "make it 8pm" a time', () => {
    const base = { chatType: 'DEDICATED' as const, now, timeZone: 'Europe/Lisbon', businessCategory: 'restaurant' };
    expect(understand('make it 8', base)).toMatchObject({ intent: 'modify_booking', entities: { partySize: 8 } });
    const time = understand('make it 8pm', base);
    expect(time).toMatchObject({ intent: 'modify_booking', entities: { dateTime: { time: '20:00' } } });
    expect(time.entities.partySize).toBeUndefined();
    expect(understand('7pm', { ...base, pendingSlots: ['time'] })).toMatchObject({ intent: 'provide_details', entities: { dateTime: { time: '19:00' } } });
  });

  it('GLOBAL search and comparison use the catalog', () => {
    const search = understand('a barber in Alfama', { chatType: 'GLOBAL', now, timeZone: 'Europe/Lisbon', catalog });
    expect(search).toMatchObject({ intent: 'search', entities: { categories: ['barber'], places: [{ name: 'Alfama' }] } });
    expect(search.matched).toContain('search:place');
    const compare = understand('Sakura or Chico?', { chatType: 'GLOBAL', now, timeZone: 'Europe/Lisbon', catalog });
    expect(compare).toMatchObject({ intent: 'compare', entities: { businessIds: ['b1', 'b2'] } });
  });

  it('DASHBOARD set_hours carries the hours', () => {
    const u = understand('open 9 to 6 on Saturday', { chatType: 'DASHBOARD', now, timeZone: 'Europe/Lisbon' });
    expect(u).toMatchObject({ intent: 'set_hours', entities: { hours: { weekdays: ['sat'], opens: '09:00', closes: '18:00' } } });
  });

  it('unknown says so', () => {
    const u = understand('asdf', { chatType: 'DEDICATED', now, timeZone: 'Europe/Lisbon' });
    expect(u.intent).toBe('unknown');
    expect(u.reasons[0]).toMatch(/^intent unknown/);
  });
});

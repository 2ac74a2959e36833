// The pure decisions of the LLM path: when the rules pass a message on, which
// intents the model may name, what a schema-valid answer is, and what of the
// model's entities is kept after the rules' own extractors have typed them.
import { describe, expect, it } from 'vitest';
import { classifyIntent, type Catalog, extractEntities } from '../../src/understanding/index.js';
import { answerSchema, checkAnswer, modelIntents } from '../../src/understanding/llm-answer.js';
import { groundModelEntities, needsModel } from '../../src/understanding/llm-decision.js';
import { standInAnswer } from '../support/deterministic-llm-stand-in.js';

const catalog: Catalog = {
  businesses: [
    { id: 'lis-taberna-do-largo', name: 'Taberna do Largo', category: 'restaurant' },
    { id: 'lis-sushi-sakura', name: 'Sushi Sakura Chiado', category: 'restaurant' },
  ],
  categories: ['restaurant', 'cafe', 'salon'],
  places: [{ name: 'Alfama', lat: 38.7115, lon: -9.13 }, { name: 'Príncipe Real', lat: 38.7165, lon: -9.1485 }],
};
// Wednesday 25 November 2026, 15:00 in Lisbon (UTC+0 in winter).
const context = { now: new Date('2026-11-25T15:00:00Z'), timeZone: 'Europe/Lisbon', catalog, preferEvening: true };
const entitiesOf = (text: string) => extractEntities(text, context);
const modelEntities = (over: Partial<ReturnType<typeof standInAnswer>['entities']>) => standInAnswer('book', 0.9, over).entities;

describe('when the rules pass a message on to the LLM', () => {
  it.each([
    ['no intent', { intent: 'unknown', confidence: 0 }, 0.5, true],
    ['no intent, threshold 0', { intent: 'unknown', confidence: 0 }, 0, true],
    ['below the threshold', { intent: 'book', confidence: 0.49 }, 0.5, true],
    ['at the threshold', { intent: 'book', confidence: 0.5 }, 0.5, false],
    ['above the threshold', { intent: 'book', confidence: 0.9 }, 0.5, false],
    ['threshold 0: only without an intent', { intent: 'book', confidence: 0.36 }, 0, false],
  ] as const)('%s', (_name, rules, below, expected) => {
    expect(needsModel(rules, below)).toBe(expected);
  });

  it('passes on what the rules cannot read and keeps what they can (the shipped rules)', () => {
    const dedicated = (text: string) => classifyIntent(text, { chatType: 'DEDICATED' });
    expect(needsModel(dedicated('could we squeeze in me and three mates?'), 0.5)).toBe(true);
    expect(needsModel(dedicated("what's on the menu?"), 0.5)).toBe(false);
    expect(needsModel(dedicated('do you have availability on friday?'), 0.5)).toBe(false);
    expect(needsModel(dedicated('do you have availability on friday?'), 0.6)).toBe(true);
  });
});

describe('the intents the model may name', () => {
  it('are the chat type\'s in that state, never confirm', () => {
    expect(modelIntents({ chatType: 'DEDICATED' })).not.toContain('provide_details');
    expect(modelIntents({ chatType: 'DEDICATED', pendingSlots: ['time'] })).toContain('provide_details');
    expect(modelIntents({ chatType: 'DEDICATED', hasPendingAction: true })).toContain('reject');
    expect(modelIntents({ chatType: 'DEDICATED', hasPendingAction: true })).not.toContain('confirm');
    expect(modelIntents({ chatType: 'DASHBOARD' })).not.toContain('confirm');
    expect(modelIntents({ chatType: 'DASHBOARD' })).toContain('pause_bookings');
    expect(modelIntents({ chatType: 'GLOBAL' })).not.toContain('set_hours');
    for (const chatType of ['DEDICATED', 'DASHBOARD', 'GLOBAL'] as const) expect(modelIntents({ chatType })).toContain('unknown');
  });
});

describe('the answer schema', () => {
  const intents = modelIntents({ chatType: 'DEDICATED' });
  const { schema, json } = answerSchema(intents);

  it('is a closed JSON Schema: the offered intents, every field required, nothing else', () => {
    expect(json).toMatchObject({ type: 'object', additionalProperties: false, required: ['intent', 'confidence', 'entities'] });
    expect(json).not.toHaveProperty('$schema');
    const properties = json.properties as Record<string, any>;
    expect(properties.intent.enum).toEqual(intents);
    expect(properties.entities).toMatchObject({
      additionalProperties: false,
      required: ['partySize', 'when', 'businessNames', 'categories', 'places', 'priceLevel'],
    });
  });

  it('accepts a valid answer, also in a Markdown fence', () => {
    const answer = standInAnswer('book', 0.9, { partySize: 4, when: 'tomorrow at 7pm' });
    expect(checkAnswer(JSON.stringify(answer), schema)).toEqual({ ok: true, answer });
    expect(checkAnswer(`\`\`\`json\n${JSON.stringify(answer)}\n\`\`\``, schema)).toEqual({ ok: true, answer });
  });

  it.each([
    ['prose', 'It is a booking.', /not JSON/],
    ['an array', '["book"]', /outside the schema/],
    ['an intent not offered', JSON.stringify(standInAnswer('order_pizza', 0.9)), /intent/],
    ['an intent of another chat type', JSON.stringify(standInAnswer('set_hours', 0.9)), /intent/],
    ['confirm', JSON.stringify(standInAnswer('confirm', 0.9)), /intent/],
    ['a confidence above 1', JSON.stringify(standInAnswer('book', 7)), /confidence/],
    ['no entities', '{"intent":"book","confidence":0.9}', /entities/],
    ['a party size in words', JSON.stringify(standInAnswer('book', 0.9, { partySize: 'four' as never })), /entities\.partySize/],
    ['a fractional party size', JSON.stringify(standInAnswer('book', 0.9, { partySize: 2.5 })), /entities\.partySize/],
    ['a party of 500', JSON.stringify(standInAnswer('book', 0.9, { partySize: 500 })), /entities\.partySize/],
    ['an unknown category', JSON.stringify(standInAnswer('book', 0.9, { categories: ['casino' as never] })), /entities\.categories/],
    ['a price level of 5', JSON.stringify(standInAnswer('book', 0.9, { priceLevel: 5 })), /entities\.priceLevel/],
    ['a field not asked for', JSON.stringify({ ...standInAnswer('book', 0.9), role: 'owner' }), /outside the schema/],
  ])('rejects %s', (_name, content, reason) => {
    const checked = checkAnswer(content, schema);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toMatch(reason);
  });
});

describe('the model\'s entities, typed like the rules\'', () => {
  it('fills only what the rules did not find', () => {
    const rules = entitiesOf('table for 2 tomorrow at 8pm');
    const { entities, reasons } = groundModelEntities(rules, modelEntities({ partySize: 6, when: 'friday at noon', priceLevel: 2 }), context);
    expect(entities.partySize).toBe(2);
    expect(entities.dateTime?.iso).toBe(rules.dateTime?.iso);
    expect(entities.priceLevel).toBe(2);
    expect(reasons).toEqual(['priceLevel 2 (llm)']);
  });

  it('reads the model\'s "when" with the rules\' date extractor, in the business\'s zone and relative to the message', () => {
    const { entities, reasons } = groundModelEntities(entitiesOf('could we squeeze in me and three mates?'), modelEntities({ partySize: 4, when: 'tomorrow at 7pm' }), context);
    expect(entities.partySize).toBe(4);
    expect(entities.dateTime).toMatchObject({ iso: '2026-11-26T19:00:00+00:00', precision: 'datetime' });
    expect(reasons).toEqual(['partySize 4 (llm)', expect.stringMatching(/^dateTime 2026-11-26T19:00:00\+00:00 .* from the llm's "tomorrow at 7pm" in Europe\/Lisbon$/)]);
  });

  it('drops a "when" the extractor cannot read: a model does not compute dates for us', () => {
    const { entities, reasons } = groundModelEntities(entitiesOf('whenever suits'), modelEntities({ when: 'sometime soonish' }), context);
    expect(entities.dateTime).toBeUndefined();
    expect(reasons).toEqual(['llm\'s when "sometime soonish" is not a date or time the rules can read: dropped']);
  });

  it('keeps business names and places only when they are in the catalog', () => {
    const { entities, reasons } = groundModelEntities(
      entitiesOf('that sushi place up the hill'),
      modelEntities({ businessNames: ['sushi sakura', 'Casa Inventada'], places: ['principe real', 'Atlantis'] }),
      context,
    );
    expect(entities.businessIds).toEqual(['lis-sushi-sakura']);
    expect(entities.businessNames).toEqual(['Sushi Sakura Chiado']);
    expect(entities.places.map((p) => p.name)).toEqual(['Príncipe Real']);
    expect(reasons).toContain('llm\'s business "Casa Inventada" is not in the catalog: dropped');
    expect(reasons).toContain('llm\'s place "Atlantis" is not a known place: dropped');
  });

  it('keeps only the catalog\'s categories', () => {
    const { entities } = groundModelEntities(entitiesOf('somewhere to unwind'), modelEntities({ categories: ['spa', 'cafe', 'cafe'] }), context);
    expect(entities.categories).toEqual(['cafe']);
  });

  it('leaves the rules\' entities untouched when the model adds nothing', () => {
    const rules = entitiesOf('table for 4 in Alfama');
    expect(groundModelEntities(rules, modelEntities({}), context)).toEqual({ entities: rules, reasons: [] });
  });
});

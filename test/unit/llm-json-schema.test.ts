// The processor's answer schema as `x7 llm serve` hands it to node-llama-cpp's grammar
// compiler: what a grammar can enforce is kept or translated, the rest dropped.
import { describe, expect, it } from 'vitest';
import { toGrammarSchema, UnsupportedSchemaError } from '../../src/llm/json-schema.js';
import { answerSchema, modelIntents } from '../../src/understanding/llm-answer.js';

describe('toGrammarSchema', () => {
  const translated = toGrammarSchema(answerSchema(modelIntents({ chatType: 'DEDICATED' })).json) as {
    properties: { intent: unknown; confidence: unknown; entities: { properties: Record<string, unknown>; additionalProperties: unknown } };
    required: string[];
  };

  it('keeps the intent enum, the required keys and the closed objects', () => {
    expect(translated.properties.intent).toEqual({ type: 'string', enum: modelIntents({ chatType: 'DEDICATED' }) });
    expect(translated.required).toEqual(['intent', 'confidence', 'entities']);
    expect(translated.properties.entities.additionalProperties).toBe(false);
  });

  it('turns nullable into oneOf and a small integer range into the enum of its values', () => {
    expect(translated.properties.entities.properties.priceLevel).toEqual({
      oneOf: [{ enum: [1, 2, 3, 4] }, { type: 'null' }],
      description: expect.stringContaining('1 cheap'),
    });
    expect(translated.properties.entities.properties.when).toMatchObject({
      oneOf: [{ type: 'string', minLength: 1, maxLength: 80 }, { type: 'null' }],
    });
  });

  it('drops what a grammar cannot enforce: a non-integer range', () => {
    expect(translated.properties.confidence).toEqual({ type: 'number' });
  });

  it('rewrites draft-7 definitions to $defs, and refuses allOf and "any value"', () => {
    expect(toGrammarSchema({ definitions: { a: { type: 'string' } }, $ref: '#/definitions/a' }))
      .toEqual({ $defs: { a: { type: 'string' } }, $ref: '#/$defs/a' });
    expect(() => toGrammarSchema({ allOf: [{ type: 'string' }] })).toThrow(UnsupportedSchemaError);
    expect(() => toGrammarSchema({ type: 'object', properties: { x: {} } })).toThrow(/#\/properties\/x: any value/);
  });
});

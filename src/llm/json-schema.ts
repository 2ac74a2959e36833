// The JSON schema of an OpenAI `response_format: {type: 'json_schema'}` request, turned
// into the subset node-llama-cpp compiles to a grammar (its GbnfJsonSchema), so that
// `x7 llm serve` constrains what the model writes the way OpenAI's strict mode does.
//
// What the subset lacks is translated where a grammar can still enforce it, and dropped
// where it cannot:
// - anyOf (zod writes nullable values as anyOf [T, null]) becomes oneOf;
// - an integer with a small minimum..maximum range becomes the enum of its values, so
//   "partySize 1 to 100" is enforced token by token;
// - a non-integer number's range, a string pattern and other keywords are dropped: the
//   model may write outside them, and the client checks every answer anyway
//   (src/understanding/llm-answer.ts), as it must for any server;
// - draft-7 "definitions" and their "#/definitions/" refs become "$defs".
// Everything else the subset knows is kept as it is.

/** Largest integer range turned into an enum; a wider one is only typed as an integer. */
const MAX_ENUMERATED_INTEGERS = 256;

const KEPT = new Set([
  'type', 'enum', 'const', 'oneOf', 'properties', 'additionalProperties', 'required', 'minProperties',
  'maxProperties', 'items', 'prefixItems', 'minItems', 'maxItems', 'minLength', 'maxLength', 'description', '$ref',
]);
const FORMATS = new Set(['date-time', 'time', 'date']);

export class UnsupportedSchemaError extends Error {
  override name = 'UnsupportedSchemaError';
}

type Json = Record<string, unknown>;

export function toGrammarSchema(schema: unknown, path = '#'): Json {
  if (schema === true || (typeof schema === 'object' && schema !== null && Object.keys(schema).length === 0)) {
    throw new UnsupportedSchemaError(`${path}: any value is not supported, name its type`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new UnsupportedSchemaError(`${path}: a schema must be an object`);
  }
  const source = schema as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'anyOf' || key === 'oneOf') {
      if (!Array.isArray(value) || value.length === 0) throw new UnsupportedSchemaError(`${path}/${key}: must be a non-empty array`);
      out.oneOf = value.map((item, i) => toGrammarSchema(item, `${path}/${key}/${i}`));
    } else if (key === 'properties' || key === '$defs' || key === 'definitions') {
      const map: Json = {};
      for (const [name, item] of Object.entries(value as Json)) map[name] = toGrammarSchema(item, `${path}/${key}/${name}`);
      out[key === 'properties' ? 'properties' : '$defs'] = map;
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = typeof value === 'boolean' ? value : toGrammarSchema(value, `${path}/${key}`);
    } else if (key === 'prefixItems') {
      out.prefixItems = (value as unknown[]).map((item, i) => toGrammarSchema(item, `${path}/prefixItems/${i}`));
    } else if (key === '$ref') {
      out.$ref = String(value).replace(/^#\/definitions\//, '#/$defs/');
    } else if (key === 'format') {
      if (typeof value === 'string' && FORMATS.has(value)) out.format = value;
    } else if (KEPT.has(key)) {
      out[key] = value;
    }
  }
  // allOf cannot be expressed; a schema that needs it would be enforced wrongly, so it is refused.
  if ('allOf' in source || 'not' in source || 'if' in source) {
    throw new UnsupportedSchemaError(`${path}: allOf, not and if/then are not supported`);
  }
  if (out.type === 'integer' && typeof source.minimum === 'number' && typeof source.maximum === 'number') {
    const low = Math.ceil(source.minimum);
    const high = Math.floor(source.maximum);
    if (high >= low && high - low < MAX_ENUMERATED_INTEGERS) {
      const { type: _type, ...rest } = out;
      return { ...rest, enum: Array.from({ length: high - low + 1 }, (_, i) => low + i) };
    }
  }
  // An object without "properties" and "additionalProperties" means "any object" to the
  // grammar compiler; keep what was written, node-llama-cpp decides.
  return out;
}

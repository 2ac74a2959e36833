// Avro types as x7 uses them (avsc), and the mapping between avsc's values and the
// TypeScript shapes of src/events.ts:
// - timestamp-millis ⇄ Date (a logical type; avsc has none built in);
// - a union of records (avsc wraps it as `{ "ai.x7.chat.Reply": {...} }`) ⇄ the record
//   with a `type` field holding its short name (`{ type: "Reply", ... }`);
// - records come out as plain objects, so they print and compare like any object.
// Encoding is strict: a missing field is an error even when the schema has a default
// ("reject, never default"), and so is a field the schema does not declare.
import avro from 'avsc';
import type { Schema, Type } from 'avsc';

class TimestampMillisType extends avro.types.LogicalType {
  protected override _fromValue(value: number | Date): Date {
    return new Date(value instanceof Date ? value.getTime() : value);
  }
  protected override _toValue(value: unknown): number | undefined {
    // undefined makes avsc report the value as invalid, naming the field.
    return value instanceof Date && !Number.isNaN(value.getTime()) ? value.getTime() : undefined;
  }
  protected override _resolve(type: Type): ((value: number | Date) => Date) | undefined {
    if (avro.Type.isType(type, 'long', 'logical:timestamp-millis')) return (v) => this._fromValue(v);
    return undefined;
  }
}

/**
 * avsc options for every schema x7 parses, ours and the registry's alike. A fresh
 * object each time: avsc keeps the named types it parsed in `opts.registry`, and a
 * shared one would make the second schema's ChatType a "duplicate type name".
 */
export function avroOptions() {
  return {
    logicalTypes: { 'timestamp-millis': TimestampMillisType },
    wrapUnions: 'auto' as const,
  };
}

export function parseSchema(schema: Schema | string): Type {
  return avro.Type.forSchema(typeof schema === 'string' ? (JSON.parse(schema) as Schema) : schema, avroOptions());
}

type AnyType = Type & {
  typeName: string;
  name?: string;
  branchName?: string;
  types?: AnyType[];
  fields?: { name: string; type: AnyType }[];
  itemsType?: AnyType;
  valuesType?: AnyType;
};

function isRecord(t: AnyType): boolean {
  return t.typeName === 'record' || t.typeName === 'error';
}

export function shortName(fullName: string | undefined): string {
  return (fullName ?? '').split('.').pop() ?? '';
}

/**
 * Checks that the mapping can represent a schema: a wrapped union may hold only null
 * and records, and such a record must not have a field named `type` (the discriminator).
 * Thrown at start, when a schema is loaded, never per record.
 */
export function assertMappable(type: Type, seen = new Set<Type>()): void {
  const t = type as AnyType;
  if (seen.has(type)) return;
  seen.add(type);
  if (t.typeName === 'union:wrapped') {
    for (const branch of t.types ?? []) {
      if (branch.typeName !== 'null' && !isRecord(branch)) {
        throw new Error(`union branch ${branch.branchName} is neither null nor a record; x7's codec cannot map it`);
      }
      if (isRecord(branch) && branch.fields?.some((f) => f.name === 'type')) {
        throw new Error(`record ${branch.name} is a union branch with a field named "type", which the codec uses as the discriminator`);
      }
    }
  }
  for (const child of [...(t.types ?? []), ...(t.fields ?? []).map((f) => f.type), t.itemsType, t.valuesType]) {
    if (child) assertMappable(child, seen);
  }
}

/** avsc value → the TypeScript shape (plain objects, discriminated unions). */
export function fromAvro(type: Type, value: unknown): unknown {
  const t = type as AnyType;
  if (value === null || value === undefined) return value;
  switch (t.typeName) {
    case 'record':
    case 'error': {
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields ?? []) out[f.name] = fromAvro(f.type, source[f.name]);
      return out;
    }
    case 'array':
      return (value as unknown[]).map((item) => fromAvro(t.itemsType!, item));
    case 'map':
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromAvro(t.valuesType!, v)]));
    case 'union:wrapped': {
      const [branchName, inner] = Object.entries(value as Record<string, unknown>)[0]!;
      const branch = t.types!.find((b) => b.branchName === branchName)!;
      return { type: shortName(branch.name), ...(fromAvro(branch, inner) as Record<string, unknown>) };
    }
    case 'union:unwrapped': {
      const branch = t.types!.find((b) => b.typeName !== 'null' && b.isValid(value));
      return branch ? fromAvro(branch, value) : value;
    }
    default:
      return value;
  }
}

export interface FieldProblem {
  field: string;
  problem: string;
}

/**
 * The TypeScript shape → avsc value, collecting the problems only this mapping can see
 * (missing fields, undeclared fields, an unknown union `type`); avsc's own check
 * (`validate`) finds the rest.
 */
export function toAvro(type: Type, value: unknown, problems: FieldProblem[], path = ''): unknown {
  const t = type as AnyType;
  switch (t.typeName) {
    case 'record':
    case 'error': {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return value;
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const declared = new Set((t.fields ?? []).map((f) => f.name));
      for (const f of t.fields ?? []) {
        const at = join(path, f.name);
        if (source[f.name] === undefined) {
          problems.push({ field: at, problem: 'is missing' });
          continue;
        }
        out[f.name] = toAvro(f.type, source[f.name], problems, at);
      }
      for (const key of Object.keys(source)) {
        if (!declared.has(key)) problems.push({ field: join(path, key), problem: `is not a field of ${shortName(t.name)}` });
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.map((item, i) => toAvro(t.itemsType!, item, problems, `${path}[${i}]`)) : value;
    case 'map':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toAvro(t.valuesType!, v, problems, join(path, k))]))
        : value;
    case 'union:wrapped': {
      if (value === null) return null;
      const records = t.types!.filter(isRecord);
      const names = records.map((r) => shortName(r.name));
      const { type: tag, ...rest } = (typeof value === 'object' ? value : {}) as Record<string, unknown>;
      const branch = records.find((r) => shortName(r.name) === tag || r.name === tag);
      if (!branch) {
        problems.push({ field: join(path, 'type'), problem: `must be one of ${names.join(', ')} (got ${JSON.stringify(tag)})` });
        return value;
      }
      return { [branch.branchName!]: toAvro(branch, rest, problems, path) };
    }
    case 'union:unwrapped': {
      if (value === null) return null;
      const branch = t.types!.find((b) => b.typeName !== 'null' && (isRecord(b) ? typeof value === 'object' : b.isValid(value)));
      return branch ? toAvro(branch, value, problems, path) : value;
    }
    default:
      return value;
  }
}

/** avsc's check of an avsc-shaped value, with paths in TypeScript terms. */
export function validate(type: Type, avroValue: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  type.isValid(avroValue, {
    errorHook: (path: string[], value: unknown, leaf: Type) => {
      problems.push({ field: readablePath(type, path), problem: `${describeValue(value)} is not a valid ${describeType(leaf)}` });
    },
  });
  return problems;
}

/** Maps an avsc error path (with wrapped-union branch names) to `body.cards[0].title`. */
function readablePath(root: Type, segments: string[]): string {
  let t = root as AnyType;
  let path = '';
  for (const segment of segments) {
    if (t.typeName === 'union:wrapped') {
      t = t.types!.find((b) => b.branchName === segment) ?? t;
      continue;
    }
    if (t.typeName === 'array') {
      path += `[${segment}]`;
      t = t.itemsType!;
    } else if (t.typeName === 'map') {
      path = join(path, segment);
      t = t.valuesType!;
    } else {
      path = join(path, segment);
      const field = t.fields?.find((f) => f.name === segment);
      if (field) t = field.type;
    }
  }
  return path || '(value)';
}

function describeType(type: Type): string {
  const t = type as AnyType & { symbols?: string[]; typeName: string };
  if (t.typeName === 'enum') return `${shortName(t.name)} (one of ${(t.symbols ?? []).join(', ')})`;
  if (t.typeName === 'logical:timestamp-millis') return 'timestamp (a Date)';
  if (t.typeName === 'union:unwrapped') return (t.types ?? []).map((b) => b.typeName).join(' or ');
  return shortName(t.name) || t.typeName;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  const json = JSON.stringify(value);
  return json && json.length > 60 ? `${json.slice(0, 57)}...` : String(json);
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

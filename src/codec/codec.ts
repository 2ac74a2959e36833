// EventCodec: values of the x7 topics ⇄ Confluent-framed Avro bytes.
//
// encode: validates against the subject's latest registered schema (its id cached
// for the life of the codec, as Confluent serializers do), then frames it.
// decode: reads the writer schema by id (cached once found; failures are not cached)
// and resolves it into the project's reader schema from schemas/, so records written
// with older schema versions still decode into today's shape.
import { readFileSync } from 'node:fs';
import type { Type } from 'avsc';
import type { Config } from '../config.js';
import type { TopicValues, ValueTopic } from '../events.js';
import { DEFAULT_TOPICS_FILE, loadTopics, subjectFor, topicName } from '../kafka/topics.js';
import { assertMappable, fromAvro, parseSchema, shortName, toAvro, validate, type FieldProblem } from './avro.js';
import {
  DecodeError,
  InvalidValueError,
  RegistryRequestError,
  SchemaMismatchError,
  UnknownSchemaError,
} from './errors.js';
import {
  createSchemaRegistry,
  DEFAULT_REGISTRY_TIMEOUT_MS,
  registryFailure,
  registryMessage,
  registryStatus,
  type SchemaRegistryClient,
} from './registry-client.js';
import { unframe } from './wire.js';

export interface Decoded<T> {
  value: T;
  schemaId: number;
  /** Full name of the record the writer used, e.g. ai.x7.chat.ChatMessage. */
  writerSchemaName: string;
}

export interface CodecOptions {
  /** topics.yaml to take the reader schemas from (default: the project's). */
  topicsFile?: string;
  /** Timeout of each registry request. */
  registryTimeoutMs?: number;
}

export class EventCodec {
  private readonly readers = new Map<string, Type>();
  private readonly latestIds = new Map<string, Promise<number>>();
  private readonly resolvers = new Map<string, ReturnType<Type['createResolver']>>();

  constructor(
    private readonly config: Pick<Config, 'schemaRegistryUrl' | 'topicPrefix'>,
    private readonly registry: SchemaRegistryClient,
    readerSchemas: ReadonlyMap<string, Type>,
  ) {
    for (const [topic, type] of readerSchemas) this.readers.set(topic, type);
  }

  /** The project's (reader) schema of a logical topic, for validation. */
  readerSchema(logicalTopic: ValueTopic): Type {
    const type = this.readers.get(logicalTopic);
    if (!type) throw new Error(`topic ${logicalTopic} has no value schema in topics.yaml`);
    return type;
  }

  /** Subject of a logical topic under this configuration's prefix. */
  subject(logicalTopic: ValueTopic): string {
    return subjectFor(topicName(this.config, logicalTopic));
  }

  /** Latest registered schema id of the topic's subject (cached after the first success). */
  async latestSchemaId(logicalTopic: ValueTopic): Promise<number> {
    const subject = this.subject(logicalTopic);
    let pending = this.latestIds.get(subject);
    if (!pending) {
      pending = this.registry.getLatestSchemaId(subject).catch((error: unknown) => {
        this.latestIds.delete(subject); // never cache a failure
        if (registryStatus(error) === 404) {
          throw new RegistryRequestError(`no schema is registered under ${subject} (run "x7 schemas register"): ${registryMessage(error)}`, 404);
        }
        throw registryFailure(error, `looking up the latest schema of ${subject}`, this.config.schemaRegistryUrl);
      });
      this.latestIds.set(subject, pending);
    }
    return pending;
  }

  /** Validates and encodes; throws InvalidValueError naming the bad field(s). */
  async encode<T extends ValueTopic>(logicalTopic: T, value: TopicValues[T]): Promise<Buffer> {
    this.readerSchema(logicalTopic); // fail early on a topic without a schema
    const schemaId = await this.latestSchemaId(logicalTopic);
    const writer = await this.writerSchema(schemaId, 'encoding');
    const problems: FieldProblem[] = [];
    const avroValue = toAvro(writer, value, problems);
    for (const p of validate(writer, avroValue)) {
      // A field toAvro already reported (missing, unknown) shows up again here; keep the first word.
      if (!problems.some((q) => p.field === q.field || p.field.startsWith(`${q.field}.`) || p.field.startsWith(`${q.field}[`))) problems.push(p);
    }
    if (problems.length > 0) {
      const detail = problems.map((p) => `${p.field} ${p.problem}`).join('; ');
      throw new InvalidValueError(logicalTopic, problems[0]!.field, problems.map((p) => p.field), detail);
    }
    try {
      return await this.registry.encode(schemaId, avroValue);
    } catch (error) {
      throw registryFailure(error, `encoding with schema id ${schemaId}`, this.config.schemaRegistryUrl);
    }
  }

  /**
   * Decodes a framed value into the project's shape for the topic. Bad bytes throw a
   * BadDataError (WIRE_FORMAT, UNKNOWN_SCHEMA, SCHEMA_MISMATCH, DECODE_ERROR); an
   * unreachable registry throws RegistryUnavailableError.
   */
  async decode<T extends ValueTopic>(logicalTopic: T, buffer: Buffer | null | undefined): Promise<Decoded<TopicValues[T]>> {
    const reader = this.readerSchema(logicalTopic);
    const { schemaId, body } = unframe(buffer);
    const writer = await this.writerSchema(schemaId, 'decoding');
    const writerName = (writer as Type & { name?: string }).name ?? '(unnamed)';
    const readerName = (reader as Type & { name?: string }).name ?? '';
    const readerAliases = (reader as Type & { aliases?: string[] }).aliases ?? [];
    if (writerName !== readerName && !readerAliases.includes(writerName)) {
      throw new SchemaMismatchError(`written with ${writerName} (schema id ${schemaId}), but ${logicalTopic} carries ${readerName}`);
    }
    const resolver = this.resolverFor(logicalTopic, schemaId, reader, writer);
    let raw: unknown;
    try {
      raw = reader.fromBuffer(body, resolver);
    } catch (error) {
      throw new DecodeError(`body does not decode with schema id ${schemaId} (${shortName(writerName)}): ${(error as Error).message}`, undefined, { cause: error });
    }
    return { value: fromAvro(reader, raw) as TopicValues[T], schemaId, writerSchemaName: writerName };
  }

  private resolverFor(topic: string, schemaId: number, reader: Type, writer: Type): ReturnType<Type['createResolver']> {
    const key = `${topic}#${schemaId}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      try {
        resolver = reader.createResolver(writer);
      } catch (error) {
        const message = (error as Error).message;
        // avsc says e.g. "no matching field for default-less ai.x7.chat.ChatMessage.tenantId".
        const field = /default-less [\w.]+\.(\w+)/.exec(message)?.[1];
        throw new SchemaMismatchError(`schema id ${schemaId} cannot be read as ${topic}'s schema: ${message}`, field);
      }
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }

  /** The writer schema of an id, as an avsc Type parsed with x7's options (the library caches it). */
  private async writerSchema(schemaId: number, purpose: 'encoding' | 'decoding'): Promise<Type> {
    let schema: unknown;
    try {
      schema = await this.registry.getSchema(schemaId);
    } catch (error) {
      const status = registryStatus(error);
      if (status === 404 && purpose === 'decoding') throw new UnknownSchemaError(schemaId, registryMessage(error));
      if (status === undefined) {
        // The registry answered, but with something avsc cannot parse as our kind of schema.
        throw new SchemaMismatchError(`schema id ${schemaId} is not a usable Avro schema: ${(error as Error).message}`);
      }
      throw registryFailure(error, `fetching schema id ${schemaId}`, this.config.schemaRegistryUrl);
    }
    if (typeof (schema as { typeName?: unknown }).typeName !== 'string') {
      throw new SchemaMismatchError(`schema id ${schemaId} is not an Avro schema`);
    }
    return schema as Type;
  }
}

/** Loads the reader schemas named in topics.yaml: logical topic → avsc Type. */
export function loadReaderSchemas(topicsFile: string = DEFAULT_TOPICS_FILE): Map<string, Type> {
  const readers = new Map<string, Type>();
  for (const spec of loadTopics(topicsFile)) {
    if (!spec.value) continue;
    let type: Type;
    try {
      type = parseSchema(readFileSync(spec.value.schemaPath, 'utf8'));
      assertMappable(type);
    } catch (error) {
      throw new Error(`schema ${spec.value.schema} of ${spec.name} cannot be used: ${(error as Error).message}`);
    }
    readers.set(spec.name, type);
  }
  return readers;
}

export function createCodec(config: Pick<Config, 'schemaRegistryUrl' | 'schemaRegistryAuth' | 'schemaRegistryCa' | 'topicPrefix'>, options: CodecOptions = {}): EventCodec {
  const registry = createSchemaRegistry(config, options.registryTimeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS);
  return new EventCodec(config, registry, loadReaderSchemas(options.topicsFile));
}

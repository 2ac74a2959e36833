// Registering value schemas and checking changes against the registry, driven by
// topics.yaml. The codec reads schemas through @kafkajs/confluent-schema-registry;
// these admin calls (config, compatibility with its reasons) are not in that
// library's public API, so they are plain HTTP against the Confluent-compatible API.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Config } from '../config.js';
import { RegistryRequestError, RegistryUnavailableError } from '../codec/errors.js';
import { DEFAULT_REGISTRY_TIMEOUT_MS, isUnavailableStatus } from '../codec/registry-client.js';
import { registryHttp, registryTarget, type RegistryConfig, type RegistryTarget } from '../codec/registry-http.js';
import { DEFAULT_TOPICS_FILE, loadTopics, subjectFor, topicName, type CompatibilityLevel, type TopicSpec } from '../kafka/topics.js';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

interface HttpAnswer {
  status: number;
  body: unknown;
}

/** Minimal client for the registry calls the schema commands need. */
export class RegistryAdmin {
  private readonly target: RegistryTarget;
  private readonly baseUrl: string;

  /** `registry`: the configuration (URL, basic auth, CA) or a bare URL of a registry without auth. */
  constructor(registry: RegistryConfig | string, private readonly timeoutMs = DEFAULT_REGISTRY_TIMEOUT_MS) {
    this.target = registryTarget(registry);
    this.baseUrl = this.target.url;
  }

  private async request(method: string, path: string, body?: unknown, base = this.baseUrl, contentType = CONTENT_TYPE): Promise<HttpAnswer> {
    let answer: { status: number; text: string };
    try {
      answer = await registryHttp({ ...this.target, url: base }, method, path, {
        body: body === undefined ? undefined : JSON.stringify(body),
        contentType,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      const cause = (error as { code?: string }).code ?? (error as Error).message;
      throw new RegistryUnavailableError(`schema registry at ${this.baseUrl} is unavailable (no answer: ${cause})`, undefined, { cause: error });
    }
    const text = answer.text;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text for the message
    }
    if (isUnavailableStatus(answer.status)) {
      throw new RegistryUnavailableError(`schema registry at ${this.baseUrl} is unavailable (HTTP ${answer.status}): ${messageOf(parsed)}`, answer.status);
    }
    return { status: answer.status, body: parsed };
  }

  private fail(what: string, answer: HttpAnswer): never {
    throw new RegistryRequestError(`schema registry refused ${what} (HTTP ${answer.status}): ${messageOf(answer.body)}`, answer.status);
  }

  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    const answer = await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
    if (answer.status !== 200) this.fail(`setting compatibility ${level} on ${subject}`, answer);
  }

  /** Registers a schema; the same schema again returns the same id. */
  async register(subject: string, schema: string): Promise<number> {
    const answer = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema });
    if (answer.status !== 200) this.fail(`registering a schema under ${subject}`, answer);
    return (answer.body as { id: number }).id;
  }

  /** Whether `schema` may follow the subject's latest version under its compatibility level; `null` when the subject has none. */
  async checkAgainstLatest(subject: string, schema: string): Promise<{ compatible: boolean; messages: string[] } | null> {
    const hasVersions = await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions`);
    if (hasVersions.status === 404) return null;
    if (hasVersions.status !== 200) this.fail(`listing the versions of ${subject}`, hasVersions);
    const answer = await this.request('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`, { schema });
    if (answer.status !== 200) this.fail(`checking ${subject}`, answer);
    const result = answer.body as { is_compatible?: boolean; messages?: unknown };
    const messages = Array.isArray(result.messages) ? result.messages.map(String) : [];
    if (result.is_compatible === false && messages.length === 0) messages.push(...(await this.apicurioReason(subject, schema)));
    return { compatible: result.is_compatible === true, messages };
  }

  /**
   * Apicurio's ccompat API answers `is_compatible: false` without messages; its own
   * v3 API gives the rule violation when asked for a dry-run registration (nothing is
   * stored). Confluent's registry has no such API and gives its messages above.
   */
  private async apicurioReason(subject: string, schema: string): Promise<string[]> {
    const native = this.baseUrl.replace(/\/apis\/ccompat\/v\d+$/, '/apis/registry/v3');
    if (native === this.baseUrl) return [];
    const answer = await this.request(
      'POST',
      `/groups/default/artifacts/${encodeURIComponent(subject)}/versions?dryRun=true`,
      { content: { content: schema, contentType: 'application/json' } },
      native,
      'application/json',
    );
    if (answer.status === 409 || answer.status === 422) {
      const body = answer.body as { title?: string; detail?: string; causes?: { description?: string; context?: string }[] };
      const causes = (body.causes ?? []).map((c) => `${c.description ?? '?'} at ${c.context ?? '?'}`);
      return [body.title ?? body.detail ?? messageOf(body), ...(causes.length > 0 ? [`causes: ${causes.join(', ')}`] : [])];
    }
    return [];
  }
}

function messageOf(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; detail?: unknown; title?: unknown };
    const text = b.message ?? b.detail ?? b.title;
    if (typeof text === 'string') return text;
    return JSON.stringify(body);
  }
  return String(body ?? '(empty answer)');
}

export interface SchemaSource {
  topic: TopicSpec;
  subject: string;
  /** The schema file used (from topics.yaml, or the same file name in --schemas-dir). */
  file: string;
  /** Compact JSON text of the schema, as sent to the registry. */
  schema: string;
}

/** The subjects of a topics file under this configuration, with their schema text. */
export function schemaSources(config: Pick<Config, 'topicPrefix'>, topicsFile = DEFAULT_TOPICS_FILE, schemasDir?: string): SchemaSource[] {
  return loadTopics(topicsFile).flatMap((topic) => {
    if (!topic.value) return [];
    const file = schemasDir ? join(schemasDir, basename(topic.value.schemaPath)) : topic.value.schemaPath;
    let schema: string;
    try {
      schema = JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      throw new Error(`cannot read the schema of ${topic.name} from ${file}: ${(error as Error).message}`);
    }
    return [{ topic, subject: subjectFor(topicName(config, topic.name)), file, schema }];
  });
}

export interface RegisterResult {
  subject: string;
  id: number;
  compatibility: CompatibilityLevel;
}

/** Sets each subject's compatibility level, then registers its schema. */
export async function registerSchemas(admin: RegistryAdmin, sources: SchemaSource[], progress: (line: string) => void = () => {}): Promise<RegisterResult[]> {
  const results: RegisterResult[] = [];
  for (const source of sources) {
    const compatibility = source.topic.value!.compatibility;
    progress(`registering ${source.subject}`);
    // The level first, so the registration itself is already checked against it.
    await admin.setCompatibility(source.subject, compatibility);
    const id = await admin.register(source.subject, source.schema);
    results.push({ subject: source.subject, id, compatibility });
  }
  return results;
}

export type CheckResult =
  | { subject: string; file: string; status: 'compatible' }
  | { subject: string; file: string; status: 'new' }
  | { subject: string; file: string; status: 'incompatible'; messages: string[] };

export async function checkSchemas(admin: RegistryAdmin, sources: SchemaSource[], progress: (line: string) => void = () => {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const source of sources) {
    progress(`checking ${source.subject}`);
    const answer = await admin.checkAgainstLatest(source.subject, source.schema);
    if (answer === null) results.push({ subject: source.subject, file: source.file, status: 'new' });
    else if (answer.compatible) results.push({ subject: source.subject, file: source.file, status: 'compatible' });
    else results.push({ subject: source.subject, file: source.file, status: 'incompatible', messages: answer.messages });
  }
  return results;
}

// Reads what the AsyncAPI document is generated from: the topics file, the .avsc files
// it names and the project's version. Shared by `x7 asyncapi` and the test that keeps
// docs/asyncapi.yaml up to date, so both generate from exactly the same inputs.
import { readFileSync } from 'node:fs';
import { DEFAULT_TOPICS_FILE, loadTopics, type TopicSpec } from '../kafka/topics.js';
import { projectPath } from '../paths.js';
import { buildAsyncApiDocument, type AsyncApiDocument } from './document.js';

export interface AsyncApiSources {
  topics: TopicSpec[];
  /** Parsed .avsc contents by `value.schema` as written in the topics file. */
  schemasByPath: Record<string, unknown>;
  version: string;
}

export function readAsyncApiSources(topicsFile: string = DEFAULT_TOPICS_FILE): AsyncApiSources {
  const topics = loadTopics(topicsFile);
  const schemasByPath: Record<string, unknown> = {};
  for (const { value } of topics) {
    if (!value || value.schema in schemasByPath) continue;
    let text: string;
    try {
      text = readFileSync(value.schemaPath, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${value.schemaPath}: ${(error as Error).message}`);
    }
    try {
      schemasByPath[value.schema] = JSON.parse(text);
    } catch (error) {
      throw new Error(`${value.schemaPath} is not JSON: ${(error as Error).message}`);
    }
  }
  return { topics, schemasByPath, version: projectVersion() };
}

/** The document for the project's (or the given) topics file. */
export function generateAsyncApiDocument(topicsFile?: string): AsyncApiDocument {
  const { topics, schemasByPath, version } = readAsyncApiSources(topicsFile);
  return buildAsyncApiDocument(topics, schemasByPath, version);
}

function projectVersion(): string {
  const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string' || pkg.version === '') throw new Error(`${projectPath('package.json')} has no version`);
  return pkg.version;
}

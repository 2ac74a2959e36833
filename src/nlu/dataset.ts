// The labeled utterances of nlu/dataset.jsonl: one JSON object a line, written by
// hand (not from the rules' regexes, which would make the rules look perfect), and
// their deterministic split into train / dev / test.
//
// The split is a stable hash of the chat type and the text, not the line number:
// adding or reordering lines never moves an existing example to another split, so
// figures from different days compare, and compile never sees a test example.
import { readFileSync } from 'node:fs';
import type { ChatType } from '../events.js';
import { INTENTS, type Intent } from '../understanding/intents.js';
import { projectPath } from '../paths.js';

export type Split = 'train' | 'dev' | 'test';
export const SPLITS: readonly Split[] = ['train', 'dev', 'test'];

/** Expected entities, where the rules are meant to read them. A field left out is not scored. */
export interface ExpectedEntities {
  partySize?: number;
  /** YYYY-MM-DD on the business's clock, relative to EVAL_NOW. */
  date?: string;
  /** HH:MM on the business's clock. */
  time?: string;
  categories?: string[];
  businessNames?: string[];
}

export interface Example {
  /** Stable: the hash the split comes from, in hex. */
  id: string;
  split: Split;
  line: number;
  chatType: ChatType;
  lang: 'en' | 'pt';
  text: string;
  intent: Intent;
  pendingSlots?: string[];
  hasPendingAction?: boolean;
  /** The business's category (DEDICATED), which decides how "at 8" is read; restaurant when absent. */
  businessCategory?: string;
  entities?: ExpectedEntities;
}

/** What the dataset's dates are relative to: a Wednesday, 11:00 in Lisbon. */
export const EVAL_NOW = new Date('2026-06-03T10:00:00Z');
export const EVAL_TIME_ZONE = 'Europe/Lisbon';
export const DEFAULT_DATASET = projectPath('nlu/dataset.jsonl');
export const DEFAULT_CATALOG = projectPath('nlu/catalog.json');

/** FNV-1a, 32 bits: tiny, stable across Node versions and platforms. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** 60 / 20 / 20 by the hash of chat type and text. */
export function splitOf(chatType: string, text: string): Split {
  const bucket = stableHash(`${chatType}\u0000${text}`) % 100;
  return bucket < 60 ? 'train' : bucket < 80 ? 'dev' : 'test';
}

const CHAT_TYPES = new Set<string>(['DEDICATED', 'DASHBOARD', 'GLOBAL']);

/** The dataset's lines, checked: a typo in an intent or a chat type is an error with its line number, not a silent miss. */
export function parseDataset(source: string): Example[] {
  const examples: Example[] = [];
  const seen = new Set<string>();
  source.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('//')) return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new Error(`dataset line ${line}: not JSON`);
    }
    const { chat, lang, text, intent } = row;
    if (typeof chat !== 'string' || !CHAT_TYPES.has(chat)) throw new Error(`dataset line ${line}: chat must be DEDICATED, DASHBOARD or GLOBAL`);
    const chatType = chat as ChatType;
    if (lang !== 'en' && lang !== 'pt') throw new Error(`dataset line ${line}: lang must be en or pt`);
    if (typeof text !== 'string' || text.trim() === '') throw new Error(`dataset line ${line}: text missing`);
    if (typeof intent !== 'string' || !(INTENTS[chatType] as readonly string[]).includes(intent)) {
      throw new Error(`dataset line ${line}: ${JSON.stringify(intent)} is not a ${chatType} intent`);
    }
    const key = `${chatType}\u0000${text}`;
    if (seen.has(key)) throw new Error(`dataset line ${line}: duplicate of an earlier ${chatType} line`);
    seen.add(key);
    const example: Example = {
      id: stableHash(key).toString(16).padStart(8, '0'),
      split: splitOf(chatType, text),
      line,
      chatType,
      lang,
      text,
      intent: intent as Intent,
    };
    if (Array.isArray(row.pending)) example.pendingSlots = row.pending as string[];
    if (row.pendingAction === true) example.hasPendingAction = true;
    if (typeof row.category === 'string') example.businessCategory = row.category;
    if (row.entities && typeof row.entities === 'object') example.entities = row.entities as ExpectedEntities;
    examples.push(example);
  });
  return examples;
}

export function loadDataset(path = DEFAULT_DATASET): Example[] {
  return parseDataset(readFileSync(path, 'utf8'));
}

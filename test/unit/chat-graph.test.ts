// The shared chat processor (processors/shared/processor.ts) over the conversation
// store, with fake agents, a fake workflow manager and a fake pg pool that answers
// from memory (no services): state across turns on both paths (direct and graph),
// exactly-once outputs for a message processed again, no state when a stage fails,
// and a state that stays small however long the conversation.
import type pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage, OutboundEvent } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { DependencyUnavailableError } from '../../src/pipeline/errors.js';
import { ProcessorRegistry, type ChatProcessor, type ProcessingContext, type ProcessorOutput, type ProcessorResult } from '../../src/pipeline/processor.js';
import { RECENT_EVENT_IDS } from '../../src/state/conversation-store.js';
import type { Agent, AgentResult } from '../../processors/shared/agent.js';
import { ConversationCheckpointer } from '../../processors/shared/checkpointer.js';
import type { ProcessorDeps, WorkflowStarter } from '../../processors/shared/deps.js';
import { createChatProcessor } from '../../processors/shared/processor.js';
import { MAX_TURNS, type ConversationState } from '../../processors/shared/state.js';
import { createProcessors } from '../../processors/index.js';
import { chatDeps } from '../support/chat.js';

const logger = createLogger('test', 'silent');
const clock = { now: () => Date.parse('2026-11-25T12:00:00Z') };
const DATABASE_URL = 'postgres://x/y';

/** What the fake database holds and what was written to it. */
interface FakeDb {
  pool: pg.Pool;
  /** Every statement's first words, in order. */
  log: string[];
  /** processed_events: event id → outputs (as read back from jsonb). */
  processed: Map<string, unknown>;
  /** Every committed flush's state writes: conversation id → the state as written (JSON). */
  stateWrites: Array<Record<string, string>>;
  /** Committed messages rows: [eventId, role, text]. */
  messages: Array<[string, string, string]>;
  transactions: { begun: number; committed: number; rolledBack: number };
}

/** A pool that answers the processor's and the conversation store's queries from memory. */
function fakeDb(): FakeDb {
  const db: FakeDb = { pool: undefined as never, log: [], processed: new Map(), stateWrites: [], messages: [], transactions: { begun: 0, committed: 0, rolledBack: 0 } };
  type StateRow = { state: unknown; version: string; last_partition: number; last_offset: string; recent_event_ids: string[]; updated_at: Date };
  const states = new Map<string, StateRow>();

  const answer = async (sql: string, params: unknown[] = [], writes?: Array<() => void>) => {
    db.log.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
    const write = (apply: () => void) => (writes ? writes.push(apply) : apply());
    if (/^\s*BEGIN/.test(sql)) { db.transactions.begun += 1; return { rows: [], rowCount: 0 }; }
    if (/^\s*COMMIT/.test(sql)) { db.transactions.committed += 1; return { rows: [], rowCount: 0 }; }
    if (/^\s*ROLLBACK/.test(sql)) { db.transactions.rolledBack += 1; return { rows: [], rowCount: 0 }; }
    if (/from businesses b\b[\s\S]*where b\.id = any/.test(sql)) {
      return { rows: (params[0] as string[]).map((id) => ({ id, name: 'Test', category: 'restaurant', timezone: 'Europe/Lisbon', accepting_bookings: true, capacity_per_slot: 10, slot_minutes: 30, phone: null, address: 'Rua', announcements: [] })) };
    }
    if (/from businesses order by id/.test(sql)) return { rows: [] };
    if (/from conversation_state where conversation_id/.test(sql)) {
      const row = states.get(params[0] as string);
      return { rows: row ? [row] : [], rowCount: row ? 1 : 0 };
    }
    if (/select outputs from processed_events where event_id = \$1/.test(sql)) {
      const id = params[0] as string;
      return db.processed.has(id) ? { rows: [{ outputs: db.processed.get(id) }], rowCount: 1 } : { rows: [], rowCount: 0 };
    }
    if (/^\s*with doc as \(select \$1::jsonb as d\)/.test(sql)) {
      // The store's flush: one JSON document with every row of the run.
      type Doc = {
        messages: Array<{ event_id: string; role: string; text: string }>;
        processed: Array<{ event_id: string; outputs: unknown }>;
        states: Array<{ conversation_id: string; state: unknown; version: number; base_version: number; last_partition: number; last_offset: string; recent_event_ids: string[] }>;
      };
      const doc = JSON.parse(params[0] as string) as Doc;
      // The optimistic lock: a state is written only where the version is still the one read.
      const written = doc.states.filter((x) => (states.get(x.conversation_id) ? Number(states.get(x.conversation_id)!.version) : 0) === x.base_version);
      write(() => {
        doc.messages.forEach((m) => db.messages.push([m.event_id, m.role, m.text]));
        doc.processed.forEach((p) => { if (!db.processed.has(p.event_id)) db.processed.set(p.event_id, p.outputs); });
        db.stateWrites.push(Object.fromEntries(written.map((x) => [x.conversation_id, JSON.stringify(x.state)])));
        written.forEach((x) => states.set(x.conversation_id, {
          state: x.state, version: String(x.version), last_partition: x.last_partition, last_offset: String(x.last_offset),
          recent_event_ids: x.recent_event_ids, updated_at: new Date(),
        }));
      });
      return { rows: [{ written: written.map((x) => x.conversation_id) }], rowCount: 1 };
    }
    throw new Error(`the fake database does not expect: ${sql}`);
  };

  // pg's query(text, values) or query({name?, text, values}): named ones are prepared statements.
  type Query = string | { text: string; values?: unknown[] };
  const textOf = (q: Query) => (typeof q === 'string' ? q : q.text);
  const valuesOf = (q: Query, params?: unknown[]) => (typeof q === 'string' ? params : q.values);
  db.pool = {
    query: (q: Query, params?: unknown[]) => answer(textOf(q), valuesOf(q, params)),
    connect: async () => {
      // Writes become visible on COMMIT only, as in a transaction.
      let writes: Array<() => void> = [];
      return {
        query: async (q: Query, params?: unknown[]) => {
          const sql = textOf(q);
          const result = await answer(sql, valuesOf(q, params), writes);
          if (/^\s*COMMIT/.test(sql)) writes.splice(0).forEach((apply) => apply());
          if (/^\s*ROLLBACK/.test(sql)) writes = [];
          return result;
        },
        release: () => undefined,
      };
    },
  } as unknown as pg.Pool;
  return db;
}

function message(text: string, eventId: string): ChatMessage {
  return {
    eventId, conversationId: 'c-1', chatType: 'DEDICATED', userId: 'u-1', businessId: 'b-1', text,
    channel: 'WEB', locale: 'en', location: null, sentAt: new Date('2026-11-25T11:59:00Z'), clientMessageId: null, senderRole: null,
  };
}

const accepting = { startWorkflow: async () => ({ workflowId: 'w', runId: 'r', alreadyStarted: false }), cancelWorkflow: async () => { throw new Error('no'); } };

function setup(agents: Agent[], workflows: Partial<WorkflowStarter> = {}) {
  const db = fakeDb();
  const deps: ProcessorDeps = chatDeps(db.pool, DATABASE_URL, { ...accepting, ...workflows } as WorkflowStarter, clock);
  const processor = createChatProcessor({ chatType: 'DEDICATED', agents }, deps);
  /** As the runtime does: the message at `offset` of partition 0, then the store's flush (its commit). */
  const deliver = async (m: ChatMessage, offset: number): Promise<ProcessorResult> => {
    const context: ProcessingContext = { logger, source: { topic: 'chat.inbound', partition: 0, offset: String(offset) }, clock, stageLatenciesMs: { decode: 1, validate: 2 } };
    try {
      const result = await processor.process(m, context);
      await deps.store.flush(0);
      return result;
    } catch (error) {
      deps.store.rollback(0);
      throw error;
    }
  };
  let next = 0;
  /** The message at the next offset. */
  const say = (m: ChatMessage) => deliver(m, next++);
  /** The conversation state of the last committed write. */
  const lastState = (): ConversationState => {
    return JSON.parse(db.stateWrites.at(-1)!['c-1']!) as ConversationState;
  };
  return { processor, deps, db, deliver, say, lastState };
}

const replyOf = (outputs: ProcessorOutput[]) => outputs.map((o) => o.value as OutboundEvent).find((v) => v.body?.type === 'Reply')!.body;
const factOf = (outputs: ProcessorOutput[]) => outputs.find((o) => o.topic === 'chat.analytics')!.value as { agent: string; agentReason: string; intent: string; outcome: string; stageLatenciesMs: Record<string, number> };

/** Which path each message took: the graph path saves its state through the checkpointer, the direct path does not. */
function pathSpy() {
  const put = vi.spyOn(ConversationCheckpointer.prototype, 'put');
  let seen = 0;
  return () => {
    const path = put.mock.calls.length > seen ? 'graph' : 'direct';
    seen = put.mock.calls.length;
    return path;
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the chat processor', () => {
  it('carries agent memory and the open task across turns, and records why', async () => {
    const counter: Agent = {
      name: 'counter', chatTypes: ['DEDICATED'], intents: ['*'], tools: [],
      async handle(input) {
        const count = ((input.memory.count as number | undefined) ?? 0) + 1;
        return { text: `message ${count} (${input.turns.length} turns)`, outcome: 'ANSWERED', memory: { count }, task: count === 1 ? { pendingSlots: ['time'], awaitingConfirmation: false, description: 'counting' } : null };
      },
    };
    const { say, lastState } = setup([counter]);
    const first = await say(message('hello there', 'e1'));
    expect(replyOf(first.outputs)).toMatchObject({ text: 'message 1 (1 turns)', agent: 'counter' });
    expect(first.outcome).toBe('ANSWERED');
    const second = await say(message('7pm', 'e2'));
    expect(replyOf(second.outputs)).toMatchObject({ text: 'message 2 (3 turns)' });
    const fact = factOf(second.outputs);
    expect(fact.intent).toBe('provide_details');
    expect(fact.agentReason).toMatch(/continues counter's counting \(awaiting time\)/);
    expect(Object.keys(fact.stageLatenciesMs).sort()).toEqual(['agent', 'conversation', 'decode', 'respond', 'validate', 'workflow']);
    // The task was closed by the second answer; the memory is what the store writes.
    expect(lastState()).toMatchObject({ memory: { counter: { count: 2 } }, openTask: null });
    expect(lastState().turns.map((t) => [t.role, t.eventId])).toEqual([['user', 'e1'], ['assistant', 'e1'], ['user', 'e2'], ['assistant', 'e2']]);
  });

  it('carries the same state through the direct path and the graph, either way', async () => {
    // chat answers questions (direct); booker may open a task (graph).
    const chat: Agent = {
      name: 'chat', chatTypes: ['DEDICATED'], intents: ['greeting', 'hours'], tools: [],
      async handle(input) {
        const seen = ((input.memory.seen as number | undefined) ?? 0) + 1;
        const heard = input.turns.filter((t) => t.role === 'assistant').map((t) => t.agent).join(',');
        return { text: `chat ${seen}; ${input.turns.length} turns; before me: ${heard || 'nobody'}; task: ${input.openTask?.description ?? 'none'}`, outcome: 'ANSWERED', memory: { seen } };
      },
    };
    const booker: Agent = {
      name: 'booker', chatTypes: ['DEDICATED'], intents: ['book'], tools: [], opensTasks: true,
      async handle(input): Promise<AgentResult> {
        if (!input.openTask) {
          return { text: `What time? (${input.turns.length} turns)`, outcome: 'ANSWERED', memory: { partySize: 2 }, task: { pendingSlots: ['time'], awaitingConfirmation: false, description: 'table booking' } };
        }
        return { text: `Booked for ${input.memory.partySize as number} (${input.turns.length} turns)`, outcome: 'ANSWERED', memory: { ...input.memory, booked: true }, task: null };
      },
    };
    const path = pathSpy();
    const { say, lastState } = setup([chat, booker]);

    const t1 = await say(message('hi', 'e1'));
    expect(path()).toBe('direct');
    expect(replyOf(t1.outputs)).toMatchObject({ text: 'chat 1; 1 turns; before me: nobody; task: none', agent: 'chat' });

    const t2 = await say(message('book a table for 2 please', 'e2'));
    expect(path()).toBe('graph');
    expect(replyOf(t2.outputs)).toMatchObject({ text: 'What time? (3 turns)', agent: 'booker' });
    expect(lastState()).toMatchObject({ memory: { chat: { seen: 1 }, booker: { partySize: 2 } }, openTask: { agent: 'booker', pendingSlots: ['time'] } });

    const t3 = await say(message('7pm', 'e3'));
    expect(path()).toBe('graph');
    expect(replyOf(t3.outputs)).toMatchObject({ text: 'Booked for 2 (5 turns)', agent: 'booker' });
    expect(factOf(t3.outputs).agentReason).toMatch(/continues booker's table booking \(awaiting time\)/);

    const t4 = await say(message('what time do you open?', 'e4'));
    expect(path()).toBe('direct');
    expect(replyOf(t4.outputs)).toMatchObject({ text: 'chat 2; 7 turns; before me: chat,booker,booker; task: none', agent: 'chat' });
    expect(lastState()).toEqual({
      turns: expect.any(Array),
      memory: { chat: { seen: 2 }, booker: { partySize: 2, booked: true } },
      openTask: null,
    });
    expect(lastState().turns.map((t) => `${t.role}:${t.eventId}`)).toEqual([
      'user:e1', 'assistant:e1', 'user:e2', 'assistant:e2', 'user:e3', 'assistant:e3', 'user:e4', 'assistant:e4',
    ]);
  });

  it('returns the stored outputs for a message applied already, without running agents or writing again', async () => {
    let calls = 0;
    const agent: Agent = { name: 'once', chatTypes: ['DEDICATED'], intents: ['*'], tools: [], async handle() { calls += 1; return { text: `call ${calls}`, outcome: 'ANSWERED' }; } };
    const { deliver, db } = setup([agent]);
    const first = await deliver(message('hi', 'e1'), 0);
    expect(db.stateWrites).toHaveLength(1);

    // Redelivered at the same offset (committed in PostgreSQL, not in Kafka).
    const again = await deliver(message('hi', 'e1'), 0);
    expect(calls).toBe(1);
    expect(again).toEqual(first);
    expect((again.outputs[0]!.value as OutboundEvent).producedAt).toBeInstanceOf(Date);

    // The same eventId at a later offset (a producer's duplicate).
    const duplicate = await deliver(message('hi', 'e1'), 5);
    expect(calls).toBe(1);
    expect(duplicate).toEqual(first);
    expect(db.stateWrites).toHaveLength(1);
    expect(db.messages.map(([, role, text]) => [role, text])).toEqual([['user', 'hi'], ['assistant', 'call 1']]);
  });

  it('returns the first copy\'s outputs for a duplicate in the same commit run (staged, not yet written)', async () => {
    let calls = 0;
    const agent: Agent = { name: 'once', chatTypes: ['DEDICATED'], intents: ['*'], tools: [], async handle() { calls += 1; return { text: `call ${calls}`, outcome: 'ANSWERED' }; } };
    const { deps, db } = setup([agent]);
    const at = (offset: number): ProcessingContext => ({ logger, source: { topic: 'chat.inbound', partition: 0, offset: String(offset) }, clock, stageLatenciesMs: { decode: 1, validate: 2 } });
    // Two records of one run, one flush after both, as the runtime batches them.
    const first = await deps.store.read(0, 'c-1').then(() => createChatProcessor({ chatType: 'DEDICATED', agents: [agent] }, deps).process(message('hi', 'e1'), at(0)));
    const duplicate = await createChatProcessor({ chatType: 'DEDICATED', agents: [agent] }, deps).process(message('hi', 'e1'), at(1));
    await deps.store.flush(0);
    expect(calls).toBe(1);
    expect(duplicate).toEqual(first);
    expect(db.stateWrites).toHaveLength(1);
  });

  it.each([
    ['direct', false],
    ['graph', true],
  ] as const)('writes no state when a later stage fails, and the retry runs from the same state (%s path)', async (expectedPath, opensTasks) => {
    let temporalUp = false;
    let calls = 0;
    const booker: Agent = {
      name: 'booker', chatTypes: ['DEDICATED'], intents: ['*'], tools: [], opensTasks,
      async handle(input) {
        calls += 1;
        const n = ((input.memory.n as number | undefined) ?? 0) + 1;
        return { text: `booking ${n}`, outcome: 'WORKFLOW_STARTED', memory: { n }, workflows: [{ action: 'start', kind: 'voiceCallback', input: { businessId: 'b-1', conversationId: 'c-1', userId: 'u-1', callbackAt: '2026-11-26T10:00:00Z', causationId: input.message.eventId } }] };
      },
    };
    const started: string[] = [];
    const path = pathSpy();
    const { deliver, deps, db, lastState } = setup([booker], {
      startWorkflow: (async (_kind: string, input: { causationId: string }) => {
        if (!temporalUp) throw new DependencyUnavailableError('temporal', 'down');
        started.push(input.causationId);
        return { workflowId: `w-${input.causationId}`, runId: 'r', alreadyStarted: false };
      }) as never,
    });
    await expect(deliver(message('call me back', 'e1'), 0)).rejects.toBeInstanceOf(DependencyUnavailableError);
    // Nothing staged, nothing written.
    expect(await deps.store.read(0, 'c-1')).toMatchObject({ state: null, version: 0, position: null, recentEventIds: [] });
    expect(db.transactions.begun).toBe(0);
    expect(db.stateWrites).toHaveLength(0);

    temporalUp = true;
    const retried = await deliver(message('call me back', 'e1'), 0);
    expect(path()).toBe(expectedPath);
    expect(replyOf(retried.outputs)).toMatchObject({ text: 'booking 1' });
    expect(retried.outcome).toBe('WORKFLOW_STARTED');
    expect(started).toEqual(['e1']);
    expect(calls).toBe(2);
    expect(lastState().memory).toEqual({ booker: { n: 1 } });
  });

  it('lets a declining agent pass to the next candidate and a contributor add to the answer', async () => {
    const hours: Agent = { name: 'hours', chatTypes: ['DEDICATED'], intents: ['hours'], tools: [], async handle() { return null; } };
    const faq: Agent = { name: 'faq', chatTypes: ['DEDICATED'], intents: ['faq'], tools: [], canContribute: true, async handle() { return { text: 'Parking is round the corner.', outcome: 'ANSWERED' }; } };
    const handoff: Agent = { name: 'handoff', chatTypes: ['DEDICATED'], intents: ['*'], tools: [], async handle() { return { text: 'A person will reply.', outcome: 'HANDED_OFF' }; } };
    const { say } = setup([faq, hours, handoff]);
    const { outputs, outcome } = await say(message('do you have parking? and when do you open?', 'e1'));
    const reply = replyOf(outputs);
    const fact = factOf(outputs);
    expect(fact.agentReason).toContain('declined: hours');
    expect(fact.agentReason).toContain('contributed: faq');
    expect(reply).toMatchObject({ text: 'A person will reply.\n\nParking is round the corner.', agent: 'handoff+faq' });
    expect(fact.outcome).toBe('HANDED_OFF');
    expect(outcome).toBe('HANDED_OFF');
  });

  it('keeps the state small however long the conversation, on both paths', async () => {
    const long = 'x'.repeat(2_000);
    const chat: Agent = {
      name: 'chat', chatTypes: ['DEDICATED'], intents: ['*'], tools: [],
      async handle(input) { return { text: `${long} ${input.message.eventId}`, outcome: 'ANSWERED', memory: { seen: ((input.memory.seen as number | undefined) ?? 0) + 1 } }; },
    };
    const booker: Agent = {
      name: 'booker', chatTypes: ['DEDICATED'], intents: ['book'], tools: [], opensTasks: true,
      async handle(input) { return { text: `${long} booked ${input.message.eventId}`, outcome: 'ANSWERED', memory: { booked: ((input.memory.booked as number | undefined) ?? 0) + 1 } }; },
    };
    const path = pathSpy();
    const { say, db, deps, lastState } = setup([chat, booker]);
    const paths = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const text = i % 2 === 0 ? `book a table for 2 please ${'and more words '.repeat(40)}` : `hello ${'and more words '.repeat(40)}`;
      await say(message(text, `e${i}`));
      paths.add(path());
    }
    expect(paths).toEqual(new Set(['direct', 'graph']));
    expect(db.stateWrites).toHaveLength(200);
    const json = db.stateWrites.at(-1)!['c-1']!;
    expect(Buffer.byteLength(json, 'utf8')).toBeLessThan(16 * 1024);
    const state = lastState();
    expect(state.turns.length).toBeLessThanOrEqual(MAX_TURNS);
    expect(state.turns.length).toBeLessThanOrEqual(12);
    expect(state.turns.at(-1)).toMatchObject({ role: 'assistant', eventId: 'e199' });
    expect(state.memory).toEqual({ chat: { seen: 100 }, booker: { booked: 100 } });
    expect((await deps.store.read(0, 'c-1')).recentEventIds).toHaveLength(RECENT_EVENT_IDS);
  });

  it('builds the shipped processors, one per chat type, without touching a service', () => {
    const { deps, db } = setup([]);
    expect(() => new ProcessorRegistry(createProcessors(deps) as ChatProcessor[])).not.toThrow();
    expect(db.log).toEqual([]);
  });
});

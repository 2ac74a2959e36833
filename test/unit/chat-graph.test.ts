// The shared chat graph with an in-memory checkpointer and fake agents, database
// and workflow manager: state across turns, exactly-once effects under retries,
// and no state written when a stage fails.
import { MemorySaver } from '@langchain/langgraph-checkpoint';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, OutboundEvent } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { DependencyUnavailableError } from '../../src/pipeline/errors.js';
import type { ProcessingContext, ProcessorOutput } from '../../src/pipeline/processor.js';
import type { Agent } from '../../processors/shared/agent.js';
import type { ProcessorDeps, WorkflowStarter } from '../../processors/shared/deps.js';
import { createChatProcessor } from '../../processors/shared/graph.js';
import { createProcessors } from '../../processors/index.js';
import { ProcessorRegistry } from '../../src/pipeline/processor.js';

const logger = createLogger('test', 'silent');
const context: ProcessingContext = { logger, source: { topic: 't', partition: 0, offset: '0' }, clock: { now: () => Date.parse('2026-11-25T12:00:00Z') }, stageLatenciesMs: { decode: 1, validate: 2 } };

/** A pool that answers the graph's queries from memory. */
function fakePool(log: string[]): pg.Pool {
  const query = async (sql: string, params: unknown[] = []) => {
    log.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
    if (/from businesses where id/.test(sql)) {
      return { rows: [{ id: params[0], name: 'Test', category: 'restaurant', timezone: 'Europe/Lisbon', accepting_bookings: true, capacity_per_slot: 10, slot_minutes: 30, phone: null, address: 'Rua' }] };
    }
    if (/from businesses order by id/.test(sql)) return { rows: [] };
    return { rows: [] };
  };
  const client = { query, release: () => undefined };
  return { query, connect: async () => client } as unknown as pg.Pool;
}

function message(text: string, eventId: string): ChatMessage {
  return {
    eventId, conversationId: 'c-1', chatType: 'DEDICATED', userId: 'u-1', businessId: 'b-1', text,
    channel: 'WEB', locale: 'en', location: null, sentAt: new Date('2026-11-25T11:59:00Z'), clientMessageId: null,
  };
}

function setup(agents: Agent[], workflows: Partial<WorkflowStarter> = {}) {
  const sql: string[] = [];
  const deps: ProcessorDeps = {
    pool: fakePool(sql),
    checkpointer: new MemorySaver(),
    workflows: { startWorkflow: async () => ({ workflowId: 'w', runId: 'r', alreadyStarted: false }), cancelWorkflow: async () => { throw new Error('no'); }, ...workflows } as WorkflowStarter,
    config: { databaseUrl: 'postgres://x/y' },
    clock: context.clock,
  };
  return { processor: createChatProcessor({ chatType: 'DEDICATED', agents }, deps), sql, deps };
}

const replyOf = (outputs: ProcessorOutput[]) => outputs.map((o) => o.value as OutboundEvent).find((v) => v.body?.type === 'Reply')!.body;

describe('the chat graph', () => {
  it('carries agent memory and the open task across turns, and records why', async () => {
    const counter: Agent = {
      name: 'counter', chatTypes: ['DEDICATED'], intents: ['*'], tools: [],
      async handle(input) {
        const count = ((input.memory.count as number | undefined) ?? 0) + 1;
        return { text: `message ${count} (${input.turns.length} turns)`, outcome: 'ANSWERED', memory: { count }, task: count === 1 ? { pendingSlots: ['time'], awaitingConfirmation: false, description: 'counting' } : null };
      },
    };
    const { processor } = setup([counter]);
    const first = await processor.process(message('hello there', 'e1'), context);
    expect(replyOf(first)).toMatchObject({ text: 'message 1 (1 turns)', agent: 'counter' });
    const second = await processor.process(message('7pm', 'e2'), context);
    expect(replyOf(second)).toMatchObject({ text: 'message 2 (3 turns)' });
    const fact = second.find((o) => o.topic === 'chat.analytics')!.value as { agentReason: string; intent: string; stageLatenciesMs: Record<string, number> };
    expect(fact.intent).toBe('provide_details');
    expect(fact.agentReason).toMatch(/continues counter's counting \(awaiting time\)/);
    expect(Object.keys(fact.stageLatenciesMs).sort()).toEqual(['agent', 'conversation', 'decode', 'respond', 'validate', 'workflow']);
  });

  it('returns the stored outputs for an eventId already processed, without running agents', async () => {
    let calls = 0;
    const agent: Agent = { name: 'once', chatTypes: ['DEDICATED'], intents: ['*'], tools: [], async handle() { calls += 1; return { text: `call ${calls}`, outcome: 'ANSWERED' }; } };
    const { processor } = setup([agent]);
    const first = await processor.process(message('hi', 'e1'), context);
    const again = await processor.process(message('hi', 'e1'), context);
    expect(calls).toBe(1);
    expect(again).toEqual(first);
    expect((again[0]!.value as OutboundEvent).producedAt).toBeInstanceOf(Date);
  });

  it('writes no state when a later stage fails, and the retry runs from the same state', async () => {
    let temporalUp = false;
    let calls = 0;
    const booker: Agent = {
      name: 'booker', chatTypes: ['DEDICATED'], intents: ['*'], tools: [],
      async handle(input) {
        calls += 1;
        const n = ((input.memory.n as number | undefined) ?? 0) + 1;
        return { text: `booking ${n}`, outcome: 'WORKFLOW_STARTED', memory: { n }, workflows: [{ action: 'start', kind: 'voiceCallback', input: { businessId: 'b-1', conversationId: 'c-1', userId: 'u-1', callbackAt: '2026-11-26T10:00:00Z', causationId: input.message.eventId } }] };
      },
    };
    const started: string[] = [];
    const { processor } = setup([booker], {
      startWorkflow: (async (_kind: string, input: { causationId: string }) => {
        if (!temporalUp) throw new DependencyUnavailableError('temporal', 'down');
        started.push(input.causationId);
        return { workflowId: `w-${input.causationId}`, runId: 'r', alreadyStarted: false };
      }) as never,
    });
    await expect(processor.process(message('call me back', 'e1'), context)).rejects.toBeInstanceOf(DependencyUnavailableError);
    temporalUp = true;
    const outputs = await processor.process(message('call me back', 'e1'), context);
    expect(replyOf(outputs)).toMatchObject({ text: 'booking 1' });
    expect(started).toEqual(['e1']);
    expect(calls).toBe(2);
  });

  it('lets a declining agent pass to the next candidate and a contributor add to the answer', async () => {
    const hours: Agent = { name: 'hours', chatTypes: ['DEDICATED'], intents: ['hours'], tools: [], async handle() { return null; } };
    const faq: Agent = { name: 'faq', chatTypes: ['DEDICATED'], intents: ['faq'], tools: [], canContribute: true, async handle() { return { text: 'Parking is round the corner.', outcome: 'ANSWERED' }; } };
    const handoff: Agent = { name: 'handoff', chatTypes: ['DEDICATED'], intents: ['*'], tools: [], async handle() { return { text: 'A person will reply.', outcome: 'HANDED_OFF' }; } };
    const { processor } = setup([faq, hours, handoff]);
    const outputs = await processor.process(message('do you have parking? and when do you open?', 'e1'), context);
    const reply = replyOf(outputs);
    const fact = outputs.find((o) => o.topic === 'chat.analytics')!.value as { agent: string; agentReason: string; outcome: string };
    expect(fact.agentReason).toContain('declined: hours');
    expect(fact.agentReason).toContain('contributed: faq');
    expect(reply).toMatchObject({ text: 'A person will reply.\n\nParking is round the corner.', agent: 'handoff+faq' });
    expect(fact.outcome).toBe('HANDED_OFF');
  });

  it('builds the shipped processors, one per chat type, without touching a service', () => {
    const { deps } = setup([]);
    expect(() => new ProcessorRegistry(createProcessors(deps))).not.toThrow();
  });
});

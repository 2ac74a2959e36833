// A LangGraph graph compiled with RedisCheckpointSaver keeps a conversation's
// state across processor restarts (a new client and a new saver for the same
// thread), keeps conversations apart, and resumes an interrupted run after a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { Annotation, Command, END, MessagesAnnotation, START, StateGraph, interrupt } from '@langchain/langgraph';
import type { Redis } from 'ioredis';
import { RedisCheckpointSaver } from '../../src/state/redis-checkpointer.js';
import { connectRedis } from '../../src/state/redis.js';
import { deleteByPrefix, testConfig, uniqueKeyPrefix } from '../support/redis.js';

const State = Annotation.Root({
  ...MessagesAnnotation.spec,
  turns: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
});

/** One reply per message, and a turn counter, as a conversation stage would keep. */
function chatGraph(saver: RedisCheckpointSaver) {
  return new StateGraph(State)
    .addNode('respond', (state: typeof State.State) => {
      const last = state.messages.at(-1);
      return { messages: [{ role: 'ai', content: `reply ${state.turns + 1} to ${String(last?.content)}` }], turns: 1 };
    })
    .addEdge(START, 'respond')
    .addEdge('respond', END)
    .compile({ checkpointer: saver });
}

/** Asks for a confirmation before it acts, like a dashboard management action. */
function confirmGraph(saver: RedisCheckpointSaver) {
  return new StateGraph(State)
    .addNode('confirm', () => {
      const answer = interrupt<string, string>('confirm?');
      return { messages: [{ role: 'ai', content: `confirmed: ${answer}` }], turns: 1 };
    })
    .addEdge(START, 'confirm')
    .addEdge('confirm', END)
    .compile({ checkpointer: saver });
}

const texts = (messages: BaseMessage[]) => messages.map((m) => `${m.getType()}:${String(m.content)}`);

describe('RedisCheckpointSaver with a LangGraph graph', () => {
  const config = testConfig();
  const keyPrefix = uniqueKeyPrefix('graph');
  const clients: Redis[] = [];

  /** A fresh "process": its own connection and saver over the same keys. */
  async function restartProcess(): Promise<RedisCheckpointSaver> {
    const redis = await connectRedis(config);
    clients.push(redis);
    return new RedisCheckpointSaver(redis, { ttlSeconds: 600, keyPrefix });
  }

  beforeAll(async () => {
    await restartProcess();
  });

  afterAll(async () => {
    await deleteByPrefix(clients[0]!, keyPrefix);
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('keeps a conversation across two saver instances and keeps threads apart', async () => {
    const first = chatGraph(await restartProcess());
    const conversation = { configurable: { thread_id: 'c-restart' } };
    const other = { configurable: { thread_id: 'c-other' } };

    await first.invoke({ messages: [new HumanMessage('table for 4')] }, conversation);
    await first.invoke({ messages: [new HumanMessage('hi there')] }, other);

    // The processor restarts: nothing survives in memory.
    const second = chatGraph(await restartProcess());
    const after = await second.invoke({ messages: [new HumanMessage('tomorrow at 7pm')] }, conversation);

    expect(after.turns).toBe(2);
    expect(texts(after.messages)).toEqual([
      'human:table for 4',
      'ai:reply 1 to table for 4',
      'human:tomorrow at 7pm',
      'ai:reply 2 to tomorrow at 7pm',
    ]);

    const otherState = await second.getState(other);
    expect(otherState.values.turns).toBe(1);
    expect(texts(otherState.values.messages)).toEqual(['human:hi there', 'ai:reply 1 to hi there']);

    const unknown = await second.getState({ configurable: { thread_id: 'c-never-seen' } });
    expect(unknown.values).toEqual({});

    // History is there, newest first, and each step points to its parent.
    const history = [];
    for await (const snapshot of second.getStateHistory(conversation)) history.push(snapshot);
    expect(history.length).toBeGreaterThanOrEqual(4);
    expect(history[0]!.values.turns).toBe(2);
    expect(history.at(-1)!.parentConfig).toBeUndefined();
  });

  it('resumes an interrupted run after a restart', async () => {
    const thread = { configurable: { thread_id: 'c-confirm' } };
    const first = confirmGraph(await restartProcess());
    await first.invoke({ messages: [new HumanMessage('cancel booking 17')] }, thread);
    const paused = await first.getState(thread);
    expect(paused.next).toEqual(['confirm']);
    expect(paused.tasks[0]?.interrupts[0]?.value).toBe('confirm?');

    const second = confirmGraph(await restartProcess());
    const done = await second.invoke(new Command({ resume: 'yes' }), thread);
    expect(done.turns).toBe(1);
    expect(texts(done.messages)).toEqual(['human:cancel booking 17', 'ai:confirmed: yes']);
    expect((await second.getState(thread)).next).toEqual([]);
  });
});

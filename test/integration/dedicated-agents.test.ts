// The DEDICATED processor on the seeded Lisbon data (a database of the test's own),
// called as the runtime would (each message at the next offset, the conversation
// store flushed after it) with a workflow starter that records what it is asked:
// the replies a customer would see, turn by turn.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, OutboundEvent, Reply } from '../../src/events.js';
import { DependencyUnavailableError } from '../../src/pipeline/errors.js';
import type { ProcessorOutput } from '../../src/pipeline/processor.js';
import type { WorkflowStarter } from '../../processors/shared/deps.js';
import { createDedicatedProcessor } from '../../processors/dedicated/index.js';
import { chatDeps, processInTurn } from '../support/chat.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true, label: 'dedicated' });
});
afterAll(async () => db?.drop());

/** The next Lisbon weekday (1 = Monday) at least a day ahead, as YYYY-MM-DD. */
function nextWeekday(iso: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 1);
  while (((d.getUTCDay() + 6) % 7) + 1 !== iso) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function conversation(businessId: string) {
  const started: Array<{ kind: string; input: Record<string, unknown>; workflowId?: string }> = [];
  const cancelled: string[] = [];
  const workflows: WorkflowStarter = {
    startWorkflow: (async (kind: string, input: Record<string, unknown>, options: { workflowId?: string }) => {
      started.push({ kind, input, ...(options.workflowId ? { workflowId: options.workflowId } : {}) });
      return { workflowId: options.workflowId ?? 'w', runId: 'r', alreadyStarted: false };
    }) as never,
    cancelWorkflow: (async (workflowId: string) => {
      cancelled.push(workflowId);
      return { workflowId, runId: 'r', method: 'signal' };
    }) as never,
  };
  const deps = chatDeps(db.pool, db.url, workflows);
  const processor = createDedicatedProcessor(deps);
  const turn = processInTurn(processor, deps);
  const conversationId = `c-${randomUUID().slice(0, 8)}`;
  const say = async (text: string, eventId: string = randomUUID()) => {
    const message: ChatMessage = {
      eventId, conversationId, chatType: 'DEDICATED', userId: 'u-test', businessId, text,
      channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null,
    };
    const { outputs } = await turn(message);
    const reply = outputs.map((o) => o.value as OutboundEvent).find((v) => v.body?.type === 'Reply')?.body as Reply | undefined;
    const fact = outputs.find((o) => o.topic === 'chat.analytics')!.value as { intent: string; agent: string; agentReason: string; outcome: string };
    return { reply: reply!, fact, outputs: outputs as ProcessorOutput[], message };
  };
  return { say, started, cancelled, conversationId, workflows };
}

describe('DEDICATED agents on the seeded data', () => {
  it('retries a booking after Temporal failed without booking twice', async () => {
    const c = conversation('lis-taberna-do-largo');
    let down = true;
    const start = c.workflows.startWorkflow;
    c.workflows.startWorkflow = (async (...args: Parameters<typeof start>) => {
      if (down) throw new DependencyUnavailableError('temporal', 'connection refused');
      return start(...args);
    }) as typeof start;
    const text = `table for 2 on ${nextWeekday(6)} at 1pm`;
    const eventId = randomUUID();
    await expect(c.say(text, eventId)).rejects.toBeInstanceOf(DependencyUnavailableError);
    down = false;
    const { reply } = await c.say(text, eventId);
    expect(reply.text).toMatch(/^Booked a table for 2 on Saturday/);
    const rows = await db.pool.query('select id from bookings where conversation_id = $1', [c.conversationId]);
    expect(rows.rowCount).toBe(1);
    expect(c.started).toHaveLength(1);
    expect(c.started[0]!.input.bookingId).toBe(rows.rows[0].id);
  });

  it('offers other times when the slot is full, and changes the time with "make it 8pm"', async () => {
    const day = nextWeekday(4);
    // Fill 19:30 at Tasca da Rosa (capacity 18) with a booking of someone else.
    await db.pool.query(
      `insert into bookings (business_id, user_id, party_size, starts_at, status) values ('lis-tasca-da-rosa', 'u-other', 16, $1, 'confirmed')`,
      [new Date(`${day}T19:30:00Z`)],
    );
    const c = conversation('lis-tasca-da-rosa');
    const full = await c.say(`a table for 4 on ${day} at 7:30pm`);
    expect(full.reply.text).toMatch(/^Sorry, we're fully booked at 19:30 on Thursday \d+ \w+ \(only 2 places left\)\. I can book a table for 4 at 19:00, 20:00 or 20:30\.$/);
    expect(full.fact.outcome).toBe('ANSWERED');
    const booked = await c.say('21:00');
    expect(booked.reply.text).toMatch(/^Booked a table for 4 on Thursday \d+ \w+ at 21:00\./);
    const moved = await c.say('make it 8:30pm');
    expect(moved.reply.text).toMatch(/^Done: your booking is now a table for 4 on Thursday \d+ \w+ at 20:30\./);
    expect(c.cancelled).toEqual([c.started[0]!.workflowId]);
    const cancelled = await c.say('please cancel my booking');
    expect(cancelled.reply.text).toMatch(/^Your booking for 4 on Thursday \d+ \w+ at 20:30 is being cancelled/);
    expect(c.cancelled).toEqual([c.started[0]!.workflowId, c.started[1]!.workflowId]);
  });

  it('asks which service when the words fit several, and books the one chosen', async () => {
    const c = conversation('lis-studio-cabelo-chiado');
    const t1 = await c.say(`I'd like a styling appointment on ${nextWeekday(5)} at 11am`);
    expect(t1.reply.text).toBe('Which one would you like: Corte e brushing or Penteado de noiva?');
    expect(t1.reply.suggestions).toEqual(['Corte e brushing', 'Penteado de noiva']);
    const t2 = await c.say('Corte e brushing');
    expect(t2.reply.text).toMatch(/^Booked Corte e brushing \(60 min, €55\) on Friday \d+ \w+ at 11:00\./);
    expect(c.started[0]!.input).toMatchObject({ partySize: 1, timeZone: 'Europe/Lisbon', businessId: 'lis-studio-cabelo-chiado' });
  });

  it('hands a booking at a café (which takes none) to a person, and greets', async () => {
    const c = conversation('lis-cafe-garrett');
    const hello = await c.say('hello');
    expect(hello.reply).toMatchObject({ agent: 'welcome', text: expect.stringContaining("This is Café Garrett's assistant") });
    const book = await c.say('can I book a table for 2 tomorrow at 10am?');
    expect(book.fact).toMatchObject({ intent: 'book', agent: 'handoff', outcome: 'HANDED_OFF' });
    expect(book.reply.text).toContain("I've passed your message to the team at Café Garrett");
  });
});

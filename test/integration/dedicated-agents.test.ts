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
import { formatZonedIso } from '../../src/understanding/index.js';
import { AZORES, insertCallbackBusiness, nextDayAt } from '../support/callbacks.js';
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

function conversation(businessId: string, { channel = 'WEB' }: { channel?: ChatMessage['channel'] } = {}) {
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
      channel, locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null, senderRole: null,
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

describe('voice callbacks from a DEDICATED chat (a clinic in the Azores, open 05:00–23:00 every day)', () => {
  let business: { id: string; name: string };
  beforeAll(async () => {
    business = await insertCallbackBusiness(db.pool);
  });

  it('asks for the number, then starts the callback at 17:00 on the business clock; moves it and cancels it', async () => {
    const c = conversation(business.id);
    const asked = await c.say('Could you call me back tomorrow at 5pm?');
    const tomorrow = nextDayAt(asked.message.sentAt, AZORES, '17:00');
    expect(asked.reply.text).toBe(`What number should we call you on at 17:00 on ${tomorrow.longDate}? Please include the country code, e.g. +351 912 345 678.`);
    expect(asked.fact).toMatchObject({ intent: 'callback', agent: 'callbacks', outcome: 'ANSWERED' });
    expect(c.started).toEqual([]);

    const local = await c.say('912 345 678');
    expect(local.reply.text).toBe('To call 912 345 678 I need its country code: please write it like +351 912 345 678.');
    expect(c.started).toEqual([]);

    const done = await c.say('+351 912 345 678');
    expect(done.reply.text).toBe(`Done: the team at ${business.name} will call you back at 17:00 on ${tomorrow.longDate}, on +351912345678. You'll see updates here.`);
    expect(done.fact).toMatchObject({ intent: 'provide_details', agent: 'callbacks', outcome: 'WORKFLOW_STARTED' });
    expect(c.started).toEqual([{
      kind: 'voiceCallback',
      workflowId: `voice-callback-${done.message.eventId}`,
      input: {
        phone: '+351912345678', businessId: business.id, conversationId: c.conversationId, userId: 'u-test',
        callbackAt: formatZonedIso(tomorrow.instant, AZORES), timeZone: AZORES, causationId: done.message.eventId, chatType: 'DEDICATED',
      },
    }]);
    expect(Date.parse(c.started[0]!.input.callbackAt as string)).toBe(tomorrow.instant.getTime());

    // The number given earlier is used again, and the reply says so; the old callback goes.
    const moved = await c.say('actually, call me tomorrow at 10am');
    const ten = nextDayAt(moved.message.sentAt, AZORES, '10:00');
    expect(moved.reply.text).toBe(`Done: I've moved your callback to 10:00 on ${ten.longDate}, on +351912345678, the number you gave me earlier. You'll see updates here.`);
    expect(c.cancelled).toEqual([`voice-callback-${done.message.eventId}`]);
    expect(c.started[1]).toMatchObject({ workflowId: `voice-callback-${moved.message.eventId}`, input: { phone: '+351912345678', callbackAt: formatZonedIso(ten.instant, AZORES) } });

    const cancelled = await c.say('cancel the callback');
    expect(cancelled.reply.text).toBe(`Your callback at 10:00 on ${ten.longDate} is being cancelled; you'll see the confirmation here.`);
    expect(cancelled.fact).toMatchObject({ intent: 'cancel_callback', agent: 'callbacks', outcome: 'WORKFLOW_STARTED' });
    expect(c.cancelled).toEqual([`voice-callback-${done.message.eventId}`, `voice-callback-${moved.message.eventId}`]);
    const again = await c.say('não me liguem');
    expect(again.reply.text).toBe("There's no callback scheduled in this chat.");
    expect(c.started).toHaveLength(2);
  });

  it('on a call, starts it at once: the voice gateway knows the number (Portuguese)', async () => {
    const c = conversation(business.id, { channel: 'VOICE' });
    const { reply, fact, message } = await c.say('Ligue-me amanhã às 17h');
    const tomorrow = nextDayAt(message.sentAt, AZORES, '17:00');
    expect(reply.text).toBe(`Done: the team at ${business.name} will call you back at 17:00 on ${tomorrow.longDate}, on the number you're calling from. You'll see updates here.`);
    expect(fact).toMatchObject({ intent: 'callback', agent: 'callbacks', outcome: 'WORKFLOW_STARTED' });
    expect(c.started).toEqual([{ kind: 'voiceCallback', workflowId: `voice-callback-${message.eventId}`, input: expect.objectContaining({ phone: null, callbackAt: formatZonedIso(tomorrow.instant, AZORES) }) }]);
  });

  it('asks "5am or 5pm?" instead of guessing, and "5pm" completes it', async () => {
    const c = conversation(business.id, { channel: 'VOICE' });
    const asked = await c.say('can you call me tomorrow at 5?');
    const tomorrow = nextDayAt(asked.message.sentAt, AZORES, '17:00');
    expect(asked.reply.text).toBe(`Should we call you at 05:00 or at 17:00 on ${tomorrow.longDate}?`);
    expect(asked.reply.suggestions).toEqual(['05:00', '17:00']);
    expect(c.started).toEqual([]);
    const done = await c.say('5pm');
    expect(done.fact).toMatchObject({ intent: 'provide_details', agent: 'callbacks', outcome: 'WORKFLOW_STARTED', agentReason: expect.stringContaining("continues callbacks's callback request") });
    expect(c.started[0]!.input.callbackAt).toBe(formatZonedIso(tomorrow.instant, AZORES));
  });

  it('asks again for a time outside opening hours, and drops the question on "cancel"', async () => {
    const c = conversation(business.id, { channel: 'VOICE' });
    const closed = await c.say('please ring me tomorrow at 11:30pm');
    const tomorrow = nextDayAt(closed.message.sentAt, AZORES, '23:30');
    expect(closed.reply.text).toBe(`Sorry, we're closed at 23:30 on ${tomorrow.longDate}, so nobody could call you then. Our hours that day: 05:00–23:00. We could call you at 21:30, 22:00 or 22:30.`);
    const dropped = await c.say('cancel');
    expect(dropped.reply.text).toBe("OK, I won't arrange a callback.");
    expect(dropped.fact).toMatchObject({ intent: 'cancel_booking', agent: 'callbacks' });
    // The question is closed: a time alone now goes elsewhere (a booking), not to a callback.
    const later = await c.say('22:00');
    expect(later.fact.agent).not.toBe('callbacks');
    expect(c.started.map((s) => s.kind)).not.toContain('voiceCallback');
  });
});

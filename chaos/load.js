// The steady load of a chaos run: conversations of all three chat types (the bench's
// workload) plus multi-turn DEDICATED bookings, one message at a time at a fixed rate,
// round-robin over the conversations. A send that fails (the broker is down) is sent
// again with the same eventId, and remembered as resent: the processor must answer a
// producer's duplicate with the outputs it already gave, never twice.
import { randomUUID } from 'node:crypto';
import { JAVA_COMPATIBLE_PARTITIONER, createKafka, sleep, topicName } from '../bench/lib.js';
import { makeConversations, nextMessage } from '../bench/workload.js';

// Restaurants open for lunch and dinner Tuesday to Sunday, with room for every booking of a run.
const RESTAURANTS = ['lis-taberna-do-largo', 'lis-marisqueira-do-cais'];
const CUSTOMERS = ['u-diego', 'u-eva', 'u-filipa', 'u-gustavo', 'u-ines', 'u-carla'];
const DAYS = ['thursday', 'friday', 'saturday'];
const SLOTS = [['1pm', '2pm'], ['8pm', '9pm']];

/** A booking conversation's turns: book, change the time, then questions. */
function bookingTurns(i) {
  const day = DAYS[i % DAYS.length];
  const [first, changed] = SLOTS[Math.floor(i / DAYS.length) % SLOTS.length];
  return [`a table for 2 next ${day} at ${first} please`, `make it ${changed}`, 'thanks!', 'Is there parking?', 'What do you recommend?'];
}

export function makeChaosConversations(count, bookings) {
  const conversations = makeConversations(count - bookings);
  for (let i = 0; i < bookings; i++) {
    conversations.push({
      id: `c-chaos-booking-${randomUUID()}`, chatType: 'DEDICATED', turn: 0, booking: true,
      userId: CUSTOMERS[i % CUSTOMERS.length], businessId: RESTAURANTS[i % RESTAURANTS.length], turns: bookingTurns(i),
    });
  }
  return conversations;
}

export class Load {
  constructor({ config, codec, conversations, ratePerSecond, log }) {
    Object.assign(this, { config, codec, conversations, ratePerSecond, log });
    this.sent = []; // { eventId, conversationId, resent, at (ms the broker acknowledged it) } in send order
    this.failedSends = 0;
    this.running = false;
  }

  async start() {
    this.producer = createKafka(this.config, 'chaos-load').producer({
      createPartitioner: JAVA_COMPATIBLE_PARTITIONER, idempotent: true, maxInFlightRequests: 1,
    });
    await this.producer.connect();
    this.running = true;
    this.loop = this.run();
  }

  async run() {
    const topic = topicName(this.config, 'chat.inbound');
    const interval = 1000 / this.ratePerSecond;
    let next = Date.now();
    let i = 0;
    // Booking conversations go first in the round so their workflows run while faults happen.
    const order = [...this.conversations.filter((c) => c.booking), ...this.conversations.filter((c) => !c.booking)];
    while (this.running) {
      const conversation = order[i++ % order.length];
      const message = conversation.turns
        ? nextMessage(conversation, [conversation.turns[Math.min(conversation.turn, conversation.turns.length - 1)]])
        : nextMessage(conversation);
      const value = await this.codec.encode('chat.inbound', message);
      let resent = false;
      let delivered = false;
      const giveUpAt = Date.now() + 120_000;
      while (!delivered) {
        try {
          await this.producer.send({ topic, messages: [{ key: message.conversationId, value }] });
          delivered = true;
        } catch (error) {
          // Whether the failed attempt reached the log is unknown: the retry may duplicate it.
          resent = true;
          this.failedSends += 1;
          if (this.failedSends % 20 === 1) this.log(`load: send failed (${error.message}); sending again`);
          if (Date.now() > giveUpAt) throw new Error(`load: the broker took no message for 120 s: ${error.message}`);
          await sleep(500);
        }
      }
      this.sent.push({ eventId: message.eventId, conversationId: message.conversationId, resent, at: Date.now() });
      next += interval;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      else if (wait < -5_000) next = Date.now(); // after an outage, go on at the rate instead of bursting
    }
  }

  async stop() {
    this.running = false;
    await this.loop;
    await this.producer?.disconnect();
  }
}

// The reservations agent: tables at restaurants and bars, appointments for a named
// service at salons, barbers, spas, clinics and dentists.
//
// Multi-turn: what is known so far (the draft) and the booking just made (last) live
// in the agent's memory; missing slots are asked for one question at a time and
// stay the open task, so "tomorrow at 7pm" after "table for 4" comes back here.
// A complete draft is checked against the opening hours (business_open_at) and the
// capacity, written as a pending booking and handed to the reservation workflow.
// "make it 8" replaces the booking: the old one is cancelled with its workflow, the
// new one gets its own (a reservation workflow holds its booking's time and size).
import type { Card } from '../../src/events.js';
import { derivedEventId } from '../../src/pipeline/ids.js';
import type { Agent, AgentInput, AgentResult, BusinessContext, JsonObject, WorkflowRequest } from '../shared/agent.js';
import { checkCapacity } from './capacity.js';
import { candidateTimes, describeDay, hhmm, minutesOf } from './hours.js';
import { best, matchItems, price } from './matching.js';
import { longDate, mergeDraft, missingSlots, question, startInstant, weekdayOf, type BookingDraft, type Service } from './slots.js';
import { hoursTool, occupancyTool, offeringsTool, openAtTool, placeBookingTool, type Offering } from './tools.js';

export const TABLE_CATEGORIES = ['restaurant', 'bar'] as const;
export const APPOINTMENT_CATEGORIES = ['salon', 'barber', 'spa', 'clinic', 'dentist'] as const;

/** The booking this conversation made last, as the customer knows it. */
interface LastBooking {
  bookingId: string;
  workflowId: string;
  partySize: number;
  date: string;
  time: string;
  minutes: number;
  offeringId: string | null;
  offeringName: string | null;
  cancelled: boolean;
}

interface Memory {
  draft?: BookingDraft;
  last?: LastBooking;
}

const SUGGESTED_TIMES = 3;
const SUGGESTION_STEP_MINUTES = 30;

function kindOf(business: BusinessContext): 'table' | 'appointment' {
  return (TABLE_CATEGORIES as readonly string[]).includes(business.category) ? 'table' : 'appointment';
}

function memoryOf(input: AgentInput): Memory {
  return input.memory as unknown as Memory;
}

function remember(memory: Memory): JsonObject {
  // Drop undefined fields: memory is JSON.
  return JSON.parse(JSON.stringify(memory)) as JsonObject;
}

function what(draft: BookingDraft, kind: 'table' | 'appointment'): string {
  if (kind === 'table') return `a table for ${draft.partySize}`;
  const people = draft.partySize && draft.partySize > 1 ? ` for ${draft.partySize}` : '';
  return `${draft.offeringName ?? 'an appointment'}${people}`;
}

function bookingCard(business: BusinessContext, booking: LastBooking, status: string, service: Offering | undefined): Card {
  const fields: Record<string, string> = {};
  if (booking.offeringName) fields.Service = booking.offeringName;
  fields.People = String(booking.partySize);
  fields.Date = longDate(booking.date);
  fields.Time = booking.time;
  if (service) fields.Price = price(service.priceCents, service.currency);
  fields.Status = status;
  fields.Reference = booking.bookingId.slice(0, 8);
  return { kind: 'BOOKING', title: business.name, subtitle: booking.offeringName ?? `Table for ${booking.partySize}`, businessId: business.id, fields };
}

export const reservationsAgent: Agent = {
  name: 'reservations',
  opensTasks: true,
  chatTypes: ['DEDICATED'],
  categories: [...TABLE_CATEGORIES, ...APPOINTMENT_CATEGORIES],
  intents: ['book', 'modify_booking', 'cancel_booking', 'provide_details'],
  followUpIntents: ['provide_details', 'modify_booking', 'book', 'unknown', 'cancel_booking'],
  tools: [offeringsTool, hoursTool, openAtTool, occupancyTool, placeBookingTool],

  async handle(input) {
    const business = input.business!;
    const memory = memoryOf(input);
    const intent = input.understanding.intent;

    if (intent === 'cancel_booking') return cancel(input, memory);
    const drafting = memory.draft !== undefined;
    if (intent === 'modify_booking' && !drafting && memory.last && !memory.last.cancelled) return modify(input, memory, business);
    // Details with nothing to fill, or a change with nothing to change: not ours.
    if (!drafting && intent !== 'book') return null;
    return book(input, memory, business);
  },
};

async function services(input: AgentInput, business: BusinessContext): Promise<Offering[]> {
  const all = await input.use(offeringsTool, { businessId: business.id });
  return all.filter((o) => o.kind === 'service' && o.durationMinutes !== null);
}

async function book(input: AgentInput, memory: Memory, business: BusinessContext): Promise<AgentResult> {
  const kind = kindOf(business);
  const entities = input.understanding.entities;
  const offered = kind === 'appointment' ? await services(input, business) : [];
  const named = best(matchItems(input.message.text, offered));
  const service: Service | undefined = named.length === 1
    ? { id: named[0]!.item.id, name: named[0]!.item.name, minutes: named[0]!.item.durationMinutes! }
    : undefined;
  const draft = mergeDraft(memory.draft ?? {}, {
    ...(entities.partySize !== undefined ? { partySize: entities.partySize } : {}),
    ...(entities.dateTime ? { dateTime: entities.dateTime } : {}),
    ...(service ? { service } : {}),
  });
  // An appointment is for the person asking unless they say otherwise; the reply says "for 1".
  if (kind === 'appointment' && draft.partySize === undefined) draft.partySize = 1;
  const missing = missingSlots(draft, { service: kind === 'appointment' && offered.length > 0 });
  if (missing.length > 0) {
    const candidates = named.length > 1 ? named.map((m) => m.item.name) : offered.map((o) => o.name);
    const text = named.length > 1 && missing[0] === 'service'
      ? `Which one would you like: ${candidates.join(' or ')}?`
      : question(missing, draft, kind, candidates);
    return {
      text,
      outcome: 'ANSWERED',
      suggestions: missing[0] === 'service' ? candidates.slice(0, 4) : [],
      memory: remember({ ...memory, draft }),
      task: { pendingSlots: missing, awaitingConfirmation: false, description: kind === 'table' ? 'table booking' : 'appointment booking' },
    };
  }
  return attempt(input, memory, business, draft as Complete, null, offered);
}

type Complete = BookingDraft & { partySize: number; date: string; time: string };

async function modify(input: AgentInput, memory: Memory, business: BusinessContext): Promise<AgentResult> {
  const last = memory.last!;
  const entities = input.understanding.entities;
  const base: BookingDraft = {
    partySize: last.partySize, date: last.date, time: last.time, minutes: last.minutes,
    ...(last.offeringId ? { offeringId: last.offeringId, offeringName: last.offeringName! } : {}),
  };
  const changed = mergeDraft(base, {
    ...(entities.partySize !== undefined ? { partySize: entities.partySize } : {}),
    ...(entities.dateTime ? { dateTime: entities.dateTime } : {}),
  }) as Complete;
  if (changed.partySize === last.partySize && changed.date === last.date && changed.time === last.time) {
    return {
      text: `Your booking is ${what(base, kindOf(business))} on ${longDate(last.date)} at ${last.time}. What would you like to change: the time, the day or the number of people?`,
      outcome: 'ANSWERED',
      suggestions: [],
    };
  }
  const offered = kindOf(business) === 'appointment' ? await services(input, business) : [];
  return attempt(input, memory, business, changed, last, offered);
}

function cancel(input: AgentInput, memory: Memory): AgentResult | null {
  const last = memory.last;
  if (!last || last.cancelled) return null;
  return {
    text: `Your booking for ${last.partySize} on ${longDate(last.date)} at ${last.time} is being cancelled; you'll see the confirmation here.`,
    outcome: 'WORKFLOW_STARTED',
    workflows: [{ action: 'cancel', workflowId: last.workflowId, reason: 'cancelled by the customer' }],
    memory: remember({ last: { ...last, cancelled: true } }),
    task: null,
  };
}

/**
 * Times on the draft's day that are open for the whole booking, still ahead, and have
 * room for the party; nearest to the wanted time first.
 */
async function alternatives(input: AgentInput, business: BusinessContext, draft: Complete, minutes: number, excludeIds: string[]): Promise<string[]> {
  const hours = await input.use(hoursTool, { businessId: business.id });
  const dayStart = startInstant({ date: draft.date, time: '00:00' }, business.timeZone);
  const dayEnd = new Date(dayStart.getTime() + 36 * 3_600_000);
  const booked = await input.use(occupancyTool, { businessId: business.id, from: dayStart, to: dayEnd, excludeIds });
  const times: string[] = [];
  for (const minute of candidateTimes(hours, weekdayOf(draft.date), minutes, SUGGESTION_STEP_MINUTES, minutesOf(draft.time))) {
    const time = hhmm(minute);
    if (time === draft.time) continue;
    const start = startInstant({ date: draft.date, time }, business.timeZone);
    if (start.getTime() <= input.now.getTime()) continue;
    if (!checkCapacity(booked, start.getTime(), minutes, draft.partySize, business.capacityPerSlot).fits) continue;
    times.push(time);
    if (times.length === SUGGESTED_TIMES) break;
  }
  return times.sort();
}

function listTimes(times: readonly string[]): string {
  if (times.length <= 1) return times.join('');
  return `${times.slice(0, -1).join(', ')} or ${times[times.length - 1]}`;
}

async function attempt(
  input: AgentInput, memory: Memory, business: BusinessContext, draft: Complete, replaces: LastBooking | null, offered: Offering[],
): Promise<AgentResult> {
  const kind = kindOf(business);
  const minutes = draft.minutes ?? business.slotMinutes;
  const description = kind === 'table' ? 'table booking' : 'appointment booking';
  const when = `${longDate(draft.date)} at ${draft.time}`;
  // The booking this message makes (its id comes from the event) and the one it
  // replaces never count against it: on a retry the first attempt may have written both.
  const bookingId = derivedEventId(input.message.eventId, 'booking');
  const exclude = replaces ? [bookingId, replaces.bookingId] : [bookingId];
  const askAgain = (text: string, times: string[], keep: BookingDraft): AgentResult => ({
    text,
    outcome: 'ANSWERED',
    suggestions: times,
    memory: remember({ ...memory, draft: keep }),
    task: { pendingSlots: keep.date ? ['time'] : ['date', 'time'], awaitingConfirmation: false, description },
  });
  const { time: _time, ...withoutTime } = draft;

  if (!business.acceptingBookings) {
    const phone = business.phone ? ` You can call us on ${business.phone}.` : '';
    return { text: `Sorry, ${business.name} isn't taking bookings here at the moment.${phone}`, outcome: 'ANSWERED', memory: remember({ last: memory.last }), task: null };
  }
  const start = startInstant(draft, business.timeZone);
  if (start.getTime() <= input.now.getTime()) {
    return askAgain(`${when} has already passed. What other time would suit you?`, [], withoutTime);
  }

  const lastMinute = new Date(start.getTime() + (minutes - 1) * 60_000);
  const [openAtStart, openAtEnd] = await input.use(openAtTool, { businessId: business.id, instants: [start, lastMinute] });
  if (!openAtStart || !openAtEnd) {
    const hours = await input.use(hoursTool, { businessId: business.id });
    const day = describeDay(hours, weekdayOf(draft.date));
    const times = await alternatives(input, business, draft, minutes, exclude);
    const reason = openAtStart ? `${what(draft, kind)} at ${draft.time} would run past closing time` : `we're closed at ${draft.time} on ${longDate(draft.date)}`;
    if (day === 'closed') {
      return askAgain(`Sorry, ${reason}: we're closed all day on ${longDate(draft.date)}. Which other day would suit you?`, [], { ...withoutTime, date: undefined } as BookingDraft);
    }
    const offer = times.length ? ` I can book ${listTimes(times)}.` : ' There is no time left that day.';
    return askAgain(`Sorry, ${reason}. Our hours that day: ${day}.${offer}`, times, withoutTime);
  }

  const end = new Date(start.getTime() + minutes * 60_000);
  const booked = await input.use(occupancyTool, { businessId: business.id, from: start, to: end, excludeIds: exclude });
  const full = async (left: number) => {
    const times = await alternatives(input, business, draft, minutes, exclude);
    const room = left > 0 ? ` (only ${left} ${left === 1 ? 'place' : 'places'} left)` : '';
    const offer = times.length ? ` I can book ${what(draft, kind)} at ${listTimes(times)}.` : ' Would another day suit you?';
    return askAgain(`Sorry, we're fully booked at ${draft.time} on ${longDate(draft.date)}${room}.${offer}`, times, withoutTime);
  };
  const check = checkCapacity(booked, start.getTime(), minutes, draft.partySize, business.capacityPerSlot);
  if (!check.fits) return full(check.left);

  const workflowId = `reservation-${bookingId}`;
  const placed = await input.use(placeBookingTool, {
    id: bookingId,
    businessId: business.id,
    userId: input.message.userId,
    conversationId: input.message.conversationId,
    offeringId: draft.offeringId ?? null,
    partySize: draft.partySize,
    startsAt: start,
    minutes,
    capacity: business.capacityPerSlot,
    workflowId,
    ...(replaces ? { replaces: { id: replaces.bookingId, note: `replaced by ${bookingId}` } } : {}),
  });
  // Another conversation took the places between the check and the lock.
  if (!placed.placed) return full(placed.left);

  const last: LastBooking = {
    bookingId, workflowId, partySize: draft.partySize, date: draft.date, time: draft.time, minutes,
    offeringId: draft.offeringId ?? null, offeringName: draft.offeringName ?? null, cancelled: false,
  };
  const workflows: WorkflowRequest[] = [];
  if (replaces) workflows.push({ action: 'cancel', workflowId: replaces.workflowId, reason: `changed to ${what(draft, kind)} on ${when}` });
  workflows.push({
    action: 'start',
    kind: 'reservation',
    workflowId,
    input: {
      bookingId,
      businessId: business.id,
      conversationId: input.message.conversationId,
      userId: input.message.userId,
      partySize: draft.partySize,
      startsAt: start.toISOString(),
      timeZone: business.timeZone,
      causationId: input.message.eventId,
      chatType: 'DEDICATED',
    },
  });
  const service = offered.find((o) => o.id === draft.offeringId);
  const detail = service ? ` (${service.durationMinutes} min, ${price(service.priceCents, service.currency)})` : '';
  const text = replaces
    ? `Done: your booking is now ${what(draft, kind)}${detail} on ${when}. It's pending confirmation; I'll update you here.`
    : `Booked ${what(draft, kind)}${detail} on ${when}. It's pending confirmation; I'll update you here.`;
  return {
    text,
    cards: [bookingCard(business, last, 'Pending confirmation', service)],
    suggestions: kind === 'table' ? ['Make it 6', 'Make it 8pm', 'Cancel my booking'] : ['Change the time', 'Cancel my booking'],
    outcome: 'WORKFLOW_STARTED',
    workflows,
    memory: remember({ last }),
    task: null,
  };
}

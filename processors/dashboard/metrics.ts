// Analytics answers in words and METRIC cards. Pure: the numbers come from the tools,
// and every number in the text is one a card also shows.
import type { Card } from '../../src/events.js';
import { bookingCard } from './actions.js';
import type { Period } from './periods.js';
import type { BookingCounts, BookingRow, MessageVolume, TopQuestions } from './tools.js';

export interface Answer {
  text: string;
  cards: Card[];
  suggestions: string[];
}

function metric(title: string, subtitle: string, businessId: string, fields: Record<string, string>): Card {
  return { kind: 'METRIC', title, subtitle, businessId, fields };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function volumeAnswer(v: MessageVolume, period: Period, businessId: string, businessName: string): Answer {
  const fields: Record<string, string> = {
    'Customer messages': String(v.customerMessages),
    'Assistant replies': String(v.replies),
    Conversations: String(v.conversations),
    Customers: String(v.customers),
  };
  if (v.busiestDay) fields['Busiest day'] = `${v.busiestDay.date} (${plural(v.busiestDay.messages, 'message')})`;
  const text = v.customerMessages === 0
    ? `${businessName} had no customer messages ${period.label}.`
    : `${businessName}, ${period.label}: ${plural(v.customerMessages, 'customer message')} in ${plural(v.conversations, 'conversation')} from ${plural(v.customers, 'customer')}, ${plural(v.replies, 'reply', 'replies')} sent.` +
      (v.busiestDay ? ` Busiest day: ${v.busiestDay.date} with ${plural(v.busiestDay.messages, 'message')}.` : '');
  return {
    text,
    cards: [metric('Message volume', period.label, businessId, fields)],
    suggestions: ['Messages today', 'Messages this month', 'Top questions this week'],
  };
}

export function bookingsAnswer(
  counts: BookingCounts | null, period: Period | null, upcoming: { rows: readonly BookingRow[]; total: number },
  business: { id: string; name: string; timeZone: string },
): Answer {
  const cards: Card[] = [];
  const lines: string[] = [];
  if (counts && period) {
    const s = counts.byStatus;
    cards.push(metric('Bookings', period.label, business.id, {
      Total: String(counts.total),
      Confirmed: String(s.confirmed),
      Pending: String(s.pending),
      Completed: String(s.completed),
      Cancelled: String(s.cancelled),
      Guests: String(counts.guests),
    }));
    lines.push(counts.total === 0
      ? `No bookings ${period.label}.`
      : `Bookings ${period.label}: ${counts.total} (${s.confirmed} confirmed, ${s.pending} pending, ${s.completed} completed, ${s.cancelled} cancelled), ${plural(counts.guests, 'guest')} not counting cancellations.`);
  }
  cards.push(metric('Upcoming bookings', 'pending and confirmed, from now', business.id, { Upcoming: String(upcoming.total) }));
  if (upcoming.total === 0) lines.push('No upcoming bookings.');
  else {
    const shown = upcoming.rows.length < upcoming.total ? ` The next ${upcoming.rows.length} are below.` : '';
    lines.push(`${plural(upcoming.total, 'upcoming booking')} (pending or confirmed).${shown}`);
  }
  cards.push(...upcoming.rows.map((b) => ({ ...bookingCard(b, business.timeZone), businessId: business.id })));
  return { text: lines.join(' '), cards, suggestions: ['Bookings this week', 'Bookings next week', 'Bookings last month'] };
}

/** Intent names as staff would say them. */
export const INTENT_LABELS: Readonly<Record<string, string>> = {
  book: 'Booking requests',
  // The name earlier data (the demo seed, the old backend) used for the same intent.
  make_reservation: 'Booking requests',
  modify_booking: 'Changes to bookings',
  cancel_booking: 'Cancellations',
  menu_or_services: 'Menu, services and prices',
  faq: 'Practical questions (parking, payment, access…)',
  hours: 'Opening hours',
  human_handoff: 'Asked for a person',
};

export function topQuestionsAnswer(top: TopQuestions, period: Period, businessId: string): Answer {
  if (top.total === 0) {
    return { text: `No customer messages ${period.label}, so no questions to rank.`, cards: [], suggestions: ['Top questions this month'] };
  }
  // Intents with one label (book, make_reservation) are one topic.
  const topics = new Map<string, number>();
  for (const i of top.intents) {
    const label = INTENT_LABELS[i.intent] ?? i.intent;
    topics.set(label, (topics.get(label) ?? 0) + i.messages);
  }
  const ranked = [...topics.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const topicFields: Record<string, string> = {};
  ranked.forEach(([label, messages], n) => { topicFields[`${n + 1}. ${label}`] = plural(messages, 'message'); });
  const messageFields: Record<string, string> = {};
  top.messages.forEach((m, n) => { messageFields[`${n + 1}. ${m.text}`] = `${m.messages}×`; });
  const cards: Card[] = [];
  if (ranked.length > 0) cards.push(metric('Top topics', period.label, businessId, topicFields));
  if (top.messages.length > 0) cards.push(metric('Most repeated messages', period.label, businessId, messageFields));
  const lead = ranked[0];
  const text = `Of ${plural(top.total, 'customer message')} ${period.label}, ` +
    (lead ? `the most common topic is ${lead[0].toLowerCase()} (${plural(lead[1], 'message')})` : 'none had a recognised topic') +
    (top.messages[0] ? `; the most repeated message is “${top.messages[0].text}” (${top.messages[0].messages}×).` : '.');
  return { text, cards, suggestions: ['Top questions this month', 'Messages this week'] };
}

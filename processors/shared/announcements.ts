// What a business announced from its dashboard ("announce: fado night on Thursday"),
// as customers see it: a line under DEDICATED's welcome, hours and menu replies, and a
// field on the business's GLOBAL cards, for as long as it runs. Pure: the
// announcements come with the cached business row (business.ts), and whether one still
// runs is judged against the message's clock here, so an expired one disappears on the
// next reply, with no restart and no notification.
import type { Card } from '../../src/events.js';
import type { AgentInput, AgentResult, Announcement } from './agent.js';

/** At most this many in one reply or card, newest first: more would bury the answer. */
export const MAX_SHOWN_ANNOUNCEMENTS = 3;
export const ANNOUNCEMENT_FIELD = 'Announcement';

/** Those still running at `now` (posted, not yet expired), newest first, at most MAX_SHOWN_ANNOUNCEMENTS. */
export function activeAnnouncements(announcements: readonly Announcement[], now: Date): Announcement[] {
  const at = now.getTime();
  return announcements
    .filter((a) => a.expiresAt > at)
    .sort((a, b) => b.postedAt - a.postedAt)
    .slice(0, MAX_SHOWN_ANNOUNCEMENTS);
}

/** An owner's text on one line: the reply and the card field are one line each. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** "Announcement: Fado night on Thursday from 21:00", one per running announcement. */
export function announcementLines(announcements: readonly Announcement[], now: Date): string[] {
  return activeAnnouncements(announcements, now).map((a) => `${ANNOUNCEMENT_FIELD}: ${oneLine(a.text)}`);
}

/**
 * The agent's answer with the business's running announcements under its text; lines
 * an earlier agent of the same reply already showed (a greeting with an hours
 * question) are not repeated. Null and empty answers stay as they are.
 */
export function withAnnouncements(result: AgentResult, input: Pick<AgentInput, 'business' | 'now' | 'previous'>): AgentResult;
export function withAnnouncements(result: AgentResult | null, input: Pick<AgentInput, 'business' | 'now' | 'previous'>): AgentResult | null;
export function withAnnouncements(result: AgentResult | null, input: Pick<AgentInput, 'business' | 'now' | 'previous'>): AgentResult | null {
  if (!result || result.text.trim() === '' || !input.business) return result;
  const shown = input.previous.map((c) => c.result.text);
  const lines = announcementLines(input.business.announcements, input.now).filter((line) => !shown.some((text) => text.includes(line)));
  return lines.length === 0 ? result : { ...result, text: `${result.text}\n${lines.join('\n')}` };
}

/** The card with its business's running announcements as its last field (none: the card as it was). */
export function announcedCard(card: Card, running: ReadonlyMap<string, readonly Announcement[]>, now: Date): Card {
  const announcements = card.businessId === null ? [] : activeAnnouncements(running.get(card.businessId) ?? [], now);
  if (announcements.length === 0) return card;
  return { ...card, fields: { ...card.fields, [ANNOUNCEMENT_FIELD]: announcements.map((a) => oneLine(a.text)).join(' · ') } };
}

/**
 * The cards of one answer, each with its business's running announcements. COMPARISON
 * cards keep sharing their field names and order (clients lay them side by side): when
 * one business announces something, the others say "None".
 */
export function announcedCards(cards: readonly Card[], running: ReadonlyMap<string, readonly Announcement[]>, now: Date): Card[] {
  const announced = cards.map((card) => announcedCard(card, running, now));
  const compared = announced.some((card) => card.kind === 'COMPARISON' && ANNOUNCEMENT_FIELD in card.fields);
  if (!compared) return announced;
  return announced.map((card) => (card.kind !== 'COMPARISON' || ANNOUNCEMENT_FIELD in card.fields
    ? card
    : { ...card, fields: { ...card.fields, [ANNOUNCEMENT_FIELD]: 'None' } }));
}

// Announcements as customers see them (processors/shared/announcements.ts), and the
// cached business rows they come with (processors/shared/business.ts): which are
// running at a moment, how they read in a reply and on a card, and that a reply asks
// PostgreSQL nothing once the rows are cached.
import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/events.js';
import type { AgentContribution, AgentResult, Announcement, BusinessContext } from '../../processors/shared/agent.js';
import {
  activeAnnouncements, announcedCard, announcedCards, announcementLines, MAX_SHOWN_ANNOUNCEMENTS, withAnnouncements,
} from '../../processors/shared/announcements.js';
import { BusinessDirectory } from '../../processors/shared/business.js';
import type { Db } from '../../processors/shared/tools.js';

const NOW = new Date('2026-11-27T16:00:00Z');
const HOUR = 3_600_000;

function announcement(text: string, postedHoursAgo: number, expiresInHours: number): Announcement {
  return { text, postedAt: NOW.getTime() - postedHoursAgo * HOUR, expiresAt: NOW.getTime() + expiresInHours * HOUR };
}

const fado = announcement('Fado night on Thursday from 21:00', 2, 48);
const closed = announcement('Closed on Monday for a private event', 30, 72);
const expired = announcement('Half-price desserts this weekend', 200, -1);

function business(announcements: readonly Announcement[]): BusinessContext {
  return {
    id: 'lis-taberna-do-largo', name: 'Taberna do Largo', category: 'restaurant', timeZone: 'Europe/Lisbon', acceptingBookings: true,
    capacityPerSlot: 20, slotMinutes: 90, phone: null, address: 'Largo do Chafariz de Dentro 7', announcements,
  };
}

const answer: AgentResult = { text: "Hello! This is Taberna do Largo's assistant.", outcome: 'ANSWERED' };

describe('which announcements are running', () => {
  it('keeps those not yet expired, newest first', () => {
    expect(activeAnnouncements([closed, expired, fado], NOW)).toEqual([fado, closed]);
  });

  it('drops one at the very moment it expires, by the clock it is given', () => {
    const ending = { ...fado, expiresAt: NOW.getTime() + 1_000 };
    expect(activeAnnouncements([ending], NOW)).toEqual([ending]);
    expect(activeAnnouncements([ending], new Date(ending.expiresAt))).toEqual([]);
  });

  it(`shows at most ${MAX_SHOWN_ANNOUNCEMENTS}, the newest`, () => {
    const many = [1, 2, 3, 4, 5].map((n) => announcement(`news ${n}`, n, 24));
    expect(activeAnnouncements(many, NOW).map((a) => a.text)).toEqual(['news 1', 'news 2', 'news 3']);
  });
});

describe('how they read', () => {
  it('is one line each, the owner\'s line breaks and spacing folded', () => {
    const written = announcement('Fado night\n  on Thursday\tfrom 21:00 ', 1, 24);
    expect(announcementLines([written, expired], NOW)).toEqual(['Announcement: Fado night on Thursday from 21:00']);
  });

  it('goes under the agent\'s answer, and nothing is added when none runs', () => {
    const input = { business: business([fado, closed]), now: NOW, previous: [] };
    expect(withAnnouncements(answer, input).text).toBe([
      "Hello! This is Taberna do Largo's assistant.",
      'Announcement: Fado night on Thursday from 21:00',
      'Announcement: Closed on Monday for a private event',
    ].join('\n'));
    expect(withAnnouncements(answer, { ...input, business: business([expired]) })).toBe(answer);
    expect(withAnnouncements(null, input)).toBeNull();
  });

  it('is said once in a reply that several agents answer', () => {
    const greeted: AgentContribution = { agent: 'welcome', result: withAnnouncements(answer, { business: business([fado]), now: NOW, previous: [] }) };
    const hours: AgentResult = { text: 'Opening hours: Mon closed · Tue–Sun 12:00–15:00 and 19:00–23:00.', outcome: 'ANSWERED' };
    expect(withAnnouncements(hours, { business: business([fado]), now: NOW, previous: [greeted] })).toBe(hours);
  });

  it('is a field of the business\'s card, and only of that business\'s', () => {
    const card = (businessId: string | null): Card => ({ kind: 'BUSINESS', title: 'x', subtitle: null, businessId, fields: { Category: 'Restaurant' } });
    const running = new Map([['lis-taberna-do-largo', [closed, fado, expired]]]);
    expect(announcedCard(card('lis-taberna-do-largo'), running, NOW).fields).toEqual({
      Category: 'Restaurant',
      Announcement: 'Fado night on Thursday from 21:00 · Closed on Monday for a private event',
    });
    expect(announcedCard(card('lis-tasca-da-rosa'), running, NOW)).toEqual(card('lis-tasca-da-rosa'));
    expect(announcedCard(card(null), running, NOW)).toEqual(card(null));
    const later = new Date(closed.expiresAt);
    expect(announcedCard(card('lis-taberna-do-largo'), running, later).fields).toEqual({ Category: 'Restaurant' });
  });

  it('keeps COMPARISON cards side by side: the same fields, "None" where nothing is announced', () => {
    const compared = (businessId: string): Card => ({ kind: 'COMPARISON', title: businessId, subtitle: null, businessId, fields: { Rating: '4.5' } });
    const running = new Map([['lis-taberna-do-largo', [fado]]]);
    const cards = announcedCards([compared('lis-taberna-do-largo'), compared('lis-tasca-da-rosa')], running, NOW);
    expect(cards.map((c) => c.fields)).toEqual([
      { Rating: '4.5', Announcement: 'Fado night on Thursday from 21:00' },
      { Rating: '4.5', Announcement: 'None' },
    ]);
    // Nothing running anywhere: the cards as they were.
    expect(announcedCards([compared('lis-tasca-da-rosa')], running, NOW)).toEqual([compared('lis-tasca-da-rosa')]);
  });
});

describe('the cached business rows they come with', () => {
  /** A Db answering the business query from a table in memory, counting the ids it was asked for. */
  function fakeDb() {
    const asked: string[][] = [];
    const db: Db = {
      async query<R extends object>(_sql: string, params: readonly unknown[] = []) {
        const ids = params[0] as string[];
        asked.push([...ids]);
        return ids.filter((id) => id !== 'gone').map((id) => ({
          id, name: id, category: 'restaurant', timezone: 'Europe/Lisbon', accepting_bookings: true,
          capacity_per_slot: 10, slot_minutes: 60, phone: null, address: '', announcements: id === 'a' ? [fado] : [],
        })) as unknown as R[];
      },
      transaction: (body) => body(db),
    };
    return { db, asked };
  }

  it('reads the businesses a reply needs in one query, then none until one changes', async () => {
    const { db, asked } = fakeDb();
    const directory = new BusinessDirectory(db, () => NOW.getTime());
    const first = await directory.businesses(['a', 'b', 'a', 'gone']);
    expect([...first.keys()]).toEqual(['a', 'b']);
    expect(first.get('a')?.announcements).toEqual([fado]);
    expect(asked).toEqual([['a', 'b', 'gone']]);

    await directory.businesses(['b', 'a']);
    expect(await directory.business('a')).toMatchObject({ id: 'a' });
    expect(asked).toHaveLength(1);

    // An announcement of `a` was posted (the NOTIFY of migration 0008): only `a` is read again.
    directory.invalidate('a');
    await directory.businesses(['a', 'b']);
    expect(asked).toEqual([['a', 'b', 'gone'], ['a']]);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const { db, asked } = fakeDb();
    const flaky: Db = { ...db, query: (sql, params) => (fail ? Promise.reject(new Error('down')) : db.query(sql, params)) };
    const directory = new BusinessDirectory(flaky, () => NOW.getTime());
    await expect(directory.businesses(['a'])).rejects.toThrow('down');
    fail = false;
    expect((await directory.businesses(['a'])).get('a')?.id).toBe('a');
    expect(asked).toEqual([['a']]);
  });
});

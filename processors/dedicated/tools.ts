// The SQL tools of the DEDICATED agents. Every query is parameterised and scoped to
// the conversation's business; writes are idempotent (ids derived from the event).
import { checkCapacity, type Occupancy } from './capacity.js';
import type { HoursRow } from './hours.js';
import type { Faq } from './matching.js';
import { defineTool, type Db } from '../shared/tools.js';

export interface Offering {
  id: string;
  kind: 'menu_item' | 'service' | 'product';
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  durationMinutes: number | null;
  tags: string[];
}

export const offeringsTool = defineTool({
  name: 'list_offerings',
  description: 'The business\'s available menu items, services and products with prices',
  async run({ db }, args: { businessId: string }): Promise<Offering[]> {
    const rows = await db.query<{ id: string; kind: Offering['kind']; name: string; description: string; price_cents: number; currency: string; duration_minutes: number | null; tags: string[] }>(
      `select id, kind, name, description, price_cents, currency, duration_minutes, tags
         from offerings where business_id = $1 and available order by kind, price_cents, name`,
      [args.businessId],
    );
    return rows.map((r) => ({
      id: r.id, kind: r.kind, name: r.name, description: r.description, priceCents: r.price_cents,
      currency: r.currency, durationMinutes: r.duration_minutes, tags: r.tags,
    }));
  },
});

export const faqsTool = defineTool({
  name: 'list_faqs',
  description: 'The business\'s frequently asked questions with answers and keywords',
  async run({ db }, args: { businessId: string }): Promise<Faq[]> {
    return db.query<Faq>('select id, question, answer, keywords from faqs where business_id = $1 order by question', [args.businessId]);
  },
});

export const hoursTool = defineTool({
  name: 'opening_hours',
  description: 'The business\'s weekly opening hours, on its own clock',
  async run({ db }, args: { businessId: string }): Promise<HoursRow[]> {
    return db.query<HoursRow>(
      `select weekday, to_char(opens, 'HH24:MI') as opens, to_char(closes, 'HH24:MI') as closes
         from opening_hours where business_id = $1 order by weekday, opens`,
      [args.businessId],
    );
  },
});

export const openAtTool = defineTool({
  name: 'open_at',
  description: 'Whether the business is open at given instants (business_open_at)',
  async run({ db }, args: { businessId: string; instants: Date[] }): Promise<boolean[]> {
    const rows = await db.query<{ open: boolean }>(
      'select business_open_at($1, at) as open from unnest($2::timestamptz[]) with ordinality as t(at, n) order by n',
      [args.businessId, args.instants],
    );
    return rows.map((r) => r.open);
  },
});

/** Confirmed and pending bookings that overlap [from, to), each with its own length. */
async function occupancy(db: Db, businessId: string, from: Date, to: Date, excludeIds: readonly string[]): Promise<Occupancy[]> {
  const rows = await db.query<{ starts_at: Date; minutes: number; party_size: number }>(
    `select b.starts_at, coalesce(o.duration_minutes, z.slot_minutes) as minutes, b.party_size
       from bookings b
       join businesses z on z.id = b.business_id
       left join offerings o on o.id = b.offering_id
      where b.business_id = $1
        and b.status in ('pending', 'confirmed')
        and not (b.id = any($4::uuid[]))
        and b.starts_at < $3
        and b.starts_at + make_interval(mins => coalesce(o.duration_minutes, z.slot_minutes)) > $2`,
    [businessId, from, to, excludeIds],
  );
  return rows.map((r) => ({ startsAt: new Date(r.starts_at).getTime(), minutes: r.minutes, partySize: r.party_size }));
}

export const occupancyTool = defineTool({
  name: 'booked_occupancy',
  description: 'Bookings (pending or confirmed) overlapping a time window, for the capacity check',
  async run({ db }, args: { businessId: string; from: Date; to: Date; excludeIds?: string[] }): Promise<Occupancy[]> {
    return occupancy(db, args.businessId, args.from, args.to, args.excludeIds ?? []);
  },
});

export interface BookingRow {
  id: string;
  partySize: number;
  startsAt: Date;
  status: string;
  workflowId: string | null;
  offeringId: string | null;
}

export interface NewBooking {
  id: string;
  businessId: string;
  userId: string;
  conversationId: string;
  offeringId: string | null;
  partySize: number;
  startsAt: Date;
  minutes: number;
  capacity: number;
  workflowId: string;
  /** A booking this one replaces ("make it 8"): cancelled in the same transaction. */
  replaces?: { id: string; note: string };
}

export type PlaceResult = { placed: true; booking: BookingRow; existed: boolean } | { placed: false; load: number; left: number };

/**
 * Inserts a pending booking if it fits, in one transaction that holds the business
 * row's lock, so two conversations cannot both take the last places. The id is
 * derived from the event: when it already exists (the same message processed
 * again) that booking is returned as it is.
 */
export const placeBookingTool = defineTool({
  name: 'place_booking',
  description: 'Creates (or replaces) a pending booking after re-checking capacity under a lock',
  async run({ db }, b: NewBooking): Promise<PlaceResult> {
    return db.transaction(async (tx) => {
      await tx.query('select id from businesses where id = $1 for update', [b.businessId]);
      const existing = await tx.query<{ id: string; party_size: number; starts_at: Date; status: string; workflow_id: string | null; offering_id: string | null }>(
        'select id, party_size, starts_at, status, workflow_id, offering_id from bookings where id = $1',
        [b.id],
      );
      if (existing[0]) return { placed: true, booking: toBooking(existing[0]), existed: true };
      const exclude = b.replaces ? [b.replaces.id] : [];
      const end = new Date(b.startsAt.getTime() + b.minutes * 60_000);
      const check = checkCapacity(await occupancy(tx, b.businessId, b.startsAt, end, exclude), b.startsAt.getTime(), b.minutes, b.partySize, b.capacity);
      if (!check.fits) return { placed: false, load: check.load, left: check.left };
      if (b.replaces) {
        await tx.query(
          `update bookings set status = 'cancelled', notes = concat_ws(E'\\n', notes, $2::text)
            where id = $1 and status in ('pending', 'confirmed')`,
          [b.replaces.id, b.replaces.note],
        );
      }
      const inserted = await tx.query<{ id: string; party_size: number; starts_at: Date; status: string; workflow_id: string | null; offering_id: string | null }>(
        `insert into bookings (id, business_id, user_id, conversation_id, offering_id, party_size, starts_at, status, workflow_id)
         values ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)
         returning id, party_size, starts_at, status, workflow_id, offering_id`,
        [b.id, b.businessId, b.userId, b.conversationId, b.offeringId, b.partySize, b.startsAt, b.workflowId],
      );
      return { placed: true, booking: toBooking(inserted[0]!), existed: false };
    });
  },
});

export const bookingTool = defineTool({
  name: 'get_booking',
  description: 'One booking of the business by id',
  async run({ db }, args: { businessId: string; bookingId: string }): Promise<BookingRow | null> {
    const rows = await db.query<{ id: string; party_size: number; starts_at: Date; status: string; workflow_id: string | null; offering_id: string | null }>(
      'select id, party_size, starts_at, status, workflow_id, offering_id from bookings where id = $1 and business_id = $2',
      [args.bookingId, args.businessId],
    );
    return rows[0] ? toBooking(rows[0]) : null;
  },
});

function toBooking(r: { id: string; party_size: number; starts_at: Date; status: string; workflow_id: string | null; offering_id: string | null }): BookingRow {
  return { id: r.id, partySize: r.party_size, startsAt: new Date(r.starts_at), status: r.status, workflowId: r.workflow_id, offeringId: r.offering_id };
}

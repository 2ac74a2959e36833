// The GLOBAL chat's SQL tools: read-only, parameterized queries over the catalogue.
//
// One job: turn a question about businesses into rows with the facts an answer
// needs (distance from a point, open now in the business's own time zone, matched
// words, a highlight offering). Deciding what to show is ranking.ts's job.
//
// Accents: without the unaccent extension (the migrations use none, so any Postgres
// and Supabase work), text is folded with translate(); the terms arrive folded from
// query.ts, so "pasteis" finds "Pastéis". A business's own searchable text (name,
// description, keywords, available offerings) is folded once, on write, into
// businesses.search_text (migration 0004, with the same translate()).
import type { GeoPoint } from '../../src/events.js';
import type { Announcement } from '../shared/agent.js';
import { type Db, defineTool } from '../shared/tools.js';
import { haversineSql } from './geo.js';
import type { Candidate } from './ranking.js';

const ACCENTED = 'áàâãäåéèêëíìîïóòôõöúùûüçñ';
const PLAIN = 'aaaaaaeeeeiiiiooooouuuucn';
const fold = (sql: string) => `translate(lower(${sql}), '${ACCENTED}', '${PLAIN}')`;

// A term matches as a whole word, singular or plural ("tasca" finds "tascas").
// Terms are [a-z0-9]+ (query.ts), so they are safe inside a regular expression.
const termMatches = (haystack: string, term: string) => `${haystack} ~ ('\\m' || ${term} || '(s|es)?\\M')`;

export interface CandidateQuery {
  /** Restrict to these categories (empty: any). */
  categories?: readonly string[];
  /** Folded search stems. */
  terms?: readonly string[];
  /** Restrict to these business ids (comparison, business info). */
  ids?: readonly string[];
  /** Measure distances from here. */
  origin?: GeoPoint | null;
  /** The instant "open now" refers to: the message's sentAt, so replays answer alike. */
  at: Date;
}

interface CandidateRow {
  id: string;
  name: string;
  category: string;
  description: string;
  address: string;
  price_level: number;
  rating: string | null;
  review_count: number;
  accepting_bookings: boolean;
  open_now: boolean;
  open_until: string | null;
  distance_m: number | null;
  matched: string[];
  highlight_name: string | null;
  highlight_price_cents: number | null;
  highlight_currency: string | null;
}

/**
 * Businesses with their facts. With `ids`, exactly those (in no particular order);
 * otherwise those of `categories` (all when empty) and, without categories, only
 * those matching a term (all when there are no terms).
 */
export async function findCandidates(db: Db, q: CandidateQuery): Promise<Candidate[]> {
  const origin = q.origin ?? null;
  const rows = await db.query<CandidateRow>(
    `with req as (
       select $1::text[] as ids, $2::text[] as cats, $3::text[] as terms,
              $4::float8 as lat, $5::float8 as lon, $6::timestamptz as at
     )
     select b.id, b.name, b.category, b.description, b.address, b.price_level,
            b.rating::text as rating, b.review_count, b.accepting_bookings,
            business_open_at(b.id, req.at) as open_now,
            -- The closing time of the interval open now, for "open until 23:00"; the
            -- same reading of opening_hours as business_open_at (which stays the judge).
            (select to_char(h.closes, 'HH24:MI')
               from opening_hours h
               cross join lateral (select (req.at at time zone b.timezone) as local_ts) l
              where h.business_id = b.id
                and ((h.weekday = extract(isodow from l.local_ts)
                      and l.local_ts::time >= h.opens
                      and (h.closes <= h.opens or l.local_ts::time < h.closes))
                  or (h.closes <= h.opens
                      and h.weekday = extract(isodow from l.local_ts - interval '1 day')
                      and l.local_ts::time < h.closes))
              order by h.opens limit 1) as open_until,
            case when req.lat is null then null else ${haversineSql('req.lat', 'req.lon')} end as distance_m,
            m.matched,
            hl.name as highlight_name, hl.price_cents as highlight_price_cents, hl.currency as highlight_currency
       from businesses b
       cross join req
       cross join lateral (
         select coalesce(array_agg(t order by t), '{}') as matched
           from unnest(req.terms) t where ${termMatches('b.search_text', 't')}
       ) m
       left join lateral (
         -- A dish or service to name: one matching the search first, then the house's
         -- signature, then the priciest (usually the main thing it is known for).
         select o.name, o.price_cents, o.currency
           from offerings o
          where o.business_id = b.id and o.available
          order by exists (select 1 from unnest(req.terms) t
                            where ${termMatches(fold(`o.name || ' ' || o.description || ' ' || array_to_string(o.tags, ' ')`), 't')}) desc,
                   'signature' = any (o.tags) desc, o.price_cents desc, o.name
          limit 1
       ) hl on true
      where (req.ids is null or b.id = any (req.ids))
        and (cardinality(req.cats) = 0 or b.category = any (req.cats))
        and (req.ids is not null or cardinality(req.cats) > 0 or cardinality(req.terms) = 0 or cardinality(m.matched) > 0)`,
    [q.ids ? [...q.ids] : null, [...(q.categories ?? [])], [...(q.terms ?? [])], origin?.lat ?? null, origin?.lon ?? null, q.at],
  );
  return rows.map(toCandidate);
}

function toCandidate(r: CandidateRow): Candidate {
  return {
    id: r.id,
    name: r.name,
    category: r.category,
    description: r.description,
    address: r.address,
    priceLevel: Number(r.price_level),
    rating: r.rating === null ? null : Number(r.rating),
    reviewCount: Number(r.review_count),
    acceptingBookings: r.accepting_bookings,
    openNow: r.open_now,
    openUntil: r.open_until === '24:00' || r.open_until === '00:00' ? 'midnight' : r.open_until,
    distanceM: r.distance_m === null ? null : Number(r.distance_m),
    matchedTerms: r.matched,
    highlight: r.highlight_name === null ? null : `${r.highlight_name} (${formatMoney(r.highlight_price_cents ?? 0, r.highlight_currency ?? 'EUR')})`,
  };
}

export function formatMoney(cents: number, currency: string): string {
  const amount = (cents / 100).toFixed(cents % 100 === 0 ? 0 : 2);
  return currency === 'EUR' ? `€${amount}` : `${amount} ${currency}`;
}

// ---------------------------------------------------------------------------
// one business in detail

export interface HoursRow {
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  opens: string;
  closes: string;
}

export interface OfferingRow {
  name: string;
  kind: string;
  priceCents: number;
  currency: string;
  durationMinutes: number | null;
}

export interface FaqRow {
  question: string;
  answer: string;
}

export interface BusinessDetails {
  id: string;
  phone: string | null;
  timezone: string;
  hours: HoursRow[];
  offerings: OfferingRow[];
  /** FAQs whose keywords or question match the terms (all of them when no terms). */
  faqs: FaqRow[];
}

/** Hours, a few offerings and the FAQs that answer `terms`, for the business_info agent. */
export async function businessDetails(db: Db, id: string, terms: readonly string[]): Promise<BusinessDetails | null> {
  const rows = await db.query<{ id: string; phone: string | null; timezone: string }>(
    'select id, phone, timezone from businesses where id = $1', [id]);
  const head = rows[0];
  if (!head) return null;
  const hours = await db.query<{ weekday: number; opens: string; closes: string }>(
    `select weekday, to_char(opens, 'HH24:MI') as opens, to_char(closes, 'HH24:MI') as closes
       from opening_hours where business_id = $1 order by weekday, opens`, [id]);
  const offerings = await db.query<{ name: string; kind: string; price_cents: number; currency: string; duration_minutes: number | null }>(
    `select name, kind, price_cents, currency, duration_minutes
       from offerings where business_id = $1 and available
      order by 'signature' = any (tags) desc, price_cents desc, name limit 5`, [id]);
  const faqs = await db.query<FaqRow>(
    `select f.question, f.answer
       from faqs f
      where f.business_id = $1
        and (cardinality($2::text[]) = 0 or exists (
              select 1 from unnest($2::text[]) t
               where ${termMatches(fold(`f.question || ' ' || array_to_string(f.keywords, ' ')`), 't')}))
      order by f.question`, [id, [...terms]]);
  return {
    id: head.id,
    phone: head.phone,
    timezone: head.timezone,
    hours: hours.map((h) => ({ weekday: Number(h.weekday), opens: h.opens, closes: h.closes })),
    offerings: offerings.map((o) => ({
      name: o.name, kind: o.kind, priceCents: Number(o.price_cents), currency: o.currency,
      durationMinutes: o.duration_minutes === null ? null : Number(o.duration_minutes),
    })),
    faqs,
  };
}

// ---------------------------------------------------------------------------
// the tools as agents declare them

export const findBusinessesTool = defineTool({
  name: 'find_businesses',
  description: 'Businesses by category, words, ids; with distance from a point, open now, matched words and a highlight offering',
  run: (ctx, args: CandidateQuery) => findCandidates(ctx.db, args),
});

export const businessDetailsTool = defineTool({
  name: 'business_details',
  description: "One business's opening hours, main offerings and the FAQs that answer the given words",
  run: (ctx, args: { id: string; terms: readonly string[] }) => businessDetails(ctx.db, args.id, args.terms),
});

/**
 * What the businesses of an answer announced, from the cached business rows (no query
 * when they are cached): their cards show those still running (../shared/announcements.ts).
 */
export const businessAnnouncementsTool = defineTool({
  name: 'business_announcements',
  description: "The businesses' announcements, from the cached business rows",
  async run(ctx, args: { ids: readonly string[] }): Promise<Map<string, readonly Announcement[]>> {
    const businesses = await ctx.businesses(args.ids);
    return new Map([...businesses.values()].map((b) => [b.id, b.announcements]));
  },
});

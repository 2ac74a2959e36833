// The business a conversation is about, and the catalog understanding matches names
// against: read from PostgreSQL once and cached, since every message needs them.
// A business row comes with its newest announcements, so the replies that show them
// (DEDICATED's welcome, hours and menu; GLOBAL's cards) cost no query of their own.
//
// A cached copy lives at most `ttlMs`, and is dropped at once when PostgreSQL
// notifies a change to the businesses table (migration 0003) or to one of its
// announcements (migration 0008); `invalidate` is what the listener calls. While the
// listener is not connected, notifications can be missed, so the listener calls
// `invalidate()` (everything) on every (re)connect. An announcement that expires needs
// no notification: the cached copy keeps its end, checked at read time.
import type { Config } from '../../src/config.js';
import { listen, type Listener } from '../../src/db/notifications.js';
import type { Logger } from '../../src/log.js';
import type { Catalog, CatalogPlace } from '../../src/understanding/index.js';
import { CATEGORIES } from '../../src/understanding/lexicon.js';
import type { Announcement, BusinessContext } from './agent.js';
import type { Db } from './tools.js';

/**
 * Announcements read per business: more than a reply shows (MAX_SHOWN_ANNOUNCEMENTS),
 * so one that expires before the row is read again leaves others to show.
 */
export const ANNOUNCEMENTS_LOADED = 10;

interface BusinessRow {
  id: string;
  name: string;
  category: string;
  timezone: string;
  accepting_bookings: boolean;
  capacity_per_slot: number;
  slot_minutes: number;
  phone: string | null;
  address: string;
  /** json_agg of the announcements not expired by the database's clock, newest first. */
  announcements: Announcement[];
}

/** The businesses of `ids` that exist, each with its announcements, in one query. */
export async function loadBusinesses(db: Db, ids: readonly string[]): Promise<Map<string, BusinessContext>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<BusinessRow>(
    `select b.id, b.name, b.category, b.timezone, b.accepting_bookings, b.capacity_per_slot, b.slot_minutes, b.phone, b.address,
            coalesce(a.list, '[]'::json) as announcements
       from businesses b
       left join lateral (
         select json_agg(json_build_object('text', x.text, 'postedAt', x.posted_at, 'expiresAt', x.expires_at) order by x.posted_at desc) as list
           from (select text, floor(extract(epoch from created_at) * 1000)::bigint as posted_at,
                        floor(extract(epoch from expires_at) * 1000)::bigint as expires_at
                   from announcements
                  where business_id = b.id and expires_at > now()
                  order by created_at desc, id
                  limit $2) x
       ) a on true
      where b.id = any ($1::text[])`,
    [ids, ANNOUNCEMENTS_LOADED],
  );
  return new Map(rows.map((row) => [row.id, {
    id: row.id,
    name: row.name,
    category: row.category,
    timeZone: row.timezone,
    acceptingBookings: row.accepting_bookings,
    capacityPerSlot: row.capacity_per_slot,
    slotMinutes: row.slot_minutes,
    phone: row.phone,
    address: row.address,
    announcements: row.announcements,
  }]));
}

export async function loadBusiness(db: Db, businessId: string): Promise<BusinessContext | null> {
  return (await loadBusinesses(db, [businessId])).get(businessId) ?? null;
}

export const BUSINESS_TTL_MS = 30_000;
/** The channel migration 0003's trigger notifies with the changed business's id. */
export const BUSINESS_CHANGES_CHANNEL = 'x7_business_changed';
export const CATALOG_TTL_MS = 60_000;

/** Cached business rows and the catalog, shared by every chat type of a process. */
export class BusinessDirectory {
  private readonly rows = new Map<string, { at: number; business: Promise<BusinessContext | null> }>();
  private readonly catalogs = new Map<readonly CatalogPlace[], { at: number; catalog: Promise<Catalog> }>();

  constructor(private readonly db: Db, private readonly now: () => number, private readonly ttlMs = BUSINESS_TTL_MS) {}

  business(id: string): Promise<BusinessContext | null> {
    return this.cached(id) ?? this.remember(id, loadBusiness(this.db, id));
  }

  /** Several at once (GLOBAL's cards): the cached ones as they are, all the others in one query. */
  async businesses(ids: readonly string[]): Promise<Map<string, BusinessContext>> {
    const unique = [...new Set(ids)];
    const missing = unique.filter((id) => this.cached(id) === undefined);
    const loading = missing.length > 0 ? loadBusinesses(this.db, missing) : null;
    const pending = unique.map((id) => this.cached(id) ?? this.remember(id, loading!.then((found) => found.get(id) ?? null)));
    const found = await Promise.all(pending);
    return new Map(found.filter((b) => b !== null).map((b) => [b.id, b]));
  }

  private cached(id: string): Promise<BusinessContext | null> | undefined {
    const cached = this.rows.get(id);
    return cached && this.now() - cached.at < this.ttlMs ? cached.business : undefined;
  }

  private remember(id: string, business: Promise<BusinessContext | null>): Promise<BusinessContext | null> {
    this.rows.set(id, { at: this.now(), business });
    // A failed read is not cached: the next message asks again.
    business.catch(() => {
      if (this.rows.get(id)?.business === business) this.rows.delete(id);
    });
    return business;
  }

  /** The catalog with a chat type's named places (the business names are the same for all). */
  catalog(places: readonly CatalogPlace[]): Promise<Catalog> {
    const cached = this.catalogs.get(places);
    if (cached && this.now() - cached.at < CATALOG_TTL_MS) return cached.catalog;
    const catalog = this.db.query<{ id: string; name: string; category: string }>('select id, name, category from businesses order by id')
      .then((rows): Catalog => ({ businesses: rows, categories: [...CATEGORIES], places }));
    this.catalogs.set(places, { at: this.now(), catalog });
    catalog.catch(() => this.catalogs.delete(places));
    return catalog;
  }

  /** Drops one business (and the catalog, whose names may have changed), or everything. */
  invalidate(businessId?: string): void {
    if (businessId === undefined) this.rows.clear();
    else this.rows.delete(businessId);
    this.catalogs.clear();
  }
}

/** Keeps `directory` in step with the businesses and announcements tables (the notifications of migrations 0003 and 0008). */
export function watchBusinessChanges(directory: BusinessDirectory, config: Pick<Config, 'databaseUrl'>, logger: Logger): Listener {
  return listen(config, {
    channel: BUSINESS_CHANGES_CHANNEL,
    onNotification: (businessId) => directory.invalidate(businessId),
    onReset: () => directory.invalidate(),
    logger,
  });
}

// The business a conversation is about, and the catalog understanding matches names
// against: read from PostgreSQL once and cached, since every message needs them.
//
// A cached copy lives at most `ttlMs`, and is dropped at once when PostgreSQL
// notifies a change to the businesses table (migration 0003; `invalidate` is what
// the listener calls). While the listener is not connected, notifications can be
// missed, so the listener calls `invalidate()` (everything) on every (re)connect.
import type { Config } from '../../src/config.js';
import { listen, type Listener } from '../../src/db/notifications.js';
import type { Logger } from '../../src/log.js';
import type { Catalog, CatalogPlace } from '../../src/understanding/index.js';
import { CATEGORIES } from '../../src/understanding/lexicon.js';
import type { BusinessContext } from './agent.js';
import type { Db } from './tools.js';

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
}

export async function loadBusiness(db: Db, businessId: string): Promise<BusinessContext | null> {
  const [row] = await db.query<BusinessRow>(
    `select id, name, category, timezone, accepting_bookings, capacity_per_slot, slot_minutes, phone, address
       from businesses where id = $1`,
    [businessId],
  );
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    timeZone: row.timezone,
    acceptingBookings: row.accepting_bookings,
    capacityPerSlot: row.capacity_per_slot,
    slotMinutes: row.slot_minutes,
    phone: row.phone,
    address: row.address,
  };
}

export const BUSINESS_TTL_MS = 30_000;
/** The channel migration 0003's trigger notifies with the changed business's id. */
export const BUSINESS_CHANGES_CHANNEL = 'x7_business_changed';
export const CATALOG_TTL_MS = 60_000;

/** Cached business rows and the catalog, shared by every chat type of a process. */
export class BusinessDirectory {
  private readonly businesses = new Map<string, { at: number; business: Promise<BusinessContext | null> }>();
  private readonly catalogs = new Map<readonly CatalogPlace[], { at: number; catalog: Promise<Catalog> }>();

  constructor(private readonly db: Db, private readonly now: () => number, private readonly ttlMs = BUSINESS_TTL_MS) {}

  business(id: string): Promise<BusinessContext | null> {
    const cached = this.businesses.get(id);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.business;
    const business = loadBusiness(this.db, id);
    this.businesses.set(id, { at: this.now(), business });
    // A failed read is not cached: the next message asks again.
    business.catch(() => this.businesses.delete(id));
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
    if (businessId === undefined) this.businesses.clear();
    else this.businesses.delete(businessId);
    this.catalogs.clear();
  }
}

/** Keeps `directory` in step with the businesses table (migration 0003's notifications). */
export function watchBusinessChanges(directory: BusinessDirectory, config: Pick<Config, 'databaseUrl'>, logger: Logger): Listener {
  return listen(config, {
    channel: BUSINESS_CHANGES_CHANNEL,
    onNotification: (businessId) => directory.invalidate(businessId),
    onReset: () => directory.invalidate(),
    logger,
  });
}

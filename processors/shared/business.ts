// The business a conversation is about, and the catalog understanding matches names
// against. Read per message from Postgres (the dashboard may change them at any time);
// the catalog is cached for a minute because it is the same for every message.
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

const CATALOG_TTL_MS = 60_000;

/** A catalog loader with a short cache; `places` come from the chat type's definition. */
export function catalogLoader(places: readonly CatalogPlace[], now: () => number) {
  let cached: { at: number; catalog: Catalog } | undefined;
  return async (db: Db): Promise<Catalog> => {
    if (cached && now() - cached.at < CATALOG_TTL_MS) return cached.catalog;
    const rows = await db.query<{ id: string; name: string; category: string }>('select id, name, category from businesses order by id');
    cached = { at: now(), catalog: { businesses: rows, categories: [...CATEGORIES], places } };
    return cached.catalog;
  };
}

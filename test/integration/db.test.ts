// `x7 db migrate` and `x7 db seed` as an operator runs them, against a database of
// the test's own; and what the schema and the demo data promise to the rest of x7.
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseError } from '../../src/db/errors.js';
import { projectPath } from '../../src/paths.js';
import { DependencyUnavailableError } from '../../src/pipeline/errors.js';
import { runX7 } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const env = (db: TestDatabase) => ({ DATABASE_URL: db.url, X7_LOG_LEVEL: 'warn' });
/** The project's migration files, in the order they apply. */
const MIGRATIONS = readdirSync(projectPath('supabase/migrations')).filter((f) => f.endsWith('.sql')).sort();

async function scalar<T>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.pool.query(sql, params);
  return Object.values(rows[0] as object)[0] as T;
}

describe('x7 db migrate', () => {
  const dbs: TestDatabase[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.drop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const fresh = async (label: string) => {
    const db = await createTestDatabase({ migrate: false, label });
    dbs.push(db);
    return db;
  };
  const copyOfMigrations = () => {
    const dir = mkdtempSync(join(tmpdir(), 'x7-migrations-'));
    dirs.push(dir);
    cpSync(projectPath('supabase/migrations'), dir, { recursive: true });
    return dir;
  };

  it('applies the migrations once, then says it is up to date', async () => {
    const db = await fresh('migrate');
    const first = await runX7(['db', 'migrate'], env(db));
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    for (const file of MIGRATIONS) expect(first.stdout).toContain(`applied ${file}\n`);

    const second = await runX7(['db', 'migrate'], env(db));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^up to date/m);
    expect(second.stdout).not.toMatch(/applied 0001/);
    expect(await scalar<number>(db, 'select count(*)::int from schema_migrations')).toBe(MIGRATIONS.length);
    expect(await scalar<string>(db, 'select checksum from schema_migrations order by version limit 1')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lets only one of two runners started together apply a file', async () => {
    const db = await fresh('race');
    const [a, b] = await Promise.all([runX7(['db', 'migrate'], env(db)), runX7(['db', 'migrate'], env(db))]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const applied = (a.stdout + b.stdout).match(/^applied \S+\.sql$/gm) ?? [];
    expect(applied.sort()).toEqual(MIGRATIONS.map((f) => `applied ${f}`));
    expect(await scalar<number>(db, 'select count(*)::int from schema_migrations')).toBe(MIGRATIONS.length);
  });

  it('refuses to go on when an applied migration was edited', async () => {
    const db = await fresh('checksum');
    const dir = copyOfMigrations();
    expect((await runX7(['db', 'migrate', '--dir', dir], env(db))).code).toBe(0);
    appendFileSync(join(dir, '0001_init.sql'), '\ncreate table sneaky (id int);\n');
    writeFileSync(join(dir, '9999_next.sql'), 'create table next_one (id int);\n');

    const result = await runX7(['db', 'migrate', '--dir', dir], env(db));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/0001_init\.sql changed after it was applied/);
    // Nothing was applied, not even the new file.
    expect(await scalar<boolean>(db, `select to_regclass('next_one') is null`)).toBe(true);
    expect(await scalar<boolean>(db, `select to_regclass('sneaky') is null`)).toBe(true);
  });

  it('rolls a failing file back whole and says where it failed', async () => {
    const db = await fresh('failing');
    const dir = copyOfMigrations();
    writeFileSync(join(dir, '9000_broken.sql'), 'create table half_done (id int);\ncreate tabel oops (id int);\n');
    const result = await runX7(['db', 'migrate', '--dir', dir], env(db));
    expect(result.code).toBe(1);
    for (const file of MIGRATIONS) expect(result.stdout).toContain(`applied ${file}\n`);
    expect(result.stderr).toMatch(/9000_broken\.sql failed at line 2, column 8: syntax error/);
    expect(await scalar<boolean>(db, `select to_regclass('half_done') is null`)).toBe(true);
    expect(await scalar<number>(db, 'select count(*)::int from schema_migrations')).toBe(MIGRATIONS.length);
  });

  it('reports an unreachable database as an unavailable dependency', async () => {
    const result = await runX7(['db', 'migrate'], { DATABASE_URL: 'postgresql://x7:x7@127.0.0.1:1/x7' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/postgres unavailable: 127\.0\.0\.1:1\/x7: connect ECONNREFUSED/);
    expect(result.stderr).not.toContain('x7:x7@');
  });

  it('will not seed a database that is not migrated', async () => {
    const db = await fresh('unmigrated');
    const result = await runX7(['db', 'seed'], env(db));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not migrated .*run "x7 db migrate" first/);
  });
});

describe('x7 db seed', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ label: 'seed' });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('loads the demo data, and a second run changes nothing', async () => {
    const first = await runX7(['db', 'seed'], env(db));
    expect(first.stderr).not.toMatch(/failed|error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^seeded \d+ businesses, \d+ opening hours, \d+ offerings, \d+ FAQs/m);
    const counts = async () => (await db.pool.query(`
      select (select count(*) from businesses)::int as businesses, (select count(*) from opening_hours)::int as hours,
             (select count(*) from offerings)::int as offerings, (select count(*) from faqs)::int as faqs,
             (select count(*) from members)::int as members, (select count(*) from bookings)::int as bookings,
             (select count(*) from messages)::int as messages, (select count(*) from audit_log)::int as audit,
             (select count(*) from workflow_runs)::int as runs, (select count(*) from announcements)::int as announcements`)).rows[0];
    const before = await counts();

    const second = await runX7(['db', 'seed'], env(db));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/no new rows/);
    expect(await counts()).toEqual(before);
    expect(second.stdout.split('\n')[0]).toBe(first.stdout.split('\n')[0]);
  });

  describe('the demo data', () => {
    beforeAll(async () => {
      // Independent of the test above: seeding is idempotent.
      expect((await runX7(['db', 'seed'], env(db))).code).toBe(0);
    });

    it('has at least 40 businesses in at least 6 categories, all in Lisbon', async () => {
      const { rows: [summary] } = await db.pool.query(`
        select count(*)::int as businesses, count(distinct category)::int as categories,
               bool_and(timezone = 'Europe/Lisbon') as lisbon_time,
               -- Lisbon municipality's bounding box
               bool_and(lat between 38.68 and 38.80 and lon between -9.24 and -9.08) as in_lisbon,
               -- spread over the city (Belém to Parque das Nações), none on top of another
               (max(lat) - min(lat) > 0.05 and max(lon) - min(lon) > 0.1) as spread,
               count(distinct (lat, lon))::int as places
        from businesses`);
      expect(summary.businesses).toBeGreaterThanOrEqual(40);
      expect(summary.categories).toBeGreaterThanOrEqual(6);
      expect(summary.lisbon_time).toBe(true);
      expect(summary.in_lisbon).toBe(true);
      expect(summary.spread).toBe(true);
      expect(summary.places).toBe(summary.businesses);
    });

    it('gives every business hours, 3 to 6 offerings and 2 to 4 FAQs', async () => {
      const { rows } = await db.pool.query(`
        select b.id,
               (select count(distinct weekday) from opening_hours h where h.business_id = b.id)::int as open_days,
               (select count(*) from offerings o where o.business_id = b.id)::int as offerings,
               (select count(*) from faqs f where f.business_id = b.id)::int as faqs
        from businesses b`);
      for (const row of rows) {
        expect(row.open_days, row.id).toBeGreaterThan(0);
        expect(row.offerings, row.id).toBeGreaterThanOrEqual(3);
        expect(row.offerings, row.id).toBeLessThanOrEqual(6);
        expect(row.faqs, row.id).toBeGreaterThanOrEqual(2);
        expect(row.faqs, row.id).toBeLessThanOrEqual(4);
      }
    });

    it('has members in all three roles and both past and upcoming bookings', async () => {
      const { rows } = await db.pool.query('select distinct role from members order by role');
      expect(rows.map((r) => r.role)).toEqual(['manager', 'owner', 'staff']);
      expect(await scalar<number>(db, `select count(*)::int from bookings where starts_at > now() and status in ('pending', 'confirmed')`)).toBeGreaterThanOrEqual(5);
      expect(await scalar<number>(db, `select count(*)::int from bookings where starts_at < now()`)).toBeGreaterThanOrEqual(2);
      // Every seeded booking falls within its business's opening hours.
      expect(await scalar<number>(db, 'select count(*)::int from bookings where not business_open_at(business_id, starts_at)')).toBe(0);
    });

    it('knows when a business is open, across midnight and on closed days', async () => {
      const open = (business: string, at: string) => scalar<boolean>(db, 'select business_open_at($1, $2::timestamptz)', [business, at]);
      // Tasca da Rosa: Friday 19:00 until 02:00 on Saturday.
      expect(await open('lis-tasca-da-rosa', '2026-11-27 20:00 Europe/Lisbon')).toBe(true);
      expect(await open('lis-tasca-da-rosa', '2026-11-28 01:30 Europe/Lisbon')).toBe(true);
      expect(await open('lis-tasca-da-rosa', '2026-11-28 02:30 Europe/Lisbon')).toBe(false);
      // Tuesday to Thursday it closes at midnight.
      expect(await open('lis-tasca-da-rosa', '2026-11-25 23:59 Europe/Lisbon')).toBe(true);
      expect(await open('lis-tasca-da-rosa', '2026-11-26 00:30 Europe/Lisbon')).toBe(false);
      // Taberna do Largo: closed on Mondays, lunch and dinner otherwise.
      expect(await open('lis-taberna-do-largo', '2026-11-30 13:00 Europe/Lisbon')).toBe(false);
      expect(await open('lis-taberna-do-largo', '2026-12-01 13:00 Europe/Lisbon')).toBe(true);
      expect(await open('lis-taberna-do-largo', '2026-12-01 17:00 Europe/Lisbon')).toBe(false);
      // Open 24 hours, also in summer time.
      expect(await open('lis-alcantara-fit', '2026-07-05 03:17 Europe/Lisbon')).toBe(true);
    });
  });
});

describe('the schema', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ seed: true, label: 'schema' });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('stores a message once per event id', async () => {
    const insert = `insert into messages (event_id, conversation_id, role, text) values ($1, 'c-demo-eva-global', 'user', $2)`;
    const eventId = '6f1c2c4e-5b7a-4c1e-9a3e-0d2b8f1e7a10';
    await db.pool.query(insert, [eventId, 'first']);
    await expect(db.pool.query(insert, [eventId, 'again'])).rejects.toMatchObject({ code: '23505' });
    const redelivered = await db.pool.query(`${insert} on conflict (event_id) do nothing`, [eventId, 'again']);
    expect(redelivered.rowCount).toBe(0);
    expect(await scalar<string>(db, 'select text from messages where event_id = $1', [eventId])).toBe('first');
  });

  it('rejects values outside the closed sets', async () => {
    const business = `insert into businesses (id, name, category, address, city, lat, lon, timezone, price_level, capacity_per_slot, slot_minutes)
                      values ($1, 'X', $2, 'Rua X 1', 'Lisbon', 38.71, -9.14, $3, 2, 10, 30)`;
    await expect(db.pool.query(business, ['lis-new-place', 'casino', 'Europe/Lisbon'])).rejects.toMatchObject({ code: '23514' });
    await expect(db.pool.query(business, ['lis-new-place', 'cafe', 'Mars/Olympus'])).rejects.toMatchObject({ code: '23514' });
    await expect(db.pool.query(business, ['Not A Slug', 'cafe', 'Europe/Lisbon'])).rejects.toMatchObject({ code: '23514' });
    await expect(db.pool.query(`insert into members (business_id, user_id, role) values ('lis-cafe-garrett', 'u-eva', 'admin')`)).rejects.toMatchObject({ code: '23514' });
    await expect(db.pool.query(`insert into conversations (id, chat_type, user_id, business_id) values ('c-x', 'GLOBAL', 'u-eva', 'lis-cafe-garrett')`)).rejects.toMatchObject({ code: '23514' });
    await expect(db.pool.query(`insert into conversations (id, chat_type, user_id) values ('c-y', 'DEDICATED', 'u-eva')`)).rejects.toMatchObject({ code: '23514' });
    await expect(db.pool.query(`insert into bookings (business_id, user_id, party_size, starts_at, status) values ('lis-cafe-garrett', 'u-eva', 2, now(), 'maybe')`)).rejects.toMatchObject({ code: '23514' });
    await expect(db.pool.query(`insert into offerings (business_id, kind, name, price_cents) values ('lis-salao-da-graca', 'service', 'Timeless', 100)`)).rejects.toMatchObject({ code: '23514' });
  });

  it('tells a transient failure (a real statement timeout) from bad data (a real NUL byte)', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('set statement_timeout = 20');
      const timeout = await client.query('select pg_sleep(1)').catch((error: unknown) => error);
      expect(timeout).toMatchObject({ code: '57014' });
      expect(databaseError(timeout, db.url)).toBeInstanceOf(DependencyUnavailableError);
      await client.query('reset statement_timeout');
      const nul = await client.query('select id from businesses where id = $1', ['lis-\u0000']).catch((error: unknown) => error);
      expect(nul).toMatchObject({ code: '22021' });
      expect(databaseError(nul, db.url)).toBe(nul);
    } finally {
      client.release();
    }
  });

  it('keeps updated_at current and generates booking ids', async () => {
    const { rows: [booking] } = await db.pool.query(
      `insert into bookings (business_id, user_id, party_size, starts_at) values ('lis-cafe-garrett', 'u-eva', 2, now() + interval '1 day')
       returning id, status, updated_at`);
    expect(booking.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(booking.status).toBe('pending');
    const { rows: [after] } = await db.pool.query(`update bookings set status = 'confirmed' where id = $1 returning updated_at`, [booking.id]);
    expect(after.updated_at.getTime()).toBeGreaterThanOrEqual(booking.updated_at.getTime());
  });
});

import { describe, expect, it } from 'vitest';
import {
  migrationChecksum, migrationVersion, MigrationError, orderMigrations, planMigrations, positionInText,
  type AppliedMigration, type Migration,
} from '../../src/db/migrations.js';

const files = (...names: string[]) => names.map((name) => ({ name, sql: `-- ${name}\nselect 1;` }));
const applied = (m: Migration): AppliedMigration => ({ version: m.version, name: m.name, checksum: m.checksum });

describe('migration files', () => {
  it('reads the version from VERSION_name.sql, digits only', () => {
    expect(migrationVersion('0001_init.sql')).toBe('0001');
    expect(migrationVersion('20240611093000_add_reviews.sql')).toBe('20240611093000');
    expect(migrationVersion('init.sql')).toBeNull();
    expect(migrationVersion('v1_init.sql')).toBeNull();
    expect(migrationVersion('0001_init.SQL')).toBeNull();
  });

  it('orders by numeric version, not by text', () => {
    const ordered = orderMigrations(files('10_ten.sql', '2_two.sql', '0001_one.sql', 'README.md'));
    expect(ordered.map((m) => m.name)).toEqual(['0001_one.sql', '2_two.sql', '10_ten.sql']);
  });

  it('skips files that are not .sql and refuses misnamed .sql files', () => {
    expect(orderMigrations(files('notes.txt'))).toEqual([]);
    expect(() => orderMigrations(files('0001_init.sql', 'fix.sql'))).toThrow(/fix\.sql is not named VERSION_name\.sql/);
  });

  it('refuses two files with the same version, however they are padded', () => {
    expect(() => orderMigrations(files('0002_a.sql', '2_b.sql'))).toThrow(MigrationError);
  });

  it('refuses files that manage their own transaction, but not plpgsql blocks', () => {
    expect(() => orderMigrations([{ name: '0001_a.sql', sql: 'begin;\ncreate table t (id int);\ncommit;\n' }])).toThrow(/BEGIN\/COMMIT/);
    const plpgsql = 'create function f() returns int language plpgsql as $$\nbegin\n  return 1;\nend;\n$$;\n';
    expect(orderMigrations([{ name: '0001_a.sql', sql: plpgsql }])).toHaveLength(1);
  });

  it('checksums the text, ignoring CRLF against LF', () => {
    expect(migrationChecksum('select 1;\n')).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationChecksum('a\r\nb\r\n')).toBe(migrationChecksum('a\nb\n'));
    expect(migrationChecksum('select 1;')).not.toBe(migrationChecksum('select 2;'));
  });

  it('applies the real migrations folder in order', async () => {
    const { readMigrations } = await import('../../src/db/migrate.js');
    const { projectPath } = await import('../../src/paths.js');
    const migrations = await readMigrations(projectPath('supabase/migrations'));
    expect(migrations[0]?.name).toMatch(/^0001_/);
  });
});

describe('planning', () => {
  const [one, two, three] = orderMigrations(files('0001_init.sql', '0002_more.sql', '0003_last.sql')) as [Migration, Migration, Migration];

  it('plans everything on an empty database and nothing on an up-to-date one', () => {
    expect(planMigrations([one, two, three], []).map((m) => m.name)).toEqual(['0001_init.sql', '0002_more.sql', '0003_last.sql']);
    expect(planMigrations([one, two, three], [one, two, three].map(applied))).toEqual([]);
  });

  it('plans only what is new', () => {
    expect(planMigrations([one, two, three], [applied(one)]).map((m) => m.name)).toEqual(['0002_more.sql', '0003_last.sql']);
  });

  it('refuses when an applied file changed', () => {
    const edited = { ...applied(one), checksum: migrationChecksum('something else') };
    expect(() => planMigrations([one, two], [edited])).toThrow(/0001_init\.sql changed after it was applied/);
  });

  it('refuses when the database has a version no file has', () => {
    expect(() => planMigrations([one], [applied(one), applied(two)])).toThrow(/0002_more\.sql \(version 0002\) applied, but no file/);
  });

  it('refuses a new file that sorts before an applied one', () => {
    expect(() => planMigrations([one, two, three], [applied(one), applied(three)])).toThrow(/0002_more\.sql is not applied but sorts before 0003_last\.sql/);
  });

  it('matches versions numerically (a renumbered pad is the same version)', () => {
    expect(planMigrations([one], [{ ...applied(one), version: '1' }])).toEqual([]);
  });
});

describe('error positions', () => {
  it('turns a 1-based character position into line and column', () => {
    const sql = 'create table a (id int);\ncreate tabel b (id int);\n';
    expect(positionInText(sql, 1)).toBe('line 1, column 1');
    expect(positionInText(sql, 26 + 7)).toBe('line 2, column 8');
  });
});

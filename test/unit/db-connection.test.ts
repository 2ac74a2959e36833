import { describe, expect, it } from 'vitest';
import { connectionSettings, DatabaseUrlError, describeDatabaseUrl } from '../../src/db/connection.js';
import { isDatabaseUnavailable, databaseError } from '../../src/db/errors.js';
import { DependencyUnavailableError } from '../../src/pipeline/errors.js';

const SUPABASE = 'postgresql://postgres.abcd:s3cr%40t@aws-0-eu-west-2.pooler.supabase.com:5432/postgres';
const files: Record<string, string> = { '/ca.pem': 'CA', '/client.pem': 'CERT', '/client.key': 'KEY' };
const readFile = (path: string) => {
  const content = files[path];
  if (content === undefined) throw new Error('ENOENT');
  return content;
};

describe('DATABASE_URL and TLS', () => {
  it('leaves a URL without sslmode to pg as it is', () => {
    expect(connectionSettings('postgresql://x7:x7@127.0.0.1:54322/x7')).toEqual({
      connectionString: 'postgresql://x7:x7@127.0.0.1:54322/x7', ssl: undefined,
    });
  });

  it('encrypts without verifying for sslmode=require, as libpq does (Supabase)', () => {
    const { connectionString, ssl } = connectionSettings(`${SUPABASE}?sslmode=require`);
    expect(ssl).toEqual({ rejectUnauthorized: false });
    // Taken out of the URL, or pg would let it override the ssl option.
    expect(connectionString).toBe(SUPABASE);
  });

  it('keeps other parameters', () => {
    const { connectionString } = connectionSettings(`${SUPABASE}?sslmode=require&application_name=x7&options=-c%20search_path%3Dx7`);
    expect(connectionString).toBe(`${SUPABASE}?application_name=x7&options=-c+search_path%3Dx7`);
  });

  it('verifies for verify-full, with the CA of sslrootcert', () => {
    expect(connectionSettings(`${SUPABASE}?sslmode=verify-full&sslrootcert=/ca.pem`, readFile).ssl).toEqual({ ca: 'CA', rejectUnauthorized: true });
    expect(connectionSettings(`${SUPABASE}?sslmode=verify-full&sslrootcert=system`, readFile).ssl).toEqual({ rejectUnauthorized: true });
  });

  it('verifies the chain but not the host name for verify-ca', () => {
    const ssl = connectionSettings(`${SUPABASE}?sslmode=verify-ca&sslrootcert=/ca.pem`, readFile).ssl;
    expect(ssl).toMatchObject({ ca: 'CA', rejectUnauthorized: true });
    expect(ssl && ssl.checkServerIdentity?.('other.host', {} as never)).toBeUndefined();
  });

  it('passes client certificates', () => {
    expect(connectionSettings(`${SUPABASE}?sslmode=require&sslcert=/client.pem&sslkey=/client.key`, readFile).ssl)
      .toEqual({ cert: 'CERT', key: 'KEY', rejectUnauthorized: false });
  });

  it('turns TLS off for disable, allow and prefer', () => {
    for (const mode of ['disable', 'allow', 'prefer']) expect(connectionSettings(`${SUPABASE}?sslmode=${mode}`).ssl).toBe(false);
  });

  it('refuses an unknown sslmode, a missing file, or TLS files without sslmode', () => {
    expect(() => connectionSettings(`${SUPABASE}?sslmode=always`)).toThrow(/sslmode=always: expected one of disable/);
    expect(() => connectionSettings(`${SUPABASE}?sslmode=verify-full&sslrootcert=/nope.pem`, readFile)).toThrow(DatabaseUrlError);
    expect(() => connectionSettings(`${SUPABASE}?sslrootcert=/ca.pem`, readFile)).toThrow(/no sslmode/);
  });

  it('describes a URL without its credentials', () => {
    expect(describeDatabaseUrl(`${SUPABASE}?sslmode=require`)).toBe('aws-0-eu-west-2.pooler.supabase.com:5432/postgres');
  });
});

describe('database errors', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

  it('calls an unreachable or restarting server unavailable', () => {
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connection failure'), { code: '08006' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('retries what fails for reasons of the moment: serialization failure, deadlock, timeouts, lock not available', () => {
    for (const [code, message] of [
      ['40001', 'could not serialize access due to concurrent update'],
      ['40P01', 'deadlock detected'],
      ['57014', 'canceling statement due to statement timeout'],
      ['55P03', 'could not obtain lock on row in relation "bookings"'],
      ['53400', 'too many connections for role "x7"'],
    ]) {
      const error = Object.assign(new Error(message), { code });
      expect(isDatabaseUnavailable(error), code).toBe(true);
      expect(databaseError(error, 'postgresql://db/x7'), code).toBeInstanceOf(DependencyUnavailableError);
    }
  });

  it('calls a refused login unavailable: the partition waits for the operator, nothing is dead-lettered', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('password authentication failed'), { code: '28P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('no pg_hba.conf entry'), { code: '28000' }))).toBe(true);
  });

  it('does not call bad SQL or bad data unavailable', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))).toBe(false);
  });

  it('wraps outages in DependencyUnavailableError naming the server, not the password', () => {
    const wrapped = databaseError(refused, 'postgresql://x7:hunter2@db.example:5432/x7');
    expect(wrapped).toBeInstanceOf(DependencyUnavailableError);
    expect((wrapped as Error).message).toBe('postgres unavailable: db.example:5432/x7: connect ECONNREFUSED 127.0.0.1:1');
    expect((wrapped as Error).message).not.toContain('hunter2');
    const syntax = Object.assign(new Error('syntax error'), { code: '42601' });
    expect(databaseError(syntax, 'postgresql://db/x7')).toBe(syntax);
  });
});

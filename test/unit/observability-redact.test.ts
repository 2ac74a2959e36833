// Readiness never says where a dependency lives, and a public port says only
// whether the process is ready.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { backgroundProbe, Readiness, serveObservability } from '../../src/observability/http.js';
import { pingRegistry } from '../../src/observability/probes.js';
import { describeFailure, redactAddresses } from '../../src/observability/redact.js';
import { freePort } from '../support/ports.js';

describe('addresses in readiness lines', () => {
  it('are replaced, and the rest of the line kept', () => {
    expect(redactAddresses('connect ECONNREFUSED 10.0.3.7:5432')).toBe('connect ECONNREFUSED <address>');
    expect(redactAddresses('connect ECONNREFUSED ::1:5432')).toBe('connect ECONNREFUSED <address>');
    expect(redactAddresses('connect ECONNREFUSED [2001:db8::5]:5432')).toBe('connect ECONNREFUSED <address>');
    expect(redactAddresses('getaddrinfo ENOTFOUND db.abcd.supabase.co')).toBe('getaddrinfo ENOTFOUND <host>');
    expect(redactAddresses('db.abcd.supabase.co:6543 timed out')).toBe('<address> timed out');
    expect(redactAddresses('partition 2 paused: postgresql://x7:pw@db.internal:5432/x7 refused')).toBe('partition 2 paused: <url> refused');
    for (const kept of ['redis: not connected (reconnecting)', 'partition 11 paused: postgres unavailable', 'no answer within 3000 ms', 'at 12:30:45']) {
      expect(redactAddresses(kept)).toBe(kept);
    }
  });

  it('are left out of a failure described by its code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.3.7:5432'), { code: 'ECONNREFUSED' });
    expect(describeFailure(refused)).toBe('connection refused (ECONNREFUSED)');
    const auth = Object.assign(new Error('password authentication failed for user "x7"'), { code: '28P01' });
    expect(describeFailure(auth)).toBe('authentication failed (SQLSTATE 28P01)');
    expect(describeFailure(new Error('Connection terminated unexpectedly'))).toBe('Connection terminated unexpectedly');
  });

  it('never reach /readyz from a probe or a check', async () => {
    const port = await freePort(); // nothing listens there
    const probe = backgroundProbe(() => pingRegistry(`http://127.0.0.1:${port}/apis/ccompat/v7`));
    await probe.start();
    probe.stop();
    const readiness = new Readiness()
      .add('registry', probe.check)
      .add('processor', () => ['partition 3 paused: connect ECONNREFUSED 10.0.3.7:5432']);
    const problems = await readiness.problems();
    expect(problems).toEqual(['registry: connection refused (ECONNREFUSED)', 'processor: partition 3 paused: connect ECONNREFUSED <address>']);
  });
});

describe('a public port\'s /readyz', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('answers the status and {ready} only, and no /metrics', async () => {
    const readiness = new Readiness().add('postgres', () => 'connection refused (ECONNREFUSED)');
    const routes = { registry: null, readiness, detail: false };
    server = createServer((req, res) => {
      void serveObservability(routes, req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ready: false });
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

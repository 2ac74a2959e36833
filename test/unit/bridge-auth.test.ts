import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, AuthUnavailableError, createTokenVerifier, signToken, tokenFromRequest } from '../../src/bridge/auth.js';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const none = { jwtSecret: null, jwksUrl: null, jwtIssuer: null, jwtAudience: null };

describe('HS256 tokens', () => {
  const verify = createTokenVerifier({ ...none, jwtSecret: SECRET });

  it('yields the subject as the user id', async () => {
    const identity = await verify(await signToken(SECRET, 'u-7', 60));
    expect(identity.userId).toBe('u-7');
    expect(identity.expiresAt).toBeGreaterThan(Date.now());
  });

  it('refuses another key, an expired token, a token without exp or sub, and garbage', async () => {
    await expect(verify(await signToken('another-secret-that-is-32-bytes-long!!', 'u-7', 60))).rejects.toThrow(AuthError);
    const key = new TextEncoder().encode(SECRET);
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setExpirationTime(Math.floor(Date.now() / 1000) - 120).sign(key);
    await expect(verify(expired)).rejects.toThrow(/expired/);
    const forever = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u').sign(key);
    await expect(verify(forever)).rejects.toThrow(AuthError);
    const nobody = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1m').sign(key);
    await expect(verify(nobody)).rejects.toThrow(AuthError);
    await expect(verify('not.a.jwt')).rejects.toThrow(AuthError);
  });

  it('refuses alg none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'u', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    await expect(verify(`${header}.${payload}.`)).rejects.toThrow(AuthError);
  });

  it('refuses a token older than X7_JWT_MAX_AGE_SECONDS, and one without iat, when a maximum age is set', async () => {
    const capped = createTokenVerifier({ ...none, jwtSecret: SECRET, jwtMaxAgeSeconds: 3600 });
    const key = new TextEncoder().encode(SECRET);
    const now = Math.floor(Date.now() / 1000);
    const old = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setIssuedAt(now - 7200).setExpirationTime(now + 86_400).sign(key);
    await expect(capped(old)).rejects.toThrow(AuthError);
    await expect(verify(old)).resolves.toMatchObject({ userId: 'u' }); // no maximum: exp decides
    const noIat = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setExpirationTime(now + 600).sign(key);
    await expect(capped(noIat)).rejects.toThrow(AuthError);
    expect((await capped(await signToken(SECRET, 'u', 60))).userId).toBe('u');
  });

  it('checks issuer and audience when configured', async () => {
    const strict = createTokenVerifier({ ...none, jwtSecret: SECRET, jwtIssuer: 'https://id.example', jwtAudience: 'x7' });
    await expect(strict(await signToken(SECRET, 'u', 60))).rejects.toThrow(AuthError);
    expect((await strict(await signToken(SECRET, 'u', 60, { issuer: 'https://id.example', audience: 'x7' }))).userId).toBe('u');
  });
});

describe('JWKS tokens', () => {
  let server: Server;
  let url: string;
  let privateKey: CryptoKey;
  let requests = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies with the provider\'s keys, fetched once', async () => {
    const verify = createTokenVerifier({ ...none, jwksUrl: url });
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('u-jwks').setExpirationTime('5m').sign(privateKey);
    expect((await verify(token)).userId).toBe('u-jwks');
    expect((await verify(token)).userId).toBe('u-jwks');
    expect(requests).toBe(1);
  });

  it('does not accept HS256 when only JWKS is configured (no key confusion)', async () => {
    const verify = createTokenVerifier({ ...none, jwksUrl: url });
    await expect(verify(await signToken(SECRET, 'u', 60))).rejects.toThrow(/HS256/);
  });

  it('reports an unreachable key set as unavailable, not as a bad token', async () => {
    const verify = createTokenVerifier({ ...none, jwksUrl: 'http://127.0.0.1:9/jwks.json' });
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('u').setExpirationTime('5m').sign(privateKey);
    await expect(verify(token)).rejects.toThrow(AuthUnavailableError);
  });
});

describe('token from the upgrade request', () => {
  it('reads the bearer header, else access_token', () => {
    expect(tokenFromRequest({ headers: { authorization: 'Bearer abc.def.ghi' }, url: '/v1/stream' })).toBe('abc.def.ghi');
    expect(tokenFromRequest({ headers: {}, url: '/v1/stream?access_token=xyz' })).toBe('xyz');
    expect(tokenFromRequest({ headers: { authorization: 'Basic Zm9v' }, url: '/v1/stream?access_token=xyz' })).toBeNull();
    expect(tokenFromRequest({ headers: {}, url: '/v1/stream' })).toBeNull();
  });
});

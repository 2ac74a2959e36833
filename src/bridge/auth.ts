// Who is connecting: the JWT of a request, verified.
//
// Two kinds of keys, either or both: a shared HS256 secret (X7_JWT_SECRET; our own
// dev tokens and simple deployments) and an identity provider's public keys from
// a JWKS URL (X7_JWKS_URL; Supabase, Auth0, Keycloak…), fetched and cached by
// jose's createRemoteJWKSet, which also refetches when a token names an unknown
// key id (key rotation). The token header's `alg` picks the key kind, and each
// kind accepts only its own algorithms, so an RS256 public key can never be used
// as an HMAC secret (the classic algorithm-confusion attack), and `none` never
// verifies. `sub` is the user id; `exp` is required, so a leaked token dies.
import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Config } from '../config.js';
import { MAX_ID_LENGTH } from './protocol.js';

export interface Identity {
  userId: string;
  /** When the token stops being valid (ms since the epoch). */
  expiresAt: number;
}

/** The token is missing, malformed, expired or not signed by a key we trust. */
export class AuthError extends Error {
  override name = 'AuthError';
}

/** A verifier failed for reasons that are not the token's (the JWKS endpoint is down). */
export class AuthUnavailableError extends Error {
  override name = 'AuthUnavailableError';
}

export type TokenVerifier = (token: string) => Promise<Identity>;

const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export function createTokenVerifier(config: Pick<Config, 'jwtSecret' | 'jwksUrl' | 'jwtIssuer' | 'jwtAudience'> & Partial<Pick<Config, 'jwtMaxAgeSeconds'>>): TokenVerifier {
  const secret = config.jwtSecret === null ? null : new TextEncoder().encode(config.jwtSecret);
  const jwks = config.jwksUrl === null ? null : createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
  const maxAge = config.jwtMaxAgeSeconds ?? null;
  const options = {
    // A maximum age is measured from iat, so a token without one cannot pass it.
    requiredClaims: maxAge === null ? ['sub', 'exp'] : ['sub', 'exp', 'iat'],
    ...(maxAge !== null ? { maxTokenAge: maxAge } : {}),
    ...(config.jwtIssuer !== null ? { issuer: config.jwtIssuer } : {}),
    ...(config.jwtAudience !== null ? { audience: config.jwtAudience } : {}),
    clockTolerance: 30,
  };
  return async (token) => {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new AuthError('the token is not a JWT');
    }
    let payload: JWTPayload;
    try {
      if (alg === 'HS256') {
        if (!secret) throw new AuthError('HS256 tokens are not accepted here (no X7_JWT_SECRET)');
        ({ payload } = await jwtVerify(token, secret, { ...options, algorithms: ['HS256'] }));
      } else if (alg !== undefined && ASYMMETRIC_ALGORITHMS.includes(alg)) {
        if (!jwks) throw new AuthError(`${alg} tokens are not accepted here (no X7_JWKS_URL)`);
        ({ payload } = await jwtVerify(token, jwks, { ...options, algorithms: ASYMMETRIC_ALGORITHMS }));
      } else {
        throw new AuthError(`tokens signed with ${JSON.stringify(alg ?? null)} are not accepted`);
      }
    } catch (error) {
      throw toAuthError(error);
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.trim() === '' || sub.length > MAX_ID_LENGTH) throw new AuthError('the token has no usable subject (sub)');
    return { userId: sub, expiresAt: (payload.exp as number) * 1000 };
  };
}

function toAuthError(error: unknown): Error {
  if (error instanceof AuthError) return error;
  if (error instanceof joseErrors.JWTExpired) return new AuthError('the token has expired');
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC') {
    // The key set could not be fetched: not the client's fault, and not a reason to say "bad token".
    return new AuthUnavailableError(`cannot fetch the signing keys: ${(error as Error).message}`);
  }
  if (error instanceof joseErrors.JOSEError) return new AuthError(`the token is not valid: ${error.message}`);
  if (error instanceof Error && /fetch|ECONNREFUSED|ENOTFOUND|network/i.test(error.message)) {
    return new AuthUnavailableError(`cannot fetch the signing keys: ${error.message}`);
  }
  return new AuthError(`the token is not valid: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * The bearer token of an upgrade request: the Authorization header, or the
 * `access_token` query parameter for browsers, whose WebSocket API cannot set
 * headers. (Query strings end up in access logs; tokens should be short-lived.)
 */
export function tokenFromRequest(req: Pick<IncomingMessage, 'headers' | 'url'>): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1]! : null;
  }
  const url = new URL(req.url ?? '/', 'http://bridge.invalid');
  const token = url.searchParams.get('access_token');
  return token === null || token === '' ? null : token;
}

/** A short-lived HS256 token for a user: the dev sign-in and tests. */
export async function signToken(secret: string, userId: string, ttlSeconds: number, claims: { issuer?: string | null; audience?: string | null } = {}): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId).setIssuedAt().setExpirationTime(`${ttlSeconds}s`);
  if (claims.issuer) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

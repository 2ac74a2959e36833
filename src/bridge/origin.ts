// Which web pages may open a WebSocket to the bridge.
//
// Browsers attach cookies and let any page open a WebSocket to any host, so a
// server that trusts the browser's credentials must check Origin (cross-site
// WebSocket hijacking). Our tokens travel in the URL or a header the page sets,
// not in cookies, but the allow-list still keeps unknown sites from using a
// signed-in user's token that leaked into their page. Clients that are not
// browsers send no Origin and could forge one anyway, so its absence is allowed;
// the token is what authenticates them.
import { isIP } from 'node:net';

/**
 * True when the request may upgrade. `host` is the request's Host header: a page
 * served by the bridge itself (same origin) is always allowed.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined || origin === '') return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
  if (host !== undefined && url.host === host.toLowerCase()) return true;
  return allowed.some((entry) => entry.replace(/\/+$/, '').toLowerCase() === url.origin);
}

// DNS rebinding: an attacker's page at http://evil.example:8080 whose name is then
// made to resolve to 127.0.0.1 talks to the bridge as its own origin: Origin and
// Host both say evil.example:8080, so "Origin equals Host" passes, and plain GETs
// carry no Origin at all. What the attacker cannot choose is a name the bridge
// serves, so every request and upgrade must name one in its Host header:
//   - an IP literal (no DNS involved, so nothing to rebind);
//   - localhost and *.localhost (browsers resolve them to loopback themselves);
//   - the host names of X7_ALLOWED_ORIGINS (list the bridge's public origin there);
//   - X7_BRIDGE_HOST when it is a name.

/** The host names (lower case) the bridge answers to besides IP literals and localhost. */
export function servedHostnames(allowedOrigins: readonly string[], bindHost: string): Set<string> {
  const names = new Set<string>();
  for (const origin of allowedOrigins) {
    try {
      names.add(new URL(origin).hostname.toLowerCase());
    } catch {
      // config.ts accepts only origins; nothing else can be here
    }
  }
  if (isIP(bindHost.replace(/^\[|\]$/g, '')) === 0) names.add(bindHost.toLowerCase());
  return names;
}

/** True when the request's Host header names the bridge (see above); a missing or malformed one does not. */
export function isHostServed(host: string | undefined, served: ReadonlySet<string>): boolean {
  if (host === undefined) return false;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(host);
  if (!match) return false;
  const name = match[1]!.toLowerCase().replace(/\.$/, '');
  if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return served.has(name);
}

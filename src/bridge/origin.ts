// Which web pages may open a WebSocket to the bridge.
//
// Browsers attach cookies and let any page open a WebSocket to any host, so a
// server that trusts the browser's credentials must check Origin (cross-site
// WebSocket hijacking). Our tokens travel in the URL or a header the page sets,
// not in cookies, but the allow-list still keeps unknown sites from using a
// signed-in user's token that leaked into their page. Clients that are not
// browsers send no Origin and could forge one anyway, so its absence is allowed;
// the token is what authenticates them.

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

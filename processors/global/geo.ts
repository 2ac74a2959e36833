// Distances on the earth's surface and the search radius around a point.
//
// Pure: the SQL tools compute the same haversine distance in the database (so a
// radius can filter there); this copy serves ranking, tests and replies.
import type { GeoPoint } from '../../src/events.js';

const EARTH_RADIUS_M = 6_371_008.8; // mean radius (IUGG); the SQL uses the same constant

/** Great-circle distance in metres (haversine). */
export function haversineMeters(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** SQL expression of the same distance from ($lat, $lon) to a row's lat/lon columns. */
export function haversineSql(latParam: string, lonParam: string, latColumn = 'b.lat', lonColumn = 'b.lon'): string {
  return `(2 * ${EARTH_RADIUS_M} * asin(least(1, sqrt(
    power(sin(radians(${latColumn} - ${latParam}) / 2), 2) +
    cos(radians(${latParam})) * cos(radians(${latColumn})) * power(sin(radians(${lonColumn} - ${lonParam}) / 2), 2)))))`;
}

/** "350 m", "1.2 km", "14 km": what a person reads, never more precise than useful. */
export function formatDistance(meters: number): string {
  if (meters < 950) return `${Math.max(10, Math.round(meters / 10) * 10)} m`;
  if (meters < 9_950) return `${Number((meters / 1000).toFixed(1))} km`;
  return `${Math.round(meters / 1000)} km`;
}

/** Radii tried in turn: the default first, then wider, so "near me" never answers "nothing" while something exists. */
export const DEFAULT_RADIUS_M = 3_000;
export const RADIUS_STEPS_M: readonly number[] = [3_000, 6_000, 12_000, 25_000];

export interface RadiusChoice {
  /** The radius used: the first step with at least one result; null when even the widest holds none. */
  radiusM: number | null;
  /** True when the default radius held nothing and a wider one was used (the reply must say so). */
  widened: boolean;
}

/**
 * The smallest radius (from `steps`) that holds at least `minResults` of the
 * candidates' distances; when none does, the widest step that holds any.
 */
export function chooseRadius(distancesM: readonly number[], steps: readonly number[] = RADIUS_STEPS_M, minResults = 1): RadiusChoice {
  if (steps.length === 0) throw new RangeError('chooseRadius needs at least one radius step');
  const first = steps[0]!;
  for (const step of steps) {
    if (distancesM.filter((d) => d <= step).length >= minResults) return { radiusM: step, widened: step !== first };
  }
  const widest = steps[steps.length - 1]!;
  return distancesM.some((d) => d <= widest) ? { radiusM: widest, widened: widest !== first } : { radiusM: null, widened: true };
}

// Capacity arithmetic for bookings: a business takes `capacity_per_slot` people (or
// chairs) at any moment; a booking occupies its party size from its start for its
// length (the service's duration, or the business's slot). A new booking fits when
// the people already booked during any part of its time, plus its own, stay within
// the capacity. Pure: the rows come from the bookings tool.

export interface Occupancy {
  /** Epoch milliseconds. */
  startsAt: number;
  minutes: number;
  partySize: number;
}

/** True when [aStart, aStart+aMin) and [bStart, bStart+bMin) share a moment. */
export function overlaps(aStart: number, aMinutes: number, bStart: number, bMinutes: number): boolean {
  return aStart < bStart + bMinutes * 60_000 && bStart < aStart + aMinutes * 60_000;
}

/**
 * The most people present at once during [start, start+minutes) from `bookings`.
 * The peak, not the sum: two bookings that overlap the window at different times
 * (one leaving as the other arrives) do not add up.
 */
export function peakLoad(bookings: readonly Occupancy[], start: number, minutes: number): number {
  const inWindow = bookings.filter((b) => overlaps(b.startsAt, b.minutes, start, minutes));
  // The load only rises at a booking's start (or the window's start), so those are the moments to check.
  const moments = [start, ...inWindow.map((b) => b.startsAt).filter((t) => t > start && t < start + minutes * 60_000)];
  let peak = 0;
  for (const t of moments) {
    const load = inWindow.filter((b) => b.startsAt <= t && t < b.startsAt + b.minutes * 60_000).reduce((sum, b) => sum + b.partySize, 0);
    peak = Math.max(peak, load);
  }
  return peak;
}

export interface CapacityCheck {
  fits: boolean;
  /** People already booked at the busiest moment of the window. */
  load: number;
  /** Places left at that moment (never negative). */
  left: number;
}

export function checkCapacity(bookings: readonly Occupancy[], start: number, minutes: number, partySize: number, capacity: number): CapacityCheck {
  const load = peakLoad(bookings, start, minutes);
  return { fits: load + partySize <= capacity, load, left: Math.max(0, capacity - load) };
}

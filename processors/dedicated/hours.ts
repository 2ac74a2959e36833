// Opening hours as a customer reads them, and the times to suggest. Pure: the rows
// come from opening_hours (ISO weekday 1 = Monday … 7 = Sunday; an interval whose
// closing time is not after its opening time ends the next day, as in the schema).

export interface HoursRow {
  weekday: number;
  /** HH:MM */
  opens: string;
  /** HH:MM; 00:00 or earlier than opens: the next day. */
  closes: string;
}

export const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const SHORT = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

export function hhmm(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** [start, end) in minutes from the opening day's midnight; end may pass 1440. */
function span(row: HoursRow): [number, number] {
  const start = minutesOf(row.opens);
  let end = minutesOf(row.closes);
  if (end <= start) end += 1440;
  return [start, end];
}

/** ISO weekday (1–7) from Date#getUTCDay-style 0 = Sunday. */
export function isoWeekday(sundayZero: number): number {
  return sundayZero === 0 ? 7 : sundayZero;
}

function previousDay(weekday: number): number {
  return weekday === 1 ? 7 : weekday - 1;
}

/** Open at minute `minute` of ISO weekday `weekday`, counting last night's late intervals. */
export function isOpenAt(rows: readonly HoursRow[], weekday: number, minute: number): boolean {
  return rows.some((r) => {
    const [s, e] = span(r);
    if (r.weekday === weekday && minute >= s && minute < e) return true;
    return r.weekday === previousDay(weekday) && e > 1440 && minute < e - 1440;
  });
}

/** "12:00–15:00 and 19:00–23:00", or "closed". */
export function describeDay(rows: readonly HoursRow[], weekday: number): string {
  const day = rows.filter((r) => r.weekday === weekday).sort((a, b) => minutesOf(a.opens) - minutesOf(b.opens));
  if (day.length === 0) return 'closed';
  return day.map((r) => `${r.opens}–${r.closes === '24:00' ? '24:00' : r.closes}`).join(' and ');
}

/** The week, consecutive days with the same hours grouped: "Mon closed · Tue–Sun 12:00–15:00 and 19:00–23:00". */
export function describeWeek(rows: readonly HoursRow[]): string {
  const parts: string[] = [];
  let from = 1;
  for (let d = 1; d <= 7; d++) {
    const same = d < 7 && describeDay(rows, d + 1) === describeDay(rows, d);
    if (same) continue;
    const label = from === d ? SHORT[d]! : `${SHORT[from]}–${SHORT[d]}`;
    parts.push(`${label} ${describeDay(rows, d)}`);
    from = d + 1;
  }
  return parts.join(' · ');
}

/** When the current opening interval ends (HH:MM), if open at that moment. */
export function closesAt(rows: readonly HoursRow[], weekday: number, minute: number): string | null {
  for (const r of rows) {
    const [s, e] = span(r);
    if (r.weekday === weekday && minute >= s && minute < e) return hhmm(e);
    if (r.weekday === previousDay(weekday) && e > 1440 && minute < e - 1440) return hhmm(e - 1440);
  }
  return null;
}

/** The next opening after (weekday, minute): days ahead (0 = later today) and the time. */
export function nextOpening(rows: readonly HoursRow[], weekday: number, minute: number): { daysAhead: number; weekday: number; time: string } | null {
  for (let ahead = 0; ahead <= 7; ahead++) {
    const day = ((weekday - 1 + ahead) % 7) + 1;
    const starts = rows.filter((r) => r.weekday === day).map((r) => minutesOf(r.opens)).sort((a, b) => a - b);
    const next = starts.find((s) => ahead > 0 || s > minute);
    if (next !== undefined) return { daysAhead: ahead, weekday: day, time: hhmm(next) };
  }
  return null;
}

/**
 * Start times on `weekday` at which a booking of `minutes` lies wholly inside one
 * opening interval, every `step` minutes, nearest to `preferred` first.
 */
export function candidateTimes(rows: readonly HoursRow[], weekday: number, minutes: number, step: number, preferred: number): number[] {
  const times: number[] = [];
  for (const r of rows.filter((x) => x.weekday === weekday)) {
    const [s, e] = span(r);
    for (let t = s; t + minutes <= e && t < 1440; t += step) times.push(t);
  }
  return times.sort((a, b) => Math.abs(a - preferred) - Math.abs(b - preferred) || a - b);
}

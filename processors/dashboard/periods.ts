// Periods staff ask about ("this week", "last 7 days", "yesterday") as instants.
//
// Pure: the clock and the business's time zone are arguments. Days start at local
// midnight in the business's zone (a Lisbon business's "today" is Lisbon's, whatever
// zone the server runs in), weeks start on Monday (ISO, as in Portugal), and every
// period is half-open: from ≤ t < to.
import { addDays, formatDate, instantToZonedParts, zonedDateTimeToInstant } from '../../src/understanding/zoned-time.js';
import { fold } from '../../src/understanding/text.js';

export interface Period {
  /** Stable name for logs and audit: "today", "this_week", "last_7_days" … */
  key: string;
  /** What the reply says: "today", "this week (Mon 23 Nov – Sun 29 Nov)" … */
  label: string;
  from: Date;
  to: Date;
}

interface LocalDate { year: number; month: number; day: number }

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const NUMBER_WORDS: Record<string, number> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, fourteen: 14, thirty: 30,
};

function startOf(d: LocalDate, timeZone: string): Date {
  return zonedDateTimeToInstant(d.year, d.month, d.day, 0, 0, timeZone);
}

function show(d: LocalDate): string {
  const weekday = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return `${DAYS[weekday]} ${d.day} ${MONTHS[d.month - 1]}`;
}

/** A period of whole local days [first, first + days). */
function days(key: string, name: string, first: LocalDate, count: number, timeZone: string, withDates = true): Period {
  const end = addDays(first.year, first.month, first.day, count);
  const last = addDays(first.year, first.month, first.day, count - 1);
  const range = count === 1 ? show(first) : `${show(first)} – ${show(last)}`;
  return { key, label: withDates ? `${name} (${range})` : name, from: startOf(first, timeZone), to: startOf(end, timeZone) };
}

function count(word: string): number | undefined {
  const n = /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS[word];
  return n !== undefined && n >= 1 && n <= 366 ? n : undefined;
}

/**
 * The period a message names, or undefined when it names none (the caller then uses
 * its own default and says which). The first period mentioned wins.
 */
export function parsePeriod(text: string, now: Date, timeZone: string): Period | undefined {
  const t = fold(text).text;
  const p = instantToZonedParts(now, timeZone);
  const today: LocalDate = { year: p.year, month: p.month, day: p.day };
  const shift = (n: number) => addDays(today.year, today.month, today.day, n);
  // ISO weekday offset: Monday 0 … Sunday 6.
  const sinceMonday = (p.weekday + 6) % 7;

  const rolling = /\b(?:last|past|previous|ultimos?)\s+(\d{1,3}|[a-z]+)\s+(days?|weeks?|dias|semanas)\b/.exec(t);
  const ahead = /\b(?:next|coming|proximos?)\s+(\d{1,3}|[a-z]+)\s+(days?|weeks?|dias|semanas)\b/.exec(t);
  const candidates: Array<[number, () => Period]> = [];
  const at = (re: RegExp, make: () => Period) => {
    const m = re.exec(t);
    if (m) candidates.push([m.index, make]);
  };

  if (rolling) {
    const n = count(rolling[1]!);
    if (n !== undefined) {
      const total = /^(?:weeks?|semanas)$/.test(rolling[2]!) ? n * 7 : n;
      // The last N days include today: "last 7 days" on a Wednesday starts last Thursday.
      candidates.push([rolling.index, () => days(`last_${total}_days`, `the last ${total} days`, shift(-(total - 1)), total, timeZone)]);
    }
  }
  if (ahead) {
    const n = count(ahead[1]!);
    if (n !== undefined) {
      const total = /^(?:weeks?|semanas)$/.test(ahead[2]!) ? n * 7 : n;
      candidates.push([ahead.index, () => days(`next_${total}_days`, `the next ${total} days`, today, total, timeZone)]);
    }
  }
  at(/\b(?:today|tonight|hoje|esta noite)\b/, () => days('today', 'today', today, 1, timeZone));
  at(/\b(?:yesterday|ontem)\b/, () => days('yesterday', 'yesterday', shift(-1), 1, timeZone));
  at(/\b(?:tomorrow|amanha)\b/, () => days('tomorrow', 'tomorrow', shift(1), 1, timeZone));
  at(/\b(?:this|current) week\b|\besta semana\b/, () => days('this_week', 'this week', shift(-sinceMonday), 7, timeZone));
  at(/\b(?:last|previous|past) week\b|\bsemana passada\b/, () => days('last_week', 'last week', shift(-sinceMonday - 7), 7, timeZone));
  at(/\b(?:next|coming) week\b|\bproxima semana\b/, () => days('next_week', 'next week', shift(7 - sinceMonday), 7, timeZone));
  at(/\b(?:last|past|previous) weekend\b/, () => days('last_weekend', 'last weekend', shift(-2 - sinceMonday), 2, timeZone));
  at(/(?<!(?:last|past|previous) )\b(?:this )?weekend\b|\bfim de semana\b/, () => {
    // Saturday and Sunday of this week (on a Sunday, today and yesterday).
    const saturday = shift(5 - sinceMonday);
    return days('this_weekend', 'this weekend', saturday, 2, timeZone);
  });
  at(/\b(?:this|current) month\b|\beste mes\b/, () => month('this_month', 'this month', today.year, today.month, timeZone));
  at(/\b(?:last|previous|past) month\b|\bmes passado\b/, () => {
    const prev = today.month === 1 ? { year: today.year - 1, month: 12 } : { year: today.year, month: today.month - 1 };
    return month('last_month', 'last month', prev.year, prev.month, timeZone);
  });
  at(/\b(?:next|coming) month\b|\bproximo mes\b/, () => {
    const next = today.month === 12 ? { year: today.year + 1, month: 1 } : { year: today.year, month: today.month + 1 };
    return month('next_month', 'next month', next.year, next.month, timeZone);
  });
  at(/\b(?:this|current) year\b|\beste ano\b/, () => ({
    key: 'this_year', label: `this year (${today.year})`,
    from: startOf({ year: today.year, month: 1, day: 1 }, timeZone), to: startOf({ year: today.year + 1, month: 1, day: 1 }, timeZone),
  }));

  candidates.sort((a, b) => a[0] - b[0]);
  return candidates[0]?.[1]();
}

function month(key: string, name: string, year: number, monthNumber: number, timeZone: string): Period {
  const next = monthNumber === 12 ? { year: year + 1, month: 1 } : { year, month: monthNumber + 1 };
  return {
    key,
    label: `${name} (${MONTHS[monthNumber - 1]} ${year})`,
    from: startOf({ year, month: monthNumber, day: 1 }, timeZone),
    to: startOf({ year: next.year, month: next.month, day: 1 }, timeZone),
  };
}

/** The last N days including today: the default when a question names no period. */
export function lastDays(n: number, now: Date, timeZone: string): Period {
  const p = instantToZonedParts(now, timeZone);
  const first = addDays(p.year, p.month, p.day, -(n - 1));
  return days(`last_${n}_days`, `the last ${n} days`, first, n, timeZone);
}

/** "2026-11-23": a local date for keys and tests. */
export function localDate(instant: Date, timeZone: string): string {
  const p = instantToZonedParts(instant, timeZone);
  return formatDate(p.year, p.month, p.day);
}

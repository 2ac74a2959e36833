// Dates and times in chat text, resolved on the business's wall clock.
//
// Two steps: `scanDateTime` finds marks in folded text without knowing "now"
// (the intent rules use it to see that a message carries a time), and
// `resolveDateTime` turns the marks into one instant in the business's zone.
//
// Conventions (chosen for a booking assistant in Europe; the reply echoes the
// resolved date back so a wrong guess is caught by the customer):
// - Numeric dates are day/month[/year] ("12/03" is 12 March), as written in
//   Portugal and most of Europe. A date without a year that has already passed
//   this year means next year.
// - "friday"/"on friday"/"this friday" is the nearest Friday from today on; if a
//   time is given and that moment has passed, the Friday a week later.
//   "next friday" is the nearest Friday strictly after today.
// - A time without a date is today, or tomorrow when that time has passed.
// - An hour from 1 to 11 without am/pm (and not written as 0H:MM) is ambiguous:
//   evening words ("tonight", "evening", "à noite") or `preferEvening` make it pm,
//   morning words make it am; otherwise 1–6 is pm (nobody books at 3am) and 7–11
//   is am. The result says `meridiemAssumed` so an agent can confirm.
// - "midnight" is the end of the named day (00:00 of the next day).
// - "in 2 hours" is now plus the duration, to the minute.
import { COUNT, type Folded, originalSlice, parseCount } from './text.js';
import { MONTHS, MONTH_RE, WEEKDAY_ABBR_RE, WEEKDAY_NAME_RE, weekdayIndex } from './lexicon.js';
import {
  addDays, formatDate, formatTime, formatZonedIso, instantToZonedParts, isValidDate, zonedDateTimeToInstant,
} from './zoned-time.js';

export type DayPart = 'morning' | 'afternoon' | 'evening';

interface Span { start: number; end: number; rule: string }
interface Ymd { year: number; month: number; day: number }

/** A date named in the text; `at` computes it from today's date and weekday. */
export interface DateMark extends Span {
  kind: 'date';
  at: (today: Ymd, weekday: number) => Ymd | undefined;
  /** What to do when the named day plus time lies in the past. */
  roll?: 'week';
  dayPart?: DayPart;
}

export interface TimeMark extends Span {
  kind: 'time';
  hour: number;
  minute: number;
  /** 1–11 without am/pm: needs the meridiem rule. */
  ambiguous: boolean;
  /** Midnight belongs to the end of the named day. */
  nextDay?: boolean;
}

export interface RelativeMark extends Span {
  kind: 'relative';
  minutes?: number;
  days?: number;
}

export interface DayPartMark extends Span {
  kind: 'daypart';
  dayPart: DayPart;
}

export type Mark = DateMark | TimeMark | RelativeMark | DayPartMark;

export interface ScanOptions {
  /** The conversation waits for a time (and not a party size): a bare "8" is a time. */
  bareNumberIsTime?: boolean;
}

const NUM_UNIT: Record<string, { minutes?: number; days?: number }> = {
  m: { minutes: 1 }, min: { minutes: 1 }, mins: { minutes: 1 }, minute: { minutes: 1 }, minutes: { minutes: 1 }, minutos: { minutes: 1 },
  h: { minutes: 60 }, hr: { minutes: 60 }, hrs: { minutes: 60 }, hour: { minutes: 60 }, hours: { minutes: 60 }, hora: { minutes: 60 }, horas: { minutes: 60 },
  day: { days: 1 }, days: { days: 1 }, dia: { days: 1 }, dias: { days: 1 },
  week: { days: 7 }, weeks: { days: 7 }, semana: { days: 7 }, semanas: { days: 7 },
};

// The scanners' patterns, compiled once: scanDateTime runs on every message (twice
// per understand()), and building these per call was a large part of its cost.
// Global (`g`) because each is walked with exec; `each` rewinds lastIndex first.
const RELATIVE_HALF = /\bin half an hour\b|\bdaqui a meia hora\b/g;
const RELATIVE_IN = new RegExp(`\\b(?:in|daqui a|dentro de)\\s+(an?|${COUNT.slice(1, -1)})\\s*(minutes?|mins?|m|hours?|hrs?|h|days?|weeks?|minutos|horas?|dias?|semanas?)\\b`, 'g');
const DATE_ISO = /\b(\d{4})-(\d{2})-(\d{2})\b/g;
const DATE_DAY_MONTH = /\b(\d{1,2})(?:[/-](\d{1,2})(?:[/-](\d{2}|\d{4}))?|\.(\d{1,2})\.(\d{2}|\d{4}))\b(?![:.]\d)/g;
const DATE_DAY_MONTH_NAME = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?:\\s+of|\\s+de)?\\s+(${MONTH_RE})\\b(?:,?\\s+(\\d{4}))?`, 'g');
const DATE_MONTH_NAME_DAY = new RegExp(`\\b(${MONTH_RE})\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?!\\s*(?::|am|pm|h\\b))(?:,?\\s+(\\d{4}))?`, 'g');
const DATE_ORDINAL = /\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b/g;
const DAY_AFTER_TOMORROW = /\b(?:the\s+)?day after tomorrow\b|\bdepois de amanha\b/g;
const TOMORROW = /\b(?:tomorrow|amanha)(?:\s+(morning|afternoon|evening|night|de manha|a tarde|a noite))?\b/g;
const TONIGHT = /\b(?:tonight|this evening|esta noite|logo a noite|hoje a noite)\b/g;
const THIS_DAYPART = /\b(?:this (morning|afternoon))\b/g;
const TODAY = /\b(?:today|hoje)\b/g;
const WEEKDAY_NAME = new RegExp(`\\b(?:(next|this|on|coming|proxim[ao]|na|no|esta|este)\\s+)?(${WEEKDAY_NAME_RE})\\b`, 'g');
const WEEKDAY_ABBR = new RegExp(`\\b(?:(next|this|on)\\s+(${WEEKDAY_ABBR_RE})\\b\\.?|(${WEEKDAY_ABBR_RE})\\.?(?=\\s+\\d))`, 'g');
const NOON = /\b(?:at\s+)?(noon|midday|meio[- ]dia)\b/g;
const MIDNIGHT = /\b(?:at\s+)?(midnight|meia[- ]noite)\b/g;
const TIME_12H = /\b(?:at\s+|@\s*)?(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s?m\b\.?/g;
const TIME_24H = /\b(?:at\s+|@\s*|as\s+)?(\d{1,2})[:h](\d{2})\b|\b(?:at\s+|as\s+)?(\d{1,2})h\b/g;
const TIME_OCLOCK = /\b(?:at\s+)?(\d{1,2})\s*o'?clock\b/g;
const TIME_AT = /(?:\bat|\baround|\babout|\bby|\bas|@)\s*(\d{1,2})(?:\.(\d{2}))?\b(?!\s*(?:people|persons?|guests|pax|of us|adults|kids|children|pessoas|%|€|euros?|minutes?|mins?|hours?|days?|weeks?|[/-]\d))/g;
// After the number: optionally a word, optionally "." "!" "?", each followed by
// spaces. (Written `\s*(?:word)?\s*[.!?]*\s*$`, the three spaces-runs side by side
// tried every split of a long run of spaces: cubic.)
const TIME_BARE_NUMBER = /^\s*(?:(?:make it|change (?:it )?to|actually|instead|maybe)\s+)?(\d{1,2})(?:[.:](\d{2}))?\s*(?:(?:instead|please|pls|then)\s*)?(?:[.!?]+\s*)?$/g;
const DAYPART = /\b(?:in the (morning|afternoon|evening)|at night|(de manha|a tarde|a noite|de noite))\b/g;

/** Finds every date/time mark, earlier rules winning over overlapping later ones. */
export function scanDateTime(folded: Folded, options: ScanOptions = {}): Mark[] {
  const text = folded.text;
  const marks: Mark[] = [];
  // Characters inside a mark already found. Marks are never empty, so a span is
  // free exactly when none of its characters is taken: checking costs the span's
  // length, where comparing with every mark so far made many marks quadratic.
  const taken = new Uint8Array(text.length);
  const free = (s: number, e: number) => {
    for (let i = s; i < e; i++) if (taken[i]) return false;
    return true;
  };
  const each = (re: RegExp, fn: (m: RegExpExecArray) => Mark | undefined) => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!free(m.index, m.index + m[0].length)) continue;
      const mark = fn(m);
      if (mark) {
        marks.push(mark);
        taken.fill(1, mark.start, mark.end);
      }
    }
  };
  const span = (m: RegExpExecArray, rule: string) => ({ start: m.index, end: m.index + m[0].length, rule });

  // Relative: "in 2 hours", "in an hour", "in half an hour", "daqui a 2 horas".
  each(RELATIVE_HALF, (m) => ({ kind: 'relative', ...span(m, 'relative'), minutes: 30 }));
  each(RELATIVE_IN, (m) => {
    const count = m[1] === 'a' || m[1] === 'an' ? 1 : parseCount(m[1]!);
    const unit = NUM_UNIT[m[2]!];
    if (count === undefined || !unit || count > 1000) return undefined;
    return unit.minutes
      ? { kind: 'relative', ...span(m, 'relative'), minutes: count * unit.minutes }
      : { kind: 'relative', ...span(m, 'relative'), days: count * unit.days! };
  });

  // ISO date: 2026-03-12.
  each(DATE_ISO, (m) => {
    const ymd = { year: +m[1]!, month: +m[2]!, day: +m[3]! };
    return isValidDate(ymd.year, ymd.month, ymd.day) ? { kind: 'date', ...span(m, 'date-iso'), at: () => ymd } : undefined;
  });

  // Day/month[/year]: "12/03", "12-03", "12/03/2026", "12.03.2026" (a dot only with a
  // year: "7.30" is a time).
  each(DATE_DAY_MONTH, (m) => {
    const day = +m[1]!;
    const month = +(m[2] ?? m[4]!);
    const yearText = m[3] ?? m[5];
    return dayMonthMark(span(m, 'date-day-month'), day, month, yearText);
  });

  // "12 March", "12th of March", "12 de março", "March 12th".
  each(DATE_DAY_MONTH_NAME, (m) =>
    dayMonthMark(span(m, 'date-month-name'), +m[1]!, MONTHS[m[2]!]!, m[3]));
  each(DATE_MONTH_NAME_DAY, (m) =>
    dayMonthMark(span(m, 'date-month-name'), +m[2]!, MONTHS[m[1]!]!, m[3]));

  // "the 12th", "on the 3rd": this month, or next month once the day has passed.
  each(DATE_ORDINAL, (m) => {
    const day = +m[1]!;
    if (day < 1 || day > 31) return undefined;
    return {
      kind: 'date', ...span(m, 'date-ordinal'),
      at: (today) => {
        for (let ahead = 0; ahead < 3; ahead++) {
          const monthIndex = today.month - 1 + ahead + (day < today.day ? 1 : 0);
          const year = today.year + Math.floor(monthIndex / 12);
          const month = (monthIndex % 12) + 1;
          if (isValidDate(year, month, day)) return { year, month, day };
        }
        return undefined;
      },
    };
  });

  // Named days.
  const relDay = (m: RegExpExecArray, rule: string, days: number, dayPart?: DayPart): DateMark =>
    ({ kind: 'date', ...span(m, rule), at: (t) => addDays(t.year, t.month, t.day, days), ...(dayPart ? { dayPart } : {}) });
  each(DAY_AFTER_TOMORROW, (m) => relDay(m, 'date-day-after-tomorrow', 2));
  each(TOMORROW, (m) =>
    relDay(m, 'date-tomorrow', 1, dayPartOf(m[1])));
  each(TONIGHT, (m) => relDay(m, 'date-tonight', 0, 'evening'));
  each(THIS_DAYPART, (m) => relDay(m, 'date-today', 0, dayPartOf(m[1])));
  each(TODAY, (m) => relDay(m, 'date-today', 0));

  // Weekdays: full names always; abbreviations ("fri") only after on/next/this or
  // before a number, since "sat" and "sun" are also plain words.
  const weekdayMark = (m: RegExpExecArray, qualifier: string | undefined, name: string): DateMark | undefined => {
    const target = weekdayIndex(name);
    if (target === undefined) return undefined;
    const next = qualifier === 'next' || qualifier === 'proxima' || qualifier === 'proximo';
    return {
      kind: 'date', ...span(m, next ? 'date-next-weekday' : 'date-weekday'),
      at: (t, weekday) => {
        let ahead = (target - weekday + 7) % 7;
        if (next && ahead === 0) ahead = 7;
        return addDays(t.year, t.month, t.day, ahead);
      },
      ...(next ? {} : { roll: 'week' as const }),
    };
  };
  each(WEEKDAY_NAME, (m) =>
    weekdayMark(m, m[1], m[2]!));
  each(WEEKDAY_ABBR, (m) =>
    weekdayMark(m, m[1], (m[2] ?? m[3])!));

  // Times.
  each(NOON, (m) => ({ kind: 'time', ...span(m, 'time-noon'), hour: 12, minute: 0, ambiguous: false }));
  each(MIDNIGHT, (m) => ({ kind: 'time', ...span(m, 'time-midnight'), hour: 0, minute: 0, ambiguous: false, nextDay: true }));
  each(TIME_12H, (m) => {
    const h = +m[1]!;
    const min = m[2] ? +m[2] : 0;
    if (h < 1 || h > 12 || min > 59) return undefined;
    const hour = (h % 12) + (m[3] === 'p' ? 12 : 0);
    return { kind: 'time', ...span(m, 'time-12h'), hour, minute: min, ambiguous: false };
  });
  each(TIME_24H, (m) => {
    const hourText = (m[1] ?? m[3])!;
    const h = +hourText;
    const min = m[2] ? +m[2] : 0;
    if (h > 23 || min > 59) return undefined;
    // "07:30", "19:30", "20h" are unambiguous 24-hour times; "7:30" is not.
    const ambiguous = h >= 1 && h <= 11 && !hourText.startsWith('0') && !m[0].includes('h');
    return { kind: 'time', ...span(m, 'time-24h'), hour: h, minute: min, ambiguous };
  });
  each(TIME_OCLOCK, (m) => timeMark(span(m, 'time-oclock'), +m[1]!, 0));
  each(TIME_AT, (m) =>
    timeMark(span(m, 'time-at'), +m[1]!, m[2] ? +m[2] : 0));
  if (options.bareNumberIsTime) {
    each(TIME_BARE_NUMBER, (m) =>
      timeMark({ start: m.index + m[0].indexOf(m[1]!), end: m.index + m[0].trimEnd().length, rule: 'time-bare-number' }, +m[1]!, m[2] ? +m[2] : 0));
  }

  // Parts of the day that steer an ambiguous hour.
  each(DAYPART, (m) => ({
    kind: 'daypart', ...span(m, 'daypart'), dayPart: dayPartOf(m[1] ?? m[2] ?? 'evening')!,
  }));

  return marks.sort((a, b) => a.start - b.start);
}

function timeMark(s: Span, h: number, min: number): TimeMark | undefined {
  if (h > 23 || min > 59) return undefined;
  return { kind: 'time', ...s, hour: h, minute: min, ambiguous: h >= 1 && h <= 11 };
}

function dayMonthMark(s: Span, day: number, month: number, yearText: string | undefined): DateMark | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const fixedYear = yearText === undefined ? undefined : yearText.length === 2 ? 2000 + +yearText : +yearText;
  if (fixedYear !== undefined && !isValidDate(fixedYear, month, day)) return undefined;
  return {
    kind: 'date', ...s,
    at: (today) => {
      if (fixedYear !== undefined) return { year: fixedYear, month, day };
      // Without a year: this year, or next year once the date has passed (29/02 waits for a leap year).
      for (let year = today.year; year < today.year + 8; year++) {
        if (!isValidDate(year, month, day)) continue;
        if (year > today.year || month > today.month || (month === today.month && day >= today.day)) return { year, month, day };
      }
      return undefined;
    },
  };
}

function dayPartOf(word: string | undefined): DayPart | undefined {
  if (!word) return undefined;
  if (/morning|manha/.test(word)) return 'morning';
  if (/afternoon|tarde/.test(word)) return 'afternoon';
  return 'evening';
}

export interface DateTimeEntity {
  /** ISO-8601 with the business zone's offset at that instant. */
  iso: string;
  /** YYYY-MM-DD on the business's wall clock. */
  date: string;
  /** HH:MM on the business's wall clock; absent when only a day was named. */
  time?: string;
  /** The customer's words. */
  text: string;
  /** date: a day only; time: a time only (the day was inferred); datetime: both. */
  precision: 'date' | 'time' | 'datetime';
  /** True when an hour without am/pm was read by the meridiem rule (see the header). */
  meridiemAssumed?: boolean;
  /**
   * HH:MM the customer named when the zone's clock skips it that day (a DST gap, e.g.
   * 01:30 on 2026-03-29 in Lisbon): `time` and `iso` are where the clock lands, later
   * by the gap. An agent that must not move a time ("call me at 1:30am") asks instead.
   */
  skipped?: string;
}

export interface ResolveOptions {
  now: Date;
  timeZone: string;
  /** Read an ambiguous hour as pm (restaurants and bars at dinner time). */
  preferEvening?: boolean;
}

/** One date/time from the marks, or undefined when the text names none. */
export function resolveDateTime(folded: Folded, marks: readonly Mark[], options: ResolveOptions): { value: DateTimeEntity; rules: string[] } | undefined {
  const { now, timeZone } = options;
  const relative = marks.find((m): m is RelativeMark => m.kind === 'relative');
  const date = marks.find((m): m is DateMark => m.kind === 'date');
  const time = marks.find((m): m is TimeMark => m.kind === 'time');
  const dayPart = date?.dayPart ?? marks.find((m): m is DayPartMark => m.kind === 'daypart')?.dayPart;
  const nowParts = instantToZonedParts(now, timeZone);
  const today: Ymd = { year: nowParts.year, month: nowParts.month, day: nowParts.day };

  // "in 2 hours" is an instant; a separate date or time in the same message is ignored.
  if (relative?.minutes !== undefined) {
    const instant = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + relative.minutes * 60_000);
    const p = instantToZonedParts(instant, timeZone);
    return {
      value: {
        iso: formatZonedIso(instant, timeZone), date: formatDate(p.year, p.month, p.day), time: formatTime(p.hour, p.minute),
        text: quote(folded, [relative]), precision: 'datetime',
      },
      rules: [relative.rule],
    };
  }

  let day: Ymd | undefined;
  const used: Mark[] = [];
  if (relative?.days !== undefined) {
    day = addDays(today.year, today.month, today.day, relative.days);
    used.push(relative);
  } else if (date) {
    day = date.at(today, nowParts.weekday);
    if (!day) return undefined;
    used.push(date);
  }

  if (!time) {
    if (!day) return undefined;
    const instant = zonedDateTimeToInstant(day.year, day.month, day.day, 0, 0, timeZone);
    return {
      value: { iso: formatZonedIso(instant, timeZone), date: formatDate(day.year, day.month, day.day), text: quote(folded, used), precision: 'date' },
      rules: used.map((m) => m.rule),
    };
  }

  used.push(time);
  let hour = time.hour;
  let meridiemAssumed = false;
  if (time.ambiguous) {
    const pm = dayPart === 'evening' || dayPart === 'afternoon' ? true
      : dayPart === 'morning' ? false
        : options.preferEvening ? true
          : hour <= 6;
    if (pm) hour += 12;
    meridiemAssumed = dayPart === undefined;
  }

  const precision = day ? 'datetime' : 'time';
  let target = day ?? today;
  const at = (d: Ymd) => {
    const base = time.nextDay ? addDays(d.year, d.month, d.day, 1) : d;
    return zonedDateTimeToInstant(base.year, base.month, base.day, hour, time.minute, timeZone);
  };
  let instant = at(target);
  if (!day && instant.getTime() < now.getTime()) {
    target = addDays(today.year, today.month, today.day, 1);
    instant = at(target);
  } else if (date?.roll === 'week' && instant.getTime() < now.getTime()) {
    target = addDays(target.year, target.month, target.day, 7);
    instant = at(target);
  }
  // Report the wall clock actually reached (a time in a DST gap moves forward).
  const p = instantToZonedParts(instant, timeZone);
  const value: DateTimeEntity = {
    iso: formatZonedIso(instant, timeZone), date: formatDate(p.year, p.month, p.day), time: formatTime(p.hour, p.minute),
    text: quote(folded, used), precision,
  };
  if (meridiemAssumed) value.meridiemAssumed = true;
  if (p.hour !== hour || p.minute !== time.minute) value.skipped = formatTime(hour, time.minute);
  return { value, rules: used.map((m) => m.rule) };
}

// Spaces and commas, at most one small word among them. (`[\s,]*(?:word)?[\s,]*$`
// tried every split of a long run of spaces.)
const FILLER_BETWEEN = /^[\s,]*(?:(?:at|on|@|by|around|as|a)[\s,]*)?$/;

/** The customer's words for the marks used: one span when only filler lies between them. */
function quote(folded: Folded, used: readonly Mark[]): string {
  const sorted = [...used].sort((a, b) => a.start - b.start);
  const pieces: Array<[number, number]> = [];
  for (const m of sorted) {
    const last = pieces[pieces.length - 1];
    if (last && FILLER_BETWEEN.test(folded.text.slice(last[1], m.start))) last[1] = m.end;
    else pieces.push([m.start, m.end]);
  }
  return pieces.map(([s, e]) => originalSlice(folded, s, e)).join(' … ');
}

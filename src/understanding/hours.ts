// Opening hours stated by staff in the dashboard chat: "open 9 to 6 on Saturday",
// "mon-fri 08:00-19:00", "closed on Sundays", "open till 11pm on Fridays".
//
// Reading rules: an opening hour without am/pm is read as written (9 → 09:00);
// a closing hour without am/pm that would not come after the opening hour is read
// as pm ("9 to 6" → 09:00–18:00). A closing time earlier than the opening time
// after that (explicit "6pm to 2am") is an overnight span. Weekdays absent means
// the staff did not say which days — the agent must ask, never assume "every day".
import { WEEKDAYS, WEEKDAY_ABBR_RE, WEEKDAY_NAME_RE, type Weekday, weekdayIndex } from './lexicon.js';
import { type Folded, originalSlice } from './text.js';
import { formatTime } from './zoned-time.js';

export interface HoursEntity {
  /** Days the hours apply to, Monday first; absent when the text names none. */
  weekdays?: Weekday[];
  /** HH:MM */
  opens?: string;
  /** HH:MM */
  closes?: string;
  /** The days are closed all day. */
  closed?: boolean;
  /** The closing time is on the next day (e.g. 18:00–02:00). */
  overnight?: boolean;
  text: string;
}

const DAY = `(?:${WEEKDAY_NAME_RE}|${WEEKDAY_ABBR_RE})s?`;
const CLOCK = '(\\d{1,2})(?:[:.h](\\d{2}))?';
const MARKER = '(a\\.?m\\.?|p\\.?m\\.?|h(?![a-z]))';
const CLOCK_WORD = '(noon|midday|meio[- ]dia|midnight|meia[- ]noite)';
const TIME = `(?:${CLOCK}\\s*${MARKER}?|${CLOCK_WORD})`;
// TIME and the spaces after it as one run: in `${TIME}\s*` that `\s*` would sit beside
// TIME's own `\s*${MARKER}?`, and a number followed by a long run of spaces would try
// every split of the run between the two (quadratic).
const TIME_THEN_SPACES = `(?:${CLOCK}\\s*(?:${MARKER}\\s*)?|${CLOCK_WORD}\\s*)`;
const GATE = /\b(?:open|opens|opening|close|closes|closing|closed|hours|horario|abert[oa]s?|abrimos|abre|fechad[oa]s?|fechamos|fecha)\b/;

// Built once, not per message. The global ones are walked with exec and rewound
// (lastIndex = 0) before each walk.
const DAY_RANGE = new RegExp(`\\b(${DAY})\\s*(?:-|to|through|thru|till|until|a|ate)\\s*(${DAY})\\b`, 'g');
const DAY_GROUPS: ReadonlyArray<readonly [RegExp, readonly number[], string]> = [
  [/\b(?:weekdays|week days|dias uteis|dias de semana)\b/g, [1, 2, 3, 4, 5], 'hours-weekdays'],
  [/\b(?:weekends?|fins? de semana)\b/g, [6, 0], 'hours-weekend'],
  [/\b(?:every ?day|daily|all week|todos os dias)\b/g, [0, 1, 2, 3, 4, 5, 6], 'hours-every-day'],
];
const SINGLE_DAY = new RegExp(`\\b(${DAY})\\b`, 'g');
const TIME_RANGE = new RegExp(`(?:\\bfrom\\s+|\\bdas\\s+)?\\b${TIME_THEN_SPACES}(?:-|to|until|till|til|ate|as)\\s*${TIME.replace(/\((?!\?)/g, '(?:')}`);
const TIME_AT_END = new RegExp(`${TIME}$`);
const CLOSES_AT = new RegExp(`\\b(?:until|till|til|ate|clos(?:e|es|ing)(?: at)?|fecha(?:mos)?(?: as)?)\\s+${TIME}`);
const OPENS_AT = new RegExp(`\\b(?:from|open(?:s|ing)? at|abr(?:e|imos)(?: as)?)\\s+${TIME}`);

interface Clock { minutes: number; explicit: boolean }

export function extractHours(folded: Folded): { value: HoursEntity; rules: string[] } | undefined {
  const text = folded.text;
  if (!GATE.test(text)) return undefined;
  const rules: string[] = [];
  const spans: Array<[number, number]> = [];

  const weekdays = new Set<number>();
  // The text with the day ranges blanked out, built as the ranges are found (they
  // come in order and do not overlap): copying the whole text per range was
  // quadratic in a message full of them.
  let daysText = '';
  let copied = 0;
  DAY_RANGE.lastIndex = 0;
  for (let m = DAY_RANGE.exec(text); m; m = DAY_RANGE.exec(text)) {
    const from = weekdayIndex(m[1]!);
    const to = weekdayIndex(m[2]!);
    if (from === undefined || to === undefined) continue;
    for (let d = from; ; d = (d + 1) % 7) {
      weekdays.add(d);
      if (d === to) break;
    }
    rules.push('hours-day-range');
    spans.push([m.index, m.index + m[0].length]);
    daysText += text.slice(copied, m.index) + ' '.repeat(m[0].length);
    copied = m.index + m[0].length;
  }
  daysText += text.slice(copied);
  for (const [re, days, rule] of DAY_GROUPS) {
    re.lastIndex = 0;
    for (let m = re.exec(daysText); m; m = re.exec(daysText)) {
      days.forEach((d) => weekdays.add(d));
      rules.push(rule);
      spans.push([m.index, m.index + m[0].length]);
    }
  }
  SINGLE_DAY.lastIndex = 0;
  for (let m = SINGLE_DAY.exec(daysText); m; m = SINGLE_DAY.exec(daysText)) {
    const d = weekdayIndex(m[1]!);
    if (d === undefined) continue;
    weekdays.add(d);
    rules.push('hours-day');
    spans.push([m.index, m.index + m[0].length]);
  }

  let opens: Clock | undefined;
  let closes: Clock | undefined;
  const range = TIME_RANGE.exec(text);
  if (range) {
    // The second time's groups are non-capturing above; parse it from the tail.
    const tail = TIME_AT_END.exec(range[0].trimEnd());
    opens = clock(range[1], range[2], range[3], range[4]);
    closes = tail ? clock(tail[1], tail[2], tail[3], tail[4]) : undefined;
    if (opens && closes) {
      rules.push('hours-time-range');
      spans.push([range.index, range.index + range[0].length]);
    } else {
      opens = closes = undefined;
    }
  }
  if (!opens && !closes) {
    const until = CLOSES_AT.exec(text);
    if (until) {
      closes = clock(until[1], until[2], until[3], until[4]);
      if (closes) { rules.push('hours-closes'); spans.push([until.index, until.index + until[0].length]); }
    }
    const from = OPENS_AT.exec(text);
    if (from) {
      opens = clock(from[1], from[2], from[3], from[4]);
      if (opens) { rules.push('hours-opens'); spans.push([from.index, from.index + from[0].length]); }
    }
  }

  const closedAllDay = !opens && !closes && /\b(?:closed|fechad[oa]s?)\b/.test(text) && weekdays.size > 0;
  if (!opens && !closes && !closedAllDay) return undefined;

  const value: HoursEntity = { text: '' };
  if (weekdays.size > 0) value.weekdays = [1, 2, 3, 4, 5, 6, 0].filter((d) => weekdays.has(d)).map((d) => WEEKDAYS[d]!);
  if (closedAllDay) {
    value.closed = true;
    rules.push('hours-closed');
    spans.push(...closedSpans(text));
  } else {
    if (opens && closes) {
      // "9 to 6": a bare closing hour not after the opening is pm. "5 to 11pm": a bare
      // opening hour before a pm closing is pm when that still opens before closing.
      if (!closes.explicit && closes.minutes <= opens.minutes && closes.minutes < 13 * 60) closes = { ...closes, minutes: closes.minutes + 12 * 60 };
      if (!opens.explicit && opens.minutes < 12 * 60 && closes.explicit && closes.minutes >= 12 * 60 && opens.minutes + 12 * 60 < closes.minutes) {
        opens = { ...opens, minutes: opens.minutes + 12 * 60 };
      }
      if (closes.minutes <= opens.minutes) value.overnight = true;
    } else if (closes && !closes.explicit && closes.minutes >= 60 && closes.minutes < 12 * 60) {
      // "close at 6" on its own: businesses close in the afternoon or evening.
      closes = { ...closes, minutes: closes.minutes + 12 * 60 };
    }
    if (opens) value.opens = formatClock(opens.minutes);
    if (closes) value.closes = formatClock(closes.minutes);
  }
  // A loop, not Math.min(...spans): a message full of day names has more spans than a call takes arguments.
  let start = Infinity;
  let end = -Infinity;
  for (const [s, e] of spans) {
    if (s < start) start = s;
    if (e > end) end = e;
  }
  value.text = originalSlice(folded, start, end);
  return { value, rules };
}

function closedSpans(text: string): Array<[number, number]> {
  const m = /\b(?:closed|fechad[oa]s?)\b/.exec(text);
  return m ? [[m.index, m.index + m[0].length]] : [];
}

function clock(hourText: string | undefined, minuteText: string | undefined, marker: string | undefined, word: string | undefined): Clock | undefined {
  if (word) {
    if (/noon|midday|meio/.test(word)) return { minutes: 12 * 60, explicit: true };
    return { minutes: 24 * 60, explicit: true };
  }
  if (hourText === undefined) return undefined;
  let hour = +hourText;
  const minute = minuteText ? +minuteText : 0;
  if (minute > 59) return undefined;
  const m = marker?.replace(/\./g, '');
  if (m === 'am' || m === 'pm') {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (m === 'pm' ? 12 : 0);
    return { minutes: hour * 60 + minute, explicit: true };
  }
  if (hour > 24) return undefined;
  // "08:00", "18h", "19:30": written as a 24-hour clock.
  const explicit = m === 'h' || hour >= 13 || hour === 0 || hourText.startsWith('0');
  return { minutes: hour * 60 + minute, explicit };
}

function formatClock(minutes: number): string {
  const m = minutes % (24 * 60);
  return formatTime(Math.floor(m / 60), m % 60);
}

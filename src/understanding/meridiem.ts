// A reply that only says which half of the day: "pm", "the morning one", "à tarde".
// It answers a question like "05:00 or 17:00?" after an hour without am/pm; on its
// own it names no time, so the date/time scanner rightly finds nothing in it.
import { fold } from './text.js';

// Anchored, and the trailing spaces and punctuation as one optional group after a
// single `\s*`: adjacent space runs would try every split of a long run of spaces.
const HALF_OF_DAY_ONLY =
  /^\s*(?:(?:in the|the|at|of the|in|da|de|a|na|pela)\s+)?(am|a\.m\.?|morning|manha|pm|p\.m\.?|afternoon|evening|night|tarde|noite)(?:\s+(?:one|please|pls|then|por favor))?\s*(?:[.!]+\s*)?$/;

/** 'am' or 'pm' when the whole message only names a half of the day, else undefined. */
export function halfOfDay(text: string): 'am' | 'pm' | undefined {
  const m = HALF_OF_DAY_ONLY.exec(fold(text).text);
  if (!m) return undefined;
  return /^(?:am|a\.m|morning|manha)/.test(m[1]!) ? 'am' : 'pm';
}

// Phone numbers in chat text, for a callback: "+351 912 345 678", "00351 912345678",
// "+1 (212) 555-0100".
//
// Only a number written with its country code is usable: the voice callback workflow
// takes E.164, and the country of "912 345 678" would be a guess (the business's
// country is not the customer's). Such a number is still found, with `e164: null`,
// so the agent can ask for the code instead of ignoring what the customer wrote.
// Digit runs that are dates or times ("2026-03-29", "17:00") are not numbers: the
// caller passes the date/time marks, and a run that touches one is skipped.
import { type Folded, originalSlice } from './text.js';

export interface PhoneEntity {
  /** E.164 ("+" and 7–15 digits), or null: written without a country code, or not a possible length. */
  e164: string | null;
  /** The customer's words. */
  text: string;
}

// A digit, then digits and single-character separators, ending on a digit; one pass
// per run (the class cannot end inside a run, so a failed end costs the run once).
const NUMBER_RUN = /\+?\d[\d ().-]*\d/g;
// E.164 as validate.ts checks it (the workflow input's phone).
const E164 = /^\+[1-9]\d{6,14}$/;
// A number without its country code looks like a national one: at least this many digits.
const MIN_NATIONAL_DIGITS = 9;
const MAX_DIGITS = 15;

/**
 * The first phone-like number in `folded`, skipping characters `taken` marks (the
 * date and time marks): e164 when it has its country code ("+" or "00").
 */
export function scanPhone(folded: Folded, taken?: Uint8Array): PhoneEntity | undefined {
  const text = folded.text;
  NUMBER_RUN.lastIndex = 0;
  for (let m = NUMBER_RUN.exec(text); m; m = NUMBER_RUN.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (taken && taken.subarray(start, end).some((t) => t === 1)) continue;
    let digits = m[0].replace(/\D/g, '');
    const international = m[0].startsWith('+') || digits.startsWith('00');
    if (digits.startsWith('00')) digits = digits.slice(2);
    if (digits.length > MAX_DIGITS) continue;
    if (!international && digits.length < MIN_NATIONAL_DIGITS) continue;
    const e164 = international && E164.test(`+${digits}`) ? `+${digits}` : null;
    if (international && e164 === null && digits.length < 7) continue;
    return { e164, text: originalSlice(folded, start, end) };
  }
  return undefined;
}

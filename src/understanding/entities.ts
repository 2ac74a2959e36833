// Entities in one chat message: when, how many, which business, what kind,
// where, which booking, how expensive, which opening hours.
//
// Pure: the clock (`now`) and the business's time zone come in as arguments, so
// the same message always yields the same entities, in tests and in replays.
import { type Catalog, type CatalogPlace, matchBusinesses, matchCategories, matchPlaces } from './catalog.js';
import { type DateTimeEntity, resolveDateTime, scanDateTime } from './datetime.js';
import { extractHours, type HoursEntity } from './hours.js';
import { bareNumberHints, scanPartySize } from './party.js';
import { type PhoneEntity, scanPhone } from './phone.js';
import { fold, type Folded, originalSlice, WORKFLOW_ID } from './text.js';
import { isValidTimeZone } from './zoned-time.js';

export type { Catalog, CatalogBusiness, CatalogPlace } from './catalog.js';
export type { DateTimeEntity } from './datetime.js';
export type { HoursEntity } from './hours.js';
export type { PhoneEntity } from './phone.js';

export type PriceLevel = 1 | 2 | 3 | 4;

export interface Entities {
  dateTime?: DateTimeEntity;
  partySize?: number;
  businessIds: string[];
  businessNames: string[];
  categories: string[];
  places: CatalogPlace[];
  /** "near me", "nearby": search around the event's location. */
  nearMe?: boolean;
  /** "B-123" (normalised to upper case with a dash) or a booking UUID (lower case). */
  bookingRef?: string;
  /** A workflow id as x7 gives them: "reservation-<uuid>", "management-<uuid>", "voice-callback-<uuid>" (dashboard). */
  workflowRef?: string;
  /** 1 cheap … 4 luxury. */
  priceLevel?: PriceLevel;
  hours?: HoursEntity;
  /** The text of "announce: …" (dashboard), as written. */
  announcement?: string;
  /** A phone number ("+351 912 345 678"); e164 null when written without its country code. */
  phone?: PhoneEntity;
}

export interface EntityContext {
  now: Date;
  /** IANA zone of the business (DEDICATED, DASHBOARD) or of the user (GLOBAL). */
  timeZone: string;
  catalog?: Catalog;
  /** Slots the conversation still needs, e.g. ['time'] or ['partySize']: steers bare numbers. */
  pendingSlots?: readonly string[];
  /** Read an hour without am/pm as pm (restaurants, bars). */
  preferEvening?: boolean;
}

export interface EntityResult {
  entities: Entities;
  /** One line per entity found, naming the rule and the words: the explanation. */
  reasons: string[];
}

export function extractEntities(text: string, context: EntityContext): Entities {
  return extractEntitiesExplained(text, context).entities;
}

export function extractEntitiesExplained(text: string, context: EntityContext): EntityResult {
  if (!(context.now instanceof Date) || !Number.isFinite(context.now.getTime())) throw new RangeError('context.now must be a valid Date');
  if (!isValidTimeZone(context.timeZone)) throw new RangeError(`unknown time zone ${JSON.stringify(context.timeZone)}`);
  const folded = fold(text);
  const reasons: string[] = [];
  const entities: Entities = { businessIds: [], businessNames: [], categories: [], places: [] };
  const slotHints = bareNumberHints(context.pendingSlots);

  // Opening hours first: "open 9 to 6 on Saturday" is a schedule, not a date and time.
  const hours = extractHours(folded);
  if (hours) {
    entities.hours = hours.value;
    reasons.push(`hours ${describeHours(hours.value)} from "${hours.value.text}" (${hours.rules.join(', ')})`);
  }

  const party = scanPartySize(folded, slotHints);
  if (party) {
    entities.partySize = party.size;
    reasons.push(`partySize ${party.size} from "${originalSlice(folded, party.start, party.end)}" (${party.rule})`);
  }

  if (!hours) {
    // Marks inside the party-size words ("for 4") are not times.
    const marks = scanDateTime(folded, { bareNumberIsTime: slotHints.bareNumberIsTime && !party })
      .filter((m) => !party || m.end <= party.start || m.start >= party.end);
    const resolved = resolveDateTime(folded, marks, context);
    if (resolved) {
      entities.dateTime = resolved.value;
      reasons.push(`dateTime ${resolved.value.iso} (${resolved.value.precision}) from "${resolved.value.text}" in ${context.timeZone} (${resolved.rules.join(', ')})` +
        (resolved.value.meridiemAssumed ? '; am/pm assumed' : '') + (resolved.value.skipped ? `; ${resolved.value.skipped} does not exist that day` : ''));
    }
    // The digits of a date, a time or a party size are not a phone number.
    const taken = new Uint8Array(folded.text.length);
    for (const m of marks) taken.fill(1, m.start, m.end);
    if (party) taken.fill(1, party.start, party.end);
    const phone = scanPhone(folded, taken);
    if (phone) {
      entities.phone = phone;
      // The number itself stays out of the reasons, which are logged.
      reasons.push(phone.e164 ? 'phone number with its country code' : 'phone number without a country code');
    }
  }

  if (context.catalog) {
    for (const match of matchBusinesses(folded, context.catalog.businesses)) {
      entities.businessIds.push(match.business.id);
      entities.businessNames.push(match.business.name);
      reasons.push(`business ${match.business.id} "${match.business.name}" (${match.rule}, score ${match.score})`);
    }
    for (const place of matchPlaces(folded, context.catalog.places)) {
      entities.places.push(place);
      reasons.push(`place ${place.name}`);
    }
  }
  const categories = matchCategories(folded, context.catalog?.categories);
  entities.categories = categories.categories;
  categories.categories.forEach((c, i) => reasons.push(`category ${c} from "${categories.words[i]}"`));

  if (/\b(?:near me|nearby|near here|close by|close to me|around here|perto de mim|aqui perto)\b/.test(folded.text)) {
    entities.nearMe = true;
    reasons.push('nearMe');
  }

  const ref = bookingRef(folded);
  if (ref) {
    entities.bookingRef = ref;
    reasons.push(`bookingRef ${ref}`);
  }

  const workflow = WORKFLOW_REF.exec(folded.text);
  if (workflow) {
    entities.workflowRef = workflow[0];
    reasons.push(`workflowRef ${workflow[0]}`);
  }

  const price = priceLevel(folded);
  if (price) {
    entities.priceLevel = price.level;
    reasons.push(`priceLevel ${price.level} from "${price.word}"`);
  }

  const announcement = /^\s*(?:announce(?:ment)?|broadcast|post|anuncio|anunciar)\s*[:\-]\s*(\S[\s\S]*)$/.exec(folded.text);
  if (announcement) {
    const start = folded.text.length - announcement[1]!.length;
    entities.announcement = originalSlice(folded, start, folded.text.trimEnd().length);
    reasons.push('announcement text after "announce:"');
  }

  return { entities, reasons };
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/;
const WORKFLOW_REF = new RegExp(`\\b${WORKFLOW_ID}\\b`);

function bookingRef(folded: Folded): string | undefined {
  const uuid = UUID.exec(folded.text);
  if (uuid) return uuid[0];
  const ref = /\bb-?(\d{3,10})\b/.exec(folded.text);
  return ref ? `B-${ref[1]}` : undefined;
}

const PRICE_WORDS: ReadonlyArray<[RegExp, PriceLevel]> = [
  [/\bnot (?:too |very |that )?(?:expensive|pricey|caro)\b/, 1],
  [/\b(?:cheap(?:est|er)?|inexpensive|budget|affordable|low[- ]cost|bargain|economic(?:al|o)|barat[oa]s?)\b/, 1],
  [/\b(?:mid[- ]?range|moderate(?:ly priced)?|reasonabl[ey](?: priced)?|medium priced|not too fancy)\b/, 2],
  [/\b(?:upscale|fancy|classy|chic|special occasion|elegant)\b/, 3],
  [/\b(?:luxury|luxurious|fine dining|high[- ]end|expensive|premium|gourmet|michelin|car[oa]s?|luxo)\b/, 4],
];

function priceLevel(folded: Folded): { level: PriceLevel; word: string } | undefined {
  for (const [re, level] of PRICE_WORDS) {
    const m = re.exec(folded.text);
    if (m) return { level, word: originalSlice(folded, m.index, m.index + m[0].length) };
  }
  const symbols = /(?:^|\s)(€{1,4}|\${1,4})(?=\s|$|[.,!?])/.exec(folded.text);
  if (symbols) return { level: symbols[1]!.length as PriceLevel, word: symbols[1]! };
  return undefined;
}

function describeHours(h: HoursEntity): string {
  const days = h.weekdays ? h.weekdays.join(',') : 'days unstated';
  if (h.closed) return `${days} closed`;
  return `${days} ${h.opens ?? '?'}–${h.closes ?? '?'}${h.overnight ? ' (overnight)' : ''}`;
}

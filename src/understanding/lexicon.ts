// Word lists shared by intents and entities: business categories and their
// synonyms, weekdays and months (English and a few Portuguese forms, folded:
// lower case without accents).

/** The platform's business categories. */
export const CATEGORIES = [
  'restaurant', 'cafe', 'salon', 'barber', 'clinic', 'dentist', 'gym', 'bakery', 'bar', 'spa',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * Words (regex sources, matched on word boundaries, folded text) that point at
 * categories. A word may point at more than one ("haircut": salon or barber) —
 * the search then covers both rather than guessing.
 */
export const CATEGORY_SYNONYMS: ReadonlyArray<readonly [string, readonly Category[]]> = [
  ['restaurants?|restaurante?s?|eatery|eateries|bistros?|tascas?|diners?|food|dinner|lunch|jantar|almoco|comer|eat', ['restaurant']],
  ['sushi|pizzas?|pizzeria|burgers?|ramen|tapas|steak(?:house)?|seafood|marisqueira|italian|japanese|indian|chinese|thai|mexican|portuguese food|vegan food|brunch spot|fine dining', ['restaurant']],
  ['cafes?|coffee(?: shops?)?|espresso|cappuccino|latte|cafetaria|pastelarias?', ['cafe']],
  ['hair ?salons?|salons?|cabeleireiros?|hairdressers?|balayage|highlights|blow ?dry|manicure|pedicure|nails?|nail salon|hair colou?r', ['salon']],
  ['haircuts?|hair ?cuts?|cortes? de cabelo', ['salon', 'barber']],
  ['barbers?|barbershops?|barbearias?|beard|shave|fade', ['barber']],
  ['clinics?|clinicas?|doctors?|medicos?|gp|physio(?:therapy|therapist)?|check ?up|health centre', ['clinic']],
  ['dentists?|dentistas?|dental|teeth|tooth|toothache|dentes|orthodontist|braces|cleaning of teeth', ['dentist']],
  ['gyms?|ginasios?|fitness|workouts?|work out|crossfit|personal trainer|training|pilates|yoga studio', ['gym']],
  ['bakery|bakeries|padarias?|bread|croissants?|pastel de nata|pasteis de nata|pastries|cakes?', ['bakery']],
  ['bars?|pubs?|cocktails?|beers?|cervejas?|wine bar|drinks?|rooftop bar|happy hour', ['bar']],
  ['spas?|massages?|massagens?|sauna|facials?|hammam|wellness', ['spa']],
];

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** Index = Date#getUTCDay (0 = Sunday). */
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Full weekday names (always recognised). */
export const WEEKDAY_NAMES: Record<string, number> = {
  sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6,
  domingo: 0, segunda: 1, 'segunda-feira': 1, terca: 2, 'terca-feira': 2, quarta: 3, 'quarta-feira': 3,
  quinta: 4, 'quinta-feira': 4, sexta: 5, 'sexta-feira': 5, sabado: 6,
};

/** Abbreviations ("sat", "fri"): only trusted next to a number or "on/next/this" (they are also words). */
export const WEEKDAY_ABBREVIATIONS: Record<string, number> = {
  sun: 0, mon: 1, tue: 2, tues: 2, wed: 3, thu: 4, thur: 4, thurs: 4, fri: 5, sat: 6,
};

export function weekdayIndex(word: string): number | undefined {
  const w = word.replace(/s$/, '') ;
  return WEEKDAY_NAMES[word] ?? WEEKDAY_NAMES[w] ?? WEEKDAY_ABBREVIATIONS[word] ?? WEEKDAY_ABBREVIATIONS[w];
}

const byLength = (words: string[]) => words.sort((a, b) => b.length - a.length).join('|');
export const WEEKDAY_NAME_RE = byLength(Object.keys(WEEKDAY_NAMES).map((w) => w.replace('-', '-?')));
export const WEEKDAY_ABBR_RE = byLength(Object.keys(WEEKDAY_ABBREVIATIONS));

export const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6,
  july: 7, jul: 7, august: 8, aug: 8, september: 9, sept: 9, sep: 9, october: 10, oct: 10,
  november: 11, nov: 11, december: 12, dec: 12,
  janeiro: 1, fevereiro: 2, marco: 3, abril: 4, maio: 5, junho: 6, julho: 7, agosto: 8,
  setembro: 9, outubro: 10, novembro: 11, dezembro: 12,
};
export const MONTH_RE = byLength(Object.keys(MONTHS));

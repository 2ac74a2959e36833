// Rule-based intent classification per chat type.
//
// Each rule is a named test with a weight (how strongly it alone suggests the
// intent). An intent's score combines its fired rules as a noisy-or
// (1 − Π(1 − w)): more independent evidence raises it, never past 1. The winner's
// confidence is lowered by half the runner-up's score, so a message that looks
// like two things says so. Below MIN_SCORE the answer is `unknown`.
//
// Deterministic and explainable: `matched` lists every rule that fired, as
// "intent:rule", the winner's first. English first, with a few Portuguese words.
import type { ChatType } from '../events.js';
import { matchCategories } from './catalog.js';
import { scanDateTime } from './datetime.js';
import { extractHours } from './hours.js';
import { bareNumberHints, scanPartySize } from './party.js';
import { fold, WORKFLOW_ID } from './text.js';

export const DEDICATED_INTENTS = [
  'greeting', 'book', 'modify_booking', 'cancel_booking', 'menu_or_services', 'faq', 'hours',
  'callback', 'cancel_callback', 'human_handoff', 'thanks', 'provide_details', 'confirm', 'reject', 'unknown',
] as const;
export const DASHBOARD_INTENTS = [
  'analytics_volume', 'analytics_bookings', 'analytics_top_questions', 'set_hours', 'pause_bookings',
  'resume_bookings', 'cancel_booking', 'announcement', 'workflows_list', 'workflow_cancel', 'handoffs_list', 'handoff_close',
  'confirm', 'reject', 'unknown',
] as const;
export const GLOBAL_INTENTS = ['search', 'compare', 'recommend', 'business_info', 'greeting', 'unknown'] as const;

export type DedicatedIntent = (typeof DEDICATED_INTENTS)[number];
export type DashboardIntent = (typeof DASHBOARD_INTENTS)[number];
export type GlobalIntent = (typeof GLOBAL_INTENTS)[number];
export type Intent = DedicatedIntent | DashboardIntent | GlobalIntent;

export const INTENTS: Readonly<Record<ChatType, readonly Intent[]>> = {
  DEDICATED: DEDICATED_INTENTS,
  DASHBOARD: DASHBOARD_INTENTS,
  GLOBAL: GLOBAL_INTENTS,
};

export interface IntentContext {
  chatType: ChatType;
  /** Slots the conversation still needs (e.g. ['time', 'partySize']). */
  pendingSlots?: readonly string[];
  /** An action waits for the user's yes or no. */
  hasPendingAction?: boolean;
  /** Catalog matches, when the caller has them (`understand` passes them): names and places are evidence too. */
  entities?: { businessIds?: readonly string[]; places?: readonly unknown[] };
}

export interface IntentResult {
  intent: Intent;
  /** 0–1; 0 for unknown. */
  confidence: number;
  /** Rules that fired, "intent:rule", the winner's first. */
  matched: string[];
}

/**
 * Intents a chat type may produce in this context: what an LLM answer is checked
 * against. provide_details needs pending slots; a DEDICATED confirm/reject needs a
 * pending action (a booking awaiting "yes").
 */
export function allowedIntents(context: Pick<IntentContext, 'chatType' | 'pendingSlots' | 'hasPendingAction'>): Intent[] {
  return INTENTS[context.chatType].filter((intent) => {
    if (context.chatType !== 'DEDICATED') return true;
    if (intent === 'provide_details') return (context.pendingSlots?.length ?? 0) > 0;
    if (intent === 'confirm' || intent === 'reject') return context.hasPendingAction === true;
    return true;
  });
}

/** What the rules look at: the folded text plus cheap facts about it. */
interface Signals {
  text: string;
  words: number;
  hasTime: boolean;
  hasDate: boolean;
  hasParty: boolean;
  /** Nothing but date/time/party words and filler ("7pm please", "4 people"). */
  onlyDetails: boolean;
  categories: number;
  hasHours: boolean;
  hasRef: boolean;
  /** A workflow id ("reservation-<uuid>", "management-<uuid>", "voice-callback-<uuid>"). */
  hasWorkflowRef: boolean;
  businesses: number;
  places: number;
  pending: ReadonlySet<string>;
  hasPendingAction: boolean;
}

type Test = RegExp | ((s: Signals) => boolean);
interface Rule { id: string; intent: Intent; weight: number | ((s: Signals) => number); test: Test }

const MIN_SCORE = 0.35;

const GREETING_WORDS = 'hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening|day)|ola|oi|bom dia|boa tarde|boa noite|hola';
const GREETING: Rule[] = [
  { id: 'greeting:hello', intent: 'greeting', weight: 0.6, test: new RegExp(`^\\s*(?:${GREETING_WORDS})\\b`) },
  { id: 'greeting:only', intent: 'greeting', weight: 0.9, test: new RegExp(`^\\s*(?:${GREETING_WORDS})(?:\\s+(?:there|all|team|everyone))?[\\s!.,?]*$`) },
];

const BOOKING_NOUN = '(?:bookings?|reservations?|appointments?|reservas?|marcac(?:ao|oes))';
// Compiled once: a rule test runs on every DEDICATED message.
const BOOKING_NOUN_RE = new RegExp(`\\b(?:${BOOKING_NOUN}|slot|session)\\b`);
/** The text names a booking ("cancel my booking"): for an agent that must not take it for something of its own. */
export function mentionsBooking(text: string): boolean {
  return BOOKING_NOUN_RE.test(fold(text).text);
}
const THANKS = /\b(?:thanks|thank you|thank u|thx|ty|cheers|obrigad[oa]|much appreciated|appreciate it)\b/;

const pendingWeight = (pending: number, otherwise: number) => (s: Signals) => (s.hasPendingAction ? pending : otherwise);

// Line breaks as `.` sees them: `.*` never crosses one.
const LINE_BREAK = /[\n\r\u2028\u2029]/g;
const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/**
 * "A.*B.*C" without the backtracking: true when the parts match in this order on
 * one line, each starting where the previous one ended or later. As one regex, a
 * line with many A and no B costs quadratic time (cubic with three parts): `.*`
 * tries every end of the line after every A. Here each part is searched once, from
 * the end of the previous part's first match on the line: the first match ends
 * first, which leaves the most room for the rest (true of these parts: word lists
 * between word boundaries, where no alternative ends inside another's match at a
 * place a later part could start). Lines without an A are skipped by A's own
 * search, so the whole text costs one pass per part.
 * The parts must not match a line break (none has `\s`), as `.` would not.
 */
function inOrder(first: RegExp, ...rest: RegExp[]): (s: Signals) => boolean {
  const head = new RegExp(first.source, 'g');
  const tail = rest.map((p) => new RegExp(p.source, 'g'));
  return ({ text }) => {
    for (let pos = 0; pos <= text.length;) {
      head.lastIndex = pos;
      const a = head.exec(text);
      if (!a) return false;
      // The line the first A (from pos, a line start) is on; the rest must follow on it.
      let start = a.index;
      while (start > pos && !isLineBreak(text.charCodeAt(start - 1))) start--;
      LINE_BREAK.lastIndex = a.index;
      const end = LINE_BREAK.exec(text)?.index ?? text.length;
      const line = text.slice(start, end);
      let from = a.index + a[0].length - start;
      let found = true;
      for (const re of tail) {
        re.lastIndex = from;
        const m = re.exec(line);
        if (!m) { found = false; break; }
        from = m.index + m[0].length;
      }
      if (found) return true;
      pos = end + 1;
    }
    return false;
  };
}

/** Either test: a rule whose regex was `A.*B|C`. */
function either(first: (s: Signals) => boolean, second: RegExp): (s: Signals) => boolean {
  return (s) => first(s) || second.test(s.text);
}

/** `\S+@\S+\.\S+` in one pass: a run of non-space characters with an "@" after its first character and a "." two or more after that, not last. */
function hasEmail(text: string): boolean {
  for (const run of text.split(/\s+/)) {
    const at = run.indexOf('@', 1);
    if (at > 0 && run.lastIndexOf('.', run.length - 2) >= at + 2) return true;
  }
  return false;
}

const CONFIRM_REJECT: Rule[] = [
  { id: 'confirm:only', intent: 'confirm', weight: pendingWeight(0.9, 0.4),
    test: /^\s*(?:yes|yeah|yep|yup|y|ok|okay|sure|confirm(?:ed)?|go ahead|do it|proceed|please do|correct|that'?s right|affirmative|sim|confirmo|pode ser|claro|avanca)(?:\s+(?:please|thanks|thank you|do it|go ahead|confirm))?[\s.!]*$/ },
  { id: 'confirm:prefix', intent: 'confirm', weight: pendingWeight(0.6, 0.3), test: /^\s*(?:yes|yeah|yep|ok|okay|sure|sim)\s*(?:[,!.]|please\b)/ },
  { id: 'confirm:phrase', intent: 'confirm', weight: pendingWeight(0.6, 0.25), test: /\b(?:confirm|go ahead|proceed)\b/ },
  { id: 'reject:only', intent: 'reject', weight: pendingWeight(0.9, 0.4),
    test: /^\s*(?:no|nope|nah|n|don'?t|do not|stop|abort|never ?mind|forget it|cancel(?: that| it| this)?|nao|negativo|esquece|deixa)(?:\s+(?:thanks|thank you|please))?[\s.!]*$/ },
  { id: 'reject:prefix', intent: 'reject', weight: pendingWeight(0.6, 0.3), test: /^\s*(?:no|nope|nah|nao)\s*[,!.]/ },
  { id: 'reject:cancel-that', intent: 'reject', weight: pendingWeight(0.7, 0), test: /\bcancel (?:that|it|this)\b|\bdon'?t (?:do|send|change) (?:it|that)\b/ },
];

// Being called back: "call me back tomorrow at 5pm", "can you ring me at 10", "ligue-me
// amanhã às 17h", "pode ligar-me"; and taking it back: "cancel the callback", "don't call
// me", "não me liguem". A "don't call me" is never a request to be called.
const CALL_ME = /\b(?:call|ring|phone|telephone) (?:me|us)\b|\bgive (?:me|us) a (?:call|ring)\b|\b(?:liga|ligue|liguem|ligar|telefona|telefone|telefonem|telefonar|contacte|contactem|contactar)[- ]me\b|\bme (?:liga|ligue|liguem|ligar|ligarem|telefone|telefonem|telefonar)\b|\b(?:ligar|ligue|liguem|telefonar) (?:para|pra) mim\b/;
const CALLBACK_NOUN = /\bcall[- ]?backs?\b|\bchamada de volta\b/;
const NO_CALL = /\b(?:don'?t|do not|dont|no need to|not necessary to) (?:call|ring|phone)\b|\bnao (?:me )?(?:liga|ligue|liguem|ligar|ligarem|telefone|telefonem)\b|\bnao (?:e preciso|precisa|precisam)(?: de)? (?:me )?ligar\b/;
const cancelsCall = inOrder(/\b(?:cancel\w*|cancela|anular|anula|desmarcar|call off|forget)\b/, /\b(?:call[- ]?backs?|(?:the|my|that|this|your|a) (?:phone )?calls?|chamadas?|telefonemas?)\b/);
const aboutCallback = (s: Signals) => CALLBACK_NOUN.test(s.text) || NO_CALL.test(s.text) || cancelsCall(s);
const CANCEL_VERB = /\b(?:cancel|cancelar|desmarcar|call off|can'?t make it|cannot make it|won'?t make it|nao vou poder)\b/;

const DEDICATED_RULES: Rule[] = [
  ...GREETING,
  { id: 'thanks:words', intent: 'thanks', weight: 0.7, test: THANKS },
  { id: 'thanks:only', intent: 'thanks', weight: 0.9, test: /^\s*(?:thanks|thank you|thank u|thx|ty|cheers|obrigad[oa]|many thanks|thanks a lot|perfect,? thanks?)(?:\s+(?:so much|a lot|again|very much|muito))?[\s!.]*$/ },

  { id: 'book:verb', intent: 'book', weight: 0.7, test: /\b(?:book|reserve|reservar|marcar|agendar)\b/ },
  { id: 'book:table', intent: 'book', weight: 0.75, test: /\b(?:table|mesa)\s+(?:for|para)\b|\b(?:get|have|need|want|like|grab) a (?:table|mesa)\b|\bfree tables?\b|\btables? (?:available|free)\b/ },
  // The noun alone: "cancel my booking" and "move my booking" are not new bookings.
  { id: 'book:noun', intent: 'book', weight: 0.45,
    test: (s) => BOOKING_NOUN_RE.test(s.text) && !/\b(?:cancel\w*|desmarcar|change|move|reschedule|modify|update|alter|amend)\b/.test(s.text) },
  { id: 'book:availability', intent: 'book', weight: 0.75, test: /\b(?:availability|any (?:free )?(?:slots?|space|room)|free slots?|have space|tem vaga|disponibilidade)\b/ },
  { id: 'book:want', intent: 'book', weight: 0.35, test: /\b(?:i'?d like|i would like|i want|we'?d like|i need|can i (?:get|come)|can we (?:get|come)|quero|queria|gostaria)\b/ },
  { id: 'book:party-and-time', intent: 'book', weight: 0.3, test: (s) => s.hasParty && (s.hasTime || s.hasDate) },
  { id: 'book:details-only', intent: 'book', weight: 0.55, test: (s) => s.pending.size === 0 && s.onlyDetails },
  { id: 'book:service-when', intent: 'book', weight: 0.4, test: (s) => s.categories > 0 && (s.hasTime || s.hasDate) },

  { id: 'modify_booking:make-it', intent: 'modify_booking', weight: 0.8,
    test: new RegExp(`\\b(?:make it|change (?:it|that|the (?:time|date|booking|reservation)|my ${BOOKING_NOUN})?\\s*to|move (?:it|my|the|that)\\b|reschedule|remarcar|alterar|mudar|push it|bring it forward)`) },
  { id: 'modify_booking:change-booking', intent: 'modify_booking', weight: 0.8,
    test: inOrder(/\b(?:change|modify|update|alter|edit|amend)\b/, new RegExp(`\\b(?:${BOOKING_NOUN}|time|date|number of (?:people|guests))\\b`)) },
  { id: 'modify_booking:actually', intent: 'modify_booking', weight: 0.55, test: /\b(?:actually|instead|afinal)\b/ },
  { id: 'modify_booking:actually-detail', intent: 'modify_booking', weight: 0.7, test: (s) => /\b(?:actually|instead|afinal)\b/.test(s.text) && (s.hasParty || s.hasTime || s.hasDate) },
  { id: 'modify_booking:more-people', intent: 'modify_booking', weight: 0.8, test: /\b(?:\d+|one|two|three) more (?:person|people|guests?)\b|\badd (?:one|another|\d+) (?:more )?(?:person|people|guests?)\b/ },

  // "cancel the callback" is not about a booking.
  { id: 'cancel_booking:verb', intent: 'cancel_booking', weight: 0.85, test: (s) => CANCEL_VERB.test(s.text) && !aboutCallback(s) },
  { id: 'cancel_booking:ref', intent: 'cancel_booking', weight: 0.3, test: (s) => s.hasRef },

  { id: 'menu_or_services:menu', intent: 'menu_or_services', weight: 0.8, test: /\b(?:menus?|ementa|carta|dish(?:es)?|specials?|prato do dia|wine list|drinks? list|food|desserts?)\b/ },
  { id: 'menu_or_services:diet', intent: 'menu_or_services', weight: 0.7, test: /\b(?:vegan|vegetarian|gluten[- ]free|halal|kosher|lactose|allergens?|nut[- ]free)\b/ },
  { id: 'menu_or_services:offer', intent: 'menu_or_services', weight: 0.55,
    test: /\b(?:what do you (?:serve|offer|have|do)|do you (?:do|offer|serve|sell|make|have)|services?|treatments?|servicos|tratamentos|what kinds? of)\b/ },
  { id: 'menu_or_services:price', intent: 'menu_or_services', weight: 0.75, test: /\b(?:prices?|pricing|how much|costs?|price list|precos?|quanto custa|rates|fees?)\b/ },

  { id: 'faq:parking', intent: 'faq', weight: 0.85, test: /\b(?:park|parking|estacionamento|garage|car park)\b/ },
  { id: 'faq:wifi', intent: 'faq', weight: 0.85, test: /\b(?:wi-?fi|wireless|internet)\b/ },
  { id: 'faq:pets', intent: 'faq', weight: 0.85, test: /\b(?:pets?|dogs?|cats?|animals?|caes|animais|(?:dog|pet)[- ]friendly)\b/ },
  { id: 'faq:payment', intent: 'faq', weight: 0.85,
    test: /\b(?:payment|pay (?:by|with|in)|cards?|credit|debit|cash|mb ?way|multibanco|visa|mastercard|amex|apple pay|contactless|pagamento|cartao)\b/ },
  { id: 'faq:accessibility', intent: 'faq', weight: 0.85,
    test: /\b(?:accessib\w*|wheelchairs?|step[- ]free|ramps?|disabled|lift|elevator|stairs|cadeira de rodas|acessivel|acessibilidade)\b/ },
  { id: 'faq:location', intent: 'faq', weight: 0.8,
    test: /\b(?:where are you|where is it|where (?:is|are) (?:the|your) (?:place|shop|restaurant|salon|clinic)|address|located|location|directions|how do i get|how to get|find you|morada|onde fica|onde e que|onde estao|nearest (?:metro|station))\b/ },
  { id: 'faq:kids', intent: 'faq', weight: 0.5, test: /\b(?:kid[- ]friendly|children allowed|high ?chairs?|family[- ]friendly|bring (?:my|our) (?:kids|children|baby))\b/ },
  { id: 'faq:delivery', intent: 'faq', weight: 0.7, test: /\b(?:delivery|deliver|takeaway|take[- ]away|take out|uber ?eats|glovo|bolt food|entregas?)\b/ },
  { id: 'faq:policy', intent: 'faq', weight: 0.6,
    test: /\b(?:cancellation policy|dress code|deposit|terrace|esplanada|outdoor seating|smoking|walk[- ]ins?|do i need (?:a|to) (?:book|reserve|reservation)|private (?:room|event)s?)\b/ },

  { id: 'hours:open-now', intent: 'hours', weight: 0.85,
    test: /\b(?:are you|is it|you guys|still|are u) open\b|\bopen (?:now|today|tonight|tomorrow|on \w+|this \w+|right now|late|until)\b|\bopen\s*\?|\b(?:do|does) (?:you|it) (?:open|close)\b|\b(?:esta|estao) abert[oa]s?\b/ },
  { id: 'hours:when', intent: 'hours', weight: 0.9, test: inOrder(/\b(?:when|what time|que horas)\b/, /\b(?:open|opens|close|closes|closing|opening|abrem|fecham|abre|fecha)\b/) },
  { id: 'hours:hours', intent: 'hours', weight: 0.9,
    test: /\b(?:opening hours|business hours|your hours|the hours|hours of operation|horarios?|opening times?|closing time)\b|^\s*hours\s*(?:\?\s*)?$/ },
  { id: 'hours:closed', intent: 'hours', weight: 0.8, test: /\b(?:are you|you) closed\b|\bclosed (?:on|today|tomorrow|tonight)\b/ },

  { id: 'callback:call-me', intent: 'callback', weight: 0.9, test: (s) => CALL_ME.test(s.text) && !NO_CALL.test(s.text) },
  { id: 'callback:noun', intent: 'callback', weight: 0.6, test: (s) => CALLBACK_NOUN.test(s.text) && !cancelsCall(s) },
  { id: 'cancel_callback:cancel', intent: 'cancel_callback', weight: 0.95, test: cancelsCall },
  { id: 'cancel_callback:dont-call', intent: 'cancel_callback', weight: 0.95, test: NO_CALL },

  { id: 'human_handoff:person', intent: 'human_handoff', weight: 0.95,
    test: /\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a |an |the |some |your )?(?:person|human|someone|somebody|staff|manager|owner|real (?:person|human)|agent|employee|receptionist|people)\b/ },
  { id: 'human_handoff:phrases', intent: 'human_handoff', weight: 0.85,
    test: /\b(?:human,? please|a real person|customer service|an? operator|falar com (?:uma pessoa|alguem|um humano|o gerente)|pessoa real|atendente)\b/ },
  { id: 'human_handoff:frustration', intent: 'human_handoff', weight: 0.5, test: /\b(?:not helpful|useless|this isn'?t working|are you a (?:bot|robot)|stupid bot)\b/ },

  { id: 'provide_details:slot-value', intent: 'provide_details', weight: 0.75, test: (s) => s.pending.size > 0 && (s.hasTime || s.hasDate || s.hasParty) },
  { id: 'provide_details:only-values', intent: 'provide_details', weight: 0.9, test: (s) => s.pending.size > 0 && s.onlyDetails },
  { id: 'provide_details:name', intent: 'provide_details', weight: 0.85, test: (s) => s.pending.has('name') && /\b(?:my name is|name'?s|it'?s under|under the name|chamo-me|o meu nome e)\b|^\s*(?:i'?m|i am)\s+[a-z]+\s*(?:[.!]\s*)?$/.test(s.text) },
  { id: 'provide_details:phone', intent: 'provide_details', weight: 0.85, test: (s) => s.pending.has('phone') && /\+?\d[\d\s-]{7,}\d/.test(s.text) },
  { id: 'provide_details:email', intent: 'provide_details', weight: 0.85, test: (s) => s.pending.has('email') && hasEmail(s.text) },

  ...CONFIRM_REJECT,
];

// Dashboard: what runs for the business (reservations with their reminders, voice
// callbacks, management actions) and stopping one.
const WORKFLOW_NOUN = '(?:workflows?|reminders?|callbacks?)';
const WORKFLOW_NOUN_RE = new RegExp(`\\b${WORKFLOW_NOUN}\\b`);
const WORKFLOW_REF_RE = new RegExp(`\\b${WORKFLOW_ID}\\b`);
const STOP_VERB = /\b(?:cancel|stop|abort|kill|terminate|cancelar|parar|anular)\b/;
/** A message about a workflow (by name or by id): not a booking's cancellation or a pause. */
const aboutWorkflows = (s: Signals) => s.hasWorkflowRef || WORKFLOW_NOUN_RE.test(s.text);
/** `test` unless the message is about workflows. */
const unlessWorkflows = (test: RegExp | ((s: Signals) => boolean)) => (s: Signals) =>
  !aboutWorkflows(s) && (typeof test === 'function' ? test(s) : test.test(s.text));

// Hand-offs: customer conversations passed to a person, listed in the inbox and closed from it.
const HANDOFF_NOUN = /\bhand[- ]?offs?\b|\bhanded[- ]off\b/;
const closesHandoff = inOrder(/\b(?:close|end|finish|resolve|fechar|encerrar)\b/, /\bhand[- ]?offs?\b/);

const DASHBOARD_RULES: Rule[] = [
  { id: 'analytics_volume:how-many', intent: 'analytics_volume', weight: 0.85,
    test: inOrder(/\b(?:how many|number of|count|total|volume of)\b/, /\b(?:messages?|conversations?|chats?|inquiries|enquiries|customers?|visitors|mensagens|conversas)\b/) },
  { id: 'analytics_volume:traffic', intent: 'analytics_volume', weight: 0.75, test: /\b(?:message|chat|conversation) (?:volume|count|traffic|stats|statistics)\b|\btraffic\b|\bhow busy\b/ },
  { id: 'analytics_volume:period', intent: 'analytics_volume', weight: 0.6,
    test: inOrder(/\b(?:messages?|conversations?|chats?|mensagens)\b/, /\b(?:today|yesterday|this (?:week|month|year)|last (?:week|month|\d+ days)|per (?:day|week)|hoje|esta semana|este mes)\b/) },

  // Bookings' workflows or reminders are not a count of bookings (workflows_list).
  { id: 'analytics_bookings:count', intent: 'analytics_bookings', weight: 0.8,
    test: unlessWorkflows(inOrder(/\b(?:how many|number of|count|total|list|show(?: me)?|what|any|who|quantas)\b/, new RegExp(`\\b${BOOKING_NOUN}`))) },
  { id: 'analytics_bookings:period', intent: 'analytics_bookings', weight: 0.75,
    test: unlessWorkflows(inOrder(new RegExp(`\\b${BOOKING_NOUN}\\b`), /\b(?:today|tonight|tomorrow|yesterday|this (?:week|month|year|weekend)|next week|last (?:week|month)|hoje|amanha)\b/)) },
  { id: 'analytics_bookings:booked', intent: 'analytics_bookings', weight: 0.7, test: /\bwho(?:'s| is)? booked\b|\bbooked (?:today|tonight|tomorrow)\b|\bno[- ]shows?\b|\boccupancy\b/ },

  { id: 'analytics_top_questions:top', intent: 'analytics_top_questions', weight: 0.9,
    test: inOrder(/\b(?:top|most (?:common|frequent|asked|popular)|frequent(?:ly asked)?|common|popular|main|recurring)\b/, /\b(?:questions?|queries|asks|topics|requests|faqs?|perguntas)\b/) },
  { id: 'analytics_top_questions:what-ask', intent: 'analytics_top_questions', weight: 0.85,
    test: inOrder(/\bwhat (?:are|do|did) (?:people|customers|clients|users|guests)\b/, /\b(?:ask|asking|want|looking for|request)/) },

  { id: 'set_hours:set', intent: 'set_hours', weight: 0.85, test: inOrder(/\b(?:set|change|update|modify|adjust|edit|alterar|mudar)\b/, /\b(?:hours|opening times?|schedule|horarios?)\b/) },
  { id: 'set_hours:stated', intent: 'set_hours', weight: 0.8, test: (s) => s.hasHours },
  { id: 'set_hours:we-open', intent: 'set_hours', weight: 0.4, test: /\bwe(?:'re| are| will be)? (?:open|closed|close)\b|\b(?:abrimos|fechamos)\b/ },

  { id: 'pause_bookings:verb', intent: 'pause_bookings', weight: 0.9,
    test: unlessWorkflows(inOrder(/\b(?:pause|stop|suspend|disable|turn off|switch off|halt|freeze|block|close|hold|suspender|parar|pausar)\b/, new RegExp(`\\b${BOOKING_NOUN}`))) },
  { id: 'pause_bookings:no-more', intent: 'pause_bookings', weight: 0.9,
    test: new RegExp(`\\bno (?:more|new) ${BOOKING_NOUN}|\\bnot (?:accepting|taking) (?:any )?(?:more |new )?${BOOKING_NOUN}`) },

  { id: 'resume_bookings:verb', intent: 'resume_bookings', weight: 0.95,
    test: inOrder(/\b(?:resume|restart|enable|turn on|switch on|reopen|re-open|unpause|un-pause|re-enable|unblock|retomar|reativar|reabrir)\b/, new RegExp(`\\b${BOOKING_NOUN}`)) },
  { id: 'resume_bookings:again', intent: 'resume_bookings', weight: 0.9,
    test: either(inOrder(/\b(?:accept|take|taking|accepting|open)\b/, new RegExp(`\\b${BOOKING_NOUN}`), /\bagain\b/), new RegExp(`\\bstart (?:taking|accepting) ${BOOKING_NOUN}`)) },

  { id: 'cancel_booking:booking', intent: 'cancel_booking', weight: 0.85, test: unlessWorkflows(inOrder(/\b(?:cancel|cancelar|anular)\b/, new RegExp(`\\b${BOOKING_NOUN}`))) },
  { id: 'cancel_booking:ref', intent: 'cancel_booking', weight: 0.95, test: unlessWorkflows((s) => s.hasRef && /\b(?:cancel|cancelar|anular)\b/.test(s.text)) },
  { id: 'cancel_booking:ref-only', intent: 'cancel_booking', weight: 0.4, test: unlessWorkflows((s) => s.hasRef) },

  { id: 'announcement:prefix', intent: 'announcement', weight: 0.95, test: /^\s*(?:announce(?:ment)?|broadcast|anuncio|anunciar)\b|^\s*post\s*:/ },
  { id: 'announcement:tell', intent: 'announcement', weight: 0.75,
    test: either(inOrder(/\b(?:tell|notify|inform|let|message|send)\b/, /\b(?:all (?:our |the )?|every |our )(?:customers|clients|guests|followers)/),
      /\beveryone know\b|\bsend (?:an? )?announcement\b|\bpost (?:an? )?(?:update|announcement)\b/) },

  { id: 'workflows_list:running', intent: 'workflows_list', weight: 0.85,
    test: /\bwhat(?:'s| is| are)? (?:running|in progress|scheduled)\b|\b(?:running|active|open|scheduled|pending) (?:workflows?|reminders?|callbacks?)\b/ },
  { id: 'workflows_list:show', intent: 'workflows_list', weight: 0.8,
    test: inOrder(/\b(?:show|list|what|which|any|see|view|status|how many)\b/, new RegExp(`\\b${WORKFLOW_NOUN}\\b`)) },
  { id: 'workflows_list:noun', intent: 'workflows_list', weight: 0.6, test: /\bworkflows?\b/ },
  { id: 'workflows_list:of-bookings', intent: 'workflows_list', weight: 0.7, test: inOrder(new RegExp(`\\b${BOOKING_NOUN}`), new RegExp(`\\b${WORKFLOW_NOUN}\\b`)) },

  { id: 'workflow_cancel:verb', intent: 'workflow_cancel', weight: 0.97, test: inOrder(/\b(?:cancel|stop|abort|kill|terminate|cancelar|parar|anular)\b/, new RegExp(`\\b${WORKFLOW_NOUN}\\b`)) },
  { id: 'workflow_cancel:ref', intent: 'workflow_cancel', weight: 0.95, test: (s) => s.hasWorkflowRef && STOP_VERB.test(s.text) },
  { id: 'workflow_cancel:booking-ref', intent: 'workflow_cancel', weight: 0.9, test: (s) => s.hasRef && WORKFLOW_NOUN_RE.test(s.text) && STOP_VERB.test(s.text) },

  // The inbox: conversations handed off to a person ("open hand-offs", "show the inbox"), and closing one.
  { id: 'handoffs_list:inbox', intent: 'handoffs_list', weight: 0.9, test: /\binbox\b|\bcaixa de entrada\b/ },
  { id: 'handoffs_list:handoffs', intent: 'handoffs_list', weight: 0.85, test: (s) => HANDOFF_NOUN.test(s.text) && !closesHandoff(s) },
  { id: 'handoffs_list:waiting', intent: 'handoffs_list', weight: 0.75, test: /\bwaiting for (?:a |an )?(?:person|human|staff|reply|answer)\b/ },
  { id: 'handoff_close:verb', intent: 'handoff_close', weight: 0.97, test: closesHandoff },

  ...CONFIRM_REJECT,
];

const GLOBAL_RULES: Rule[] = [
  ...GREETING,
  { id: 'search:verb', intent: 'search', weight: 0.5,
    test: /\b(?:find|search|look(?:ing)? for|show me|list|where can i (?:get|find|eat|go)|where (?:is|are) (?:a|an|some|the nearest)|i need an?|procuro|procurar|onde (?:posso|ha|tem))\b/ },
  { id: 'search:category', intent: 'search', weight: 0.55, test: (s) => s.categories > 0 },
  { id: 'search:near', intent: 'search', weight: 0.35, test: /\b(?:near me|nearby|near|close to|around here|in the area|perto)\b/ },
  { id: 'search:place', intent: 'search', weight: 0.35, test: (s) => s.places > 0 },
  { id: 'search:in-somewhere', intent: 'search', weight: 0.25, test: /\b(?:in|around) (?!the (?:morning|evening|afternoon))[a-z]{3,}/ },
  { id: 'search:open-now', intent: 'search', weight: 0.3, test: /\bopen (?:now|late|today|tonight|on \w+)\b/ },

  { id: 'compare:verb', intent: 'compare', weight: 0.95, test: /\b(?:compare|comparison|comparar|compara)\b/ },
  { id: 'compare:vs', intent: 'compare', weight: 0.9, test: /\b(?:vs\.?|versus)(?:\s|$)/ },
  { id: 'compare:which', intent: 'compare', weight: 0.85, test: /\b(?:difference between|which (?:one )?is (?:better|cheaper|closer|nicer)|which (?:one )?(?:should i|would you) (?:choose|pick))\b/ },
  { id: 'compare:two-businesses', intent: 'compare', weight: 0.5, test: (s) => s.businesses >= 2 },

  { id: 'recommend:verb', intent: 'recommend', weight: 0.85,
    test: /\b(?:recommend\w*|suggest\w*|recomend\w*|sugest\w*|sugere|what would you|where should (?:i|we)|any (?:good )?(?:ideas|tips)|must[- ]try|worth (?:trying|visiting))/ },
  { id: 'recommend:best', intent: 'recommend', weight: 0.7, test: /\b(?:best|top[- ]rated|top|highest[- ]rated|favou?rite|melhor(?:es)?)\b/ },
  { id: 'recommend:good', intent: 'recommend', weight: 0.4, test: /\b(?:a good|a nice|a great|good|great|bom|boa)\b/ },
  { id: 'recommend:price', intent: 'recommend', weight: 0.3, test: /\b(?:cheap|affordable|budget|upscale|fancy|luxury|barat[oa])\b/ },

  { id: 'business_info:tell', intent: 'business_info', weight: 0.6,
    test: /\b(?:tell me (?:more )?about|what do you know about|info(?:rmation)? (?:about|on)|details (?:about|of|on)|more about|describe|fala-me (?:de|sobre))\b/ },
  { id: 'business_info:named', intent: 'business_info', weight: 0.6, test: (s) => s.businesses === 1 },
  { id: 'business_info:question', intent: 'business_info', weight: 0.5,
    test: (s) => s.businesses >= 1 && /\b(?:open|hours|address|where|menu|prices?|rating|reviews?|phone|contact|website|parking|good)\b/.test(s.text) },
];

const RULES: Readonly<Record<ChatType, readonly Rule[]>> = { DEDICATED: DEDICATED_RULES, DASHBOARD: DASHBOARD_RULES, GLOBAL: GLOBAL_RULES };

// Words that carry no request of their own next to a date, time or party size.
const FILLER = /\b(?:at|on|for|and|please|pls|then|um|uh|ok|okay|so|e|as|a|the|this|next|how about|what about|maybe|perhaps|say|lets say|let's say|would be|is fine|works|great|perfect|fine|sounds good|us|we|are|were|will|be|of|around|about|by)\b|[\s,.!?:;-]+/g;

function signalsOf(text: string, context: IntentContext): Signals {
  const folded = fold(text);
  const pending = new Set((context.pendingSlots ?? []).map((s) => s.toLowerCase()));
  const hints = bareNumberHints(context.pendingSlots);
  const party = scanPartySize(folded, hints);
  const marks = scanDateTime(folded, { bareNumberIsTime: hints.bareNumberIsTime && !party })
    .filter((m) => !party || m.end <= party.start || m.start >= party.end);
  // The text with the party size and the date/time marks blanked out, in one pass
  // (a copy of the text per mark was quadratic in a message full of times).
  const spans = marks.map((m): [number, number] => [m.start, m.end]);
  if (party) spans.push([party.start, party.end]);
  spans.sort((a, b) => a[0] - b[0]);
  let rest = '';
  let at = 0;
  for (const [s, e] of spans) {
    if (e <= at) continue;
    const from = Math.max(s, at);
    rest += folded.text.slice(at, from) + ' '.repeat(e - from);
    at = e;
  }
  rest += folded.text.slice(at);
  const hasTime = marks.some((m) => m.kind === 'time' || (m.kind === 'relative' && m.minutes !== undefined));
  const hasDate = marks.some((m) => m.kind === 'date' || (m.kind === 'relative' && m.days !== undefined));
  return {
    text: folded.text,
    words: folded.text.split(/\s+/).filter(Boolean).length,
    hasTime,
    hasDate,
    hasParty: party !== undefined,
    onlyDetails: (hasTime || hasDate || party !== undefined) && rest.replace(FILLER, '').trim() === '',
    categories: matchCategories(folded).categories.length,
    hasHours: context.chatType === 'DASHBOARD' && extractHours(folded) !== undefined,
    hasRef: /\bb-?\d{3,10}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/.test(folded.text),
    hasWorkflowRef: WORKFLOW_REF_RE.test(folded.text),
    businesses: context.entities?.businessIds?.length ?? 0,
    places: context.entities?.places?.length ?? 0,
    pending,
    hasPendingAction: context.hasPendingAction === true,
  };
}

export function classifyIntent(text: string, context: IntentContext): IntentResult {
  const allowed = new Set(allowedIntents(context));
  const signals = signalsOf(text, context);
  const fired: Array<{ id: string; intent: Intent; weight: number }> = [];
  for (const rule of RULES[context.chatType]) {
    if (!allowed.has(rule.intent)) continue;
    const hit = typeof rule.test === 'function' ? rule.test(signals) : rule.test.test(signals.text);
    const weight = typeof rule.weight === 'function' ? rule.weight(signals) : rule.weight;
    if (hit && weight > 0) fired.push({ id: rule.id, intent: rule.intent, weight });
  }

  // A booking waiting for details: a short reply that no rule explains ("Maria",
  // "window seat") is most likely the detail asked for.
  if (fired.length === 0 && allowed.has('provide_details') && signals.words > 0 && signals.words <= 6) {
    fired.push({ id: 'provide_details:pending-fallback', intent: 'provide_details', weight: 0.45 });
  }

  const scores = new Map<Intent, number>();
  for (const f of fired) scores.set(f.intent, 1 - (1 - (scores.get(f.intent) ?? 0)) * (1 - f.weight));
  // Ties go to the intent listed first for the chat type.
  const order = INTENTS[context.chatType];
  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1] || order.indexOf(a[0]) - order.indexOf(b[0]));
  const [top, second] = ranked;
  if (!top || top[1] < MIN_SCORE) {
    return { intent: 'unknown', confidence: 0, matched: fired.map((f) => f.id) };
  }
  const confidence = Math.round(top[1] * (1 - 0.5 * (second?.[1] ?? 0)) * 100) / 100;
  const matched = [...fired.filter((f) => f.intent === top[0]), ...fired.filter((f) => f.intent !== top[0])].map((f) => f.id);
  return { intent: top[0], confidence, matched };
}

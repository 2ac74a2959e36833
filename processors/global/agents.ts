// The GLOBAL chat's agents: discovery, comparison, recommendation, business_info.
//
// Each answers from the catalogue through the tools in tools.ts and decides with the
// pure logic in query.ts and ranking.ts; the words come from replies.ts. The event's
// location (or a neighbourhood the message names) is where distances are measured
// from, so the same question asked from Belém and from Alfama gets different answers.
// Each business card carries what that business announced, while it runs.
import { instantToZonedParts } from '../../src/understanding/index.js';
import type { Agent, AgentInput, AgentResult, Turn } from '../shared/agent.js';
import { announcedCards, announcementLines } from '../shared/announcements.js';
import { defineTool } from '../shared/tools.js';
import { RADIUS_STEPS_M } from './geo.js';
import { namedBusinesses, searchRequest, type SearchRequest } from './query.js';
import { recommend, selectResults } from './ranking.js';
import {
  businessInfoReply, comparisonReply, joinNames, recommendationReply, type ReplyParts, searchReply,
} from './replies.js';
import { businessAnnouncementsTool, businessDetailsTool, findBusinessesTool } from './tools.js';

const MAX_COMPARED = 4;

/** Businesses an earlier reply named, in the order it named them ("compare them", "tell me more about it"). */
export const mentionedBusinessesTool = defineTool({
  name: 'businesses_mentioned',
  description: 'Ids of the businesses whose names appear in a text, in order of appearance',
  async run(ctx, args: { text: string }): Promise<string[]> {
    const rows = await ctx.db.query<{ id: string }>(
      `select id from businesses
        where strpos(lower($1::text), lower(name)) > 0
        order by strpos(lower($1::text), lower(name)), id`,
      [args.text],
    );
    return rows.map((r) => r.id);
  },
});

function requestOf(input: AgentInput): SearchRequest {
  const { entities } = input.understanding;
  return searchRequest({
    text: input.message.text,
    categories: entities.categories,
    ...(entities.priceLevel ? { priceLevel: entities.priceLevel } : {}),
    places: entities.places,
    businessNames: entities.businessNames,
    location: input.message.location,
  });
}

/** The assistant's last reply before this message, where "it" and "them" point. */
function lastReply(turns: readonly Turn[]): Turn | undefined {
  return [...turns].reverse().find((t) => t.role === 'assistant');
}

async function businessesInContext(input: AgentInput): Promise<string[]> {
  const previous = lastReply(input.turns);
  return previous ? input.use(mentionedBusinessesTool, { text: previous.text }) : [];
}

function answered(parts: { text: string; cards: AgentResult['cards']; suggestions: string[] }): AgentResult {
  return { text: parts.text, cards: parts.cards ?? [], suggestions: parts.suggestions, outcome: 'ANSWERED' };
}

/**
 * The answer with what each card's business announced, still running at the message's
 * time, as a field of its card; `inText` (one business in detail) says it in the text
 * too, for clients that show no cards.
 */
async function announced(input: AgentInput, parts: ReplyParts, options: { inText?: boolean } = {}): Promise<AgentResult> {
  const ids = parts.cards.flatMap((c) => (c.businessId === null ? [] : [c.businessId]));
  if (ids.length === 0) return answered(parts);
  const running = await input.use(businessAnnouncementsTool, { ids });
  const lines = options.inText ? announcementLines(running.get(ids[0]!) ?? [], input.now) : [];
  return answered({
    text: [parts.text, ...lines].join('\n'),
    cards: announcedCards(parts.cards, running, input.now),
    suggestions: parts.suggestions,
  });
}

const HELP = [
  'I can find businesses in Lisbon for you: restaurants, cafés, bakeries, bars, salons, barbers, spas, clinics, dentists and gyms.',
  'Ask for a kind of place or a dish ("sushi near me", "cheap lunch in Baixa"), compare places ("compare Taberna do Largo and Tasca da Rosa"), or ask for a recommendation.',
].join(' ');

const REFERS_BACK = /\b(?:it|its|it's|they|them|there|that (?:one|place)|this (?:one|place)|the first one)\b/i;

// ---------------------------------------------------------------------------

export const discoveryAgent: Agent = {
  name: 'discovery',
  chatTypes: ['GLOBAL'],
  // The fallback too: an unclassified message with a searchable word is best answered by a search.
  intents: ['search', 'greeting', '*'],
  tools: [findBusinessesTool, businessDetailsTool, mentionedBusinessesTool, businessAnnouncementsTool],
  async handle(input) {
    const request = requestOf(input);
    // "Is it open now?", "how far is it?" after an answer: about the place just shown,
    // not a new search (understanding cannot classify a question without a name).
    if (input.understanding.intent !== 'search' && input.understanding.intent !== 'greeting'
      && request.categories.length === 0 && REFERS_BACK.test(input.message.text)) {
      const [id] = await businessesInContext(input);
      if (id) {
        const about = await describeBusiness(input, id, []);
        if (about) return about;
      }
    }
    const nothingToSearch = request.categories.length === 0 && request.terms.length === 0 && !request.openNow && request.priceLevel === null;
    if (input.understanding.intent === 'greeting' || (nothingToSearch && !(input.understanding.intent === 'search' && request.origin))) {
      return {
        text: input.understanding.intent === 'greeting' ? `Hello! ${HELP}` : HELP,
        suggestions: ['Restaurants near me', 'Cafés open now', 'Recommend a cheap place for lunch'],
        outcome: 'ANSWERED',
      };
    }
    const candidates = await input.use(findBusinessesTool, {
      categories: request.categories, terms: request.terms, origin: request.origin?.point ?? null, at: input.now,
    });
    return announced(input, searchReply(selectResults(candidates, request, 5), request));
  },
};

export const comparisonAgent: Agent = {
  name: 'comparison',
  chatTypes: ['GLOBAL'],
  intents: ['compare'],
  tools: [findBusinessesTool, mentionedBusinessesTool, businessAnnouncementsTool],
  async handle(input) {
    const names = named(input);
    let ids = names;
    if (ids.length < 2) {
      // "Compare it with X" / "compare them": the places of the last answer fill in.
      const context = (await businessesInContext(input)).filter((id) => !names.includes(id));
      ids = names.length === 1 ? [...context.slice(0, 1), ...names] : context;
    }
    if (ids.length < 2) {
      return {
        text: names.length === 1
          ? `Which place should I compare ${nameOf(input, names[0]!)} with? Name one to three more.`
          : 'Which places should I compare? Name two to four, for example “compare Taberna do Largo and Tasca da Rosa”.',
        suggestions: ['Compare Taberna do Largo and Tasca da Rosa', 'Compare Café Garrett and Torra Café de Especialidade'],
        outcome: 'ANSWERED',
      };
    }
    const compared = ids.slice(0, MAX_COMPARED);
    const request = requestOf(input);
    const rows = await input.use(findBusinessesTool, { ids: compared, origin: request.origin?.point ?? null, at: input.now, terms: request.terms });
    // In the order the person named them, which is how they read the cards.
    const items = compared.map((id) => rows.find((r) => r.id === id)).filter((c) => c !== undefined);
    const droppedNames = ids.slice(MAX_COMPARED).map((id) => nameOf(input, id));
    return announced(input, comparisonReply(items, request.origin !== null, droppedNames));
  },
};

export const recommendationAgent: Agent = {
  name: 'recommendation',
  chatTypes: ['GLOBAL'],
  intents: ['recommend'],
  tools: [findBusinessesTool, businessAnnouncementsTool],
  async handle(input) {
    const request = requestOf(input);
    const candidates = await input.use(findBusinessesTool, {
      categories: request.categories, terms: request.terms, origin: request.origin?.point ?? null, at: input.now,
    });
    // The same filters as a search (words, price, open now, radius), then scored on
    // everything, so a recommendation is never outside what was asked for.
    const selection = selectResults(candidates, request, candidates.length);
    const recs = recommend(selection.results, { request, radiusM: selection.radiusM ?? RADIUS_STEPS_M[0]! }, 3);
    return announced(input, recommendationReply(recs, selection, request));
  },
};

export const businessInfoAgent: Agent = {
  name: 'business_info',
  chatTypes: ['GLOBAL'],
  intents: ['business_info'],
  tools: [findBusinessesTool, businessDetailsTool, mentionedBusinessesTool, businessAnnouncementsTool],
  async handle(input) {
    const names = named(input);
    // "Tell me more about it" names no business but means the one just shown.
    const id = names[0] ?? (await businessesInContext(input))[0];
    if (!id) return null; // nothing to tell about: let the fallback search instead
    return describeBusiness(input, id, names.slice(1));
  },
};

/** One business in detail: facts, today's hours, and the FAQ answers to the words asked. */
async function describeBusiness(input: AgentInput, id: string, alsoNamed: readonly string[]): Promise<AgentResult | null> {
  const request = requestOf(input);
  const [candidate] = await input.use(findBusinessesTool, { ids: [id], origin: request.origin?.point ?? null, at: input.now, terms: request.terms });
  const details = await input.use(businessDetailsTool, { id, terms: request.terms });
  if (!candidate || !details) return null;
  const local = instantToZonedParts(input.now, details.timezone);
  const isoWeekday = local.weekday === 0 ? 7 : local.weekday;
  const reply = businessInfoReply(candidate, details, isoWeekday, {
    faqTerms: request.terms,
    hours: /\b(?:hours?|open|opens|opening|close|closes|closing|when)\b/i.test(input.message.text),
  });
  if (alsoNamed.length > 0) reply.text += `\n(You also named ${joinNames(alsoNamed.map((n) => nameOf(input, n)))}; ask me to compare them.)`;
  return announced(input, reply, { inText: true });
}

/** The businesses the message names, without understanding's spurious partial matches. */
function named(input: AgentInput): string[] {
  const { businessIds, businessNames } = input.understanding.entities;
  return namedBusinesses(input.message.text, businessIds.map((id, i) => ({ id, name: businessNames[i] ?? id })));
}

function nameOf(input: AgentInput, id: string): string {
  const { businessIds, businessNames } = input.understanding.entities;
  return businessNames[businessIds.indexOf(id)] ?? id;
}

export const globalAgents: readonly Agent[] = [discoveryAgent, comparisonAgent, recommendationAgent, businessInfoAgent];

// Agent selection and coordination (processors/shared/agents.ts): pure, from declarations.
import { describe, expect, it } from 'vitest';
import type { Agent, AgentResult } from '../../processors/shared/agent.js';
import { AgentRegistry, coordinate, secondaryIntents, selectAgents } from '../../processors/shared/agents.js';
import { dedicatedAgents } from '../../processors/dedicated/index.js';

const agent = (name: string, fields: Partial<Agent> = {}): Agent => ({
  name, chatTypes: ['DEDICATED'], intents: ['faq'], tools: [], async handle() { return null; }, ...fields,
});
const names = (candidates: { agent: Agent }[]) => candidates.map((c) => c.agent.name);
const base = { chatType: 'DEDICATED' as const, category: 'restaurant', secondaryIntents: [], openTask: null };

describe('agent selection', () => {
  it('picks by chat type × category × intent, specific before general, fallback last', () => {
    const agents = [
      agent('general-book', { intents: ['book'] }),
      agent('tables', { intents: ['book'], categories: ['restaurant', 'bar'] }),
      agent('appointments', { intents: ['book'], categories: ['salon'] }),
      agent('dashboard-book', { intents: ['book'], chatTypes: ['DASHBOARD'] }),
      agent('fallback', { intents: ['*'] }),
    ];
    const at = (category: string) => selectAgents(agents, { ...base, category, intent: 'book' });
    expect(names(at('restaurant').primary)).toEqual(['tables', 'general-book', 'fallback']);
    expect(names(at('salon').primary)).toEqual(['appointments', 'general-book', 'fallback']);
    expect(at('restaurant').primary[0]!.reason).toBe('intent book at DEDICATED restaurant → tables (serves restaurant, bar)');
    expect(at('restaurant').primary[2]!.reason).toBe('no agent answered intent book at DEDICATED restaurant; fallback fallback');
    expect(names(selectAgents(agents, { ...base, category: 'gym', intent: 'book' }).primary)).toEqual(['general-book', 'fallback']);
  });

  it('sends a follow-up to the owner of the open task first', () => {
    const agents = [agent('hours', { intents: ['hours', 'provide_details'] }), agent('reservations', { intents: ['book'] })];
    const openTask = { agent: 'reservations', pendingSlots: ['time'], awaitingConfirmation: false, description: 'table booking' };
    const selection = selectAgents(agents, { ...base, intent: 'provide_details', openTask });
    expect(names(selection.primary)).toEqual(['reservations', 'hours']);
    expect(selection.primary[0]!.reason).toBe("intent provide_details continues reservations's table booking (awaiting time)");
    // An intent that is not a follow-up goes where it belongs, the task stays open.
    expect(names(selectAgents(agents, { ...base, intent: 'hours', openTask }).primary)).toEqual(['hours']);
  });

  it('adds contributors for the other intents the message showed, if they may contribute', () => {
    const agents = [agent('hours', { intents: ['hours'] }), agent('faq', { intents: ['faq'], canContribute: true }), agent('menu', { intents: ['menu_or_services'] })];
    const selection = selectAgents(agents, { ...base, intent: 'hours', secondaryIntents: ['faq', 'menu_or_services'] });
    expect(names(selection.contributors)).toEqual(['faq']);
    expect(secondaryIntents(['hours:open-now', 'hours:when', 'menu_or_services:offer', 'faq:parking'], 'hours')).toEqual(['menu_or_services', 'faq']);
  });

  it('coordinates: declines pass on, contributors add, the reason says it all', async () => {
    const answer = (text: string): AgentResult => ({ text, outcome: 'ANSWERED' });
    const agents = [
      agent('picky', { intents: ['faq'] }),
      agent('fallback', { intents: ['*'], async handle() { return answer('fallback'); } }),
      agent('extra', { intents: ['hours'], canContribute: true, async handle(input) { return answer(`after ${input.previous.map((p) => p.agent).join()}`); } }),
    ];
    const selection = selectAgents(agents, { ...base, intent: 'faq', secondaryIntents: ['hours'] });
    const result = await coordinate(selection, (c, previous) => c.agent.handle({ previous } as never));
    expect(result.agent).toBe('fallback');
    expect(result.contributions.map((c) => c.result.text)).toEqual(['fallback', 'after fallback']);
    expect(result.reason).toBe('no agent answered intent faq at DEDICATED restaurant; fallback fallback; declined: picky; contributed: extra');
  });

  it('refuses duplicate names and agents without chat types or intents', () => {
    expect(() => new AgentRegistry([agent('a'), agent('a')])).toThrow(/two agents are named a/);
    expect(() => new AgentRegistry([agent('a', { chatTypes: [] })])).toThrow(/no chat type/);
    expect(() => new AgentRegistry([agent('a', { intents: [] })])).toThrow(/no intent/);
  });

  it('routes the DEDICATED intents by business category', () => {
    const primary = (category: string, intent: Parameters<typeof selectAgents>[1]['intent']) =>
      names(selectAgents(dedicatedAgents, { ...base, category, intent }).primary)[0];
    expect(primary('restaurant', 'book')).toBe('reservations');
    expect(primary('salon', 'book')).toBe('reservations');
    expect(primary('cafe', 'book')).toBe('handoff'); // a café takes no bookings
    expect(primary('restaurant', 'menu_or_services')).toBe('menu');
    expect(primary('clinic', 'faq')).toBe('faq');
    expect(primary('bar', 'hours')).toBe('hours');
    expect(primary('gym', 'unknown')).toBe('handoff');
  });
});

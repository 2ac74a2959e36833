// Agent selection and coordination, in one place for all chat types.
//
// Selection is pure: from the declarations (chat type, categories, intents) and the
// conversation's open task it orders the candidates and says why, so the reason in
// the analytics fact is the rule that decided, not a guess after the fact.
// Coordination runs the primary candidates in order until one answers (an agent may
// decline), then lets contributors add to that answer.
import type { ChatType } from '../../src/events.js';
import type { Intent } from '../../src/understanding/index.js';
import type { Agent, AgentContribution, AgentInput, AgentResult, OpenTask } from './agent.js';

export const DEFAULT_FOLLOW_UP_INTENTS: readonly Intent[] = ['provide_details', 'confirm', 'reject', 'modify_booking', 'unknown'];

export interface SelectionInput {
  chatType: ChatType;
  /** The business's category (DEDICATED, DASHBOARD); null for GLOBAL. */
  category: string | null;
  intent: Intent;
  /** Other intents the message also showed (weaker rules that fired), strongest first. */
  secondaryIntents: readonly Intent[];
  openTask: OpenTask | null;
}

export interface Candidate {
  agent: Agent;
  reason: string;
}

export interface Selection {
  /** Asked in order until one answers; the last is the fallback when there is one. */
  primary: Candidate[];
  /** Asked after the primary answered, each may add to the answer or decline. */
  contributors: Candidate[];
}

export class AgentRegistry {
  readonly agents: readonly Agent[];

  constructor(agents: readonly Agent[]) {
    const names = new Set<string>();
    for (const agent of agents) {
      if (names.has(agent.name)) throw new Error(`two agents are named ${agent.name}`);
      names.add(agent.name);
      if (agent.chatTypes.length === 0) throw new Error(`agent ${agent.name} declares no chat type`);
      if (agent.intents.length === 0) throw new Error(`agent ${agent.name} declares no intent`);
    }
    this.agents = agents;
  }

  byName(name: string): Agent | undefined {
    return this.agents.find((a) => a.name === name);
  }

  select(input: SelectionInput): Selection {
    return selectAgents(this.agents, input);
  }
}

function serves(agent: Agent, chatType: ChatType, category: string | null): boolean {
  if (!agent.chatTypes.includes(chatType)) return false;
  if (agent.categories === undefined) return true;
  return category !== null && agent.categories.includes(category);
}

/** Category-specific agents before general ones, then by priority, then by declaration order. */
function rank(agents: readonly Agent[]): Agent[] {
  return agents
    .map((agent, index) => ({ agent, index }))
    .sort((a, b) =>
      Number(b.agent.categories !== undefined) - Number(a.agent.categories !== undefined)
      || (b.agent.priority ?? 0) - (a.agent.priority ?? 0)
      || a.index - b.index)
    .map((x) => x.agent);
}

function where(input: SelectionInput): string {
  return input.category ? `${input.chatType} ${input.category}` : input.chatType;
}

export function selectAgents(agents: readonly Agent[], input: SelectionInput): Selection {
  const eligible = agents.filter((a) => serves(a, input.chatType, input.category));
  const primary: Candidate[] = [];
  const add = (agent: Agent, reason: string) => {
    if (!primary.some((c) => c.agent === agent)) primary.push({ agent, reason });
  };

  // 1. A follow-up goes to the agent whose task is open ("tomorrow at 7" after "table for 4").
  const owner = input.openTask ? eligible.find((a) => a.name === input.openTask!.agent) : undefined;
  if (owner && (owner.followUpIntents ?? DEFAULT_FOLLOW_UP_INTENTS).includes(input.intent)) {
    const waiting = input.openTask!.awaitingConfirmation ? 'awaiting confirmation'
      : input.openTask!.pendingSlots.length ? `awaiting ${input.openTask!.pendingSlots.join(', ')}` : 'open';
    add(owner, `intent ${input.intent} continues ${owner.name}'s ${input.openTask!.description} (${waiting})`);
  }

  // 2. Agents that declare the intent, most specific first.
  for (const agent of rank(eligible.filter((a) => a.intents.includes(input.intent)))) {
    add(agent, `intent ${input.intent} at ${where(input)} → ${agent.name}${agent.categories ? ` (serves ${agent.categories.join(', ')})` : ''}`);
  }

  // 3. The fallback ('*'), last: it answers whatever the others declined.
  for (const agent of rank(eligible.filter((a) => a.intents.includes('*')))) {
    add(agent, `no agent answered intent ${input.intent} at ${where(input)}; fallback ${agent.name}`);
  }

  const contributors: Candidate[] = [];
  for (const intent of input.secondaryIntents) {
    if (intent === input.intent) continue;
    for (const agent of rank(eligible.filter((a) => a.canContribute && a.intents.includes(intent)))) {
      if (contributors.some((c) => c.agent === agent)) continue;
      contributors.push({ agent, reason: `the message also shows intent ${intent} → ${agent.name} contributes` });
      break;
    }
  }
  return { primary, contributors };
}

/** Intents of the weaker rules that fired, strongest first, without the winner. */
export function secondaryIntents(matched: readonly string[], winner: Intent): Intent[] {
  const seen: Intent[] = [];
  for (const rule of matched) {
    const intent = rule.split(':', 1)[0] as Intent;
    if (intent !== winner && !seen.includes(intent)) seen.push(intent);
  }
  return seen;
}

export interface Coordinated {
  /** The primary's answer first, then the contributions, in order. */
  contributions: AgentContribution[];
  /** Name of the agent that answered. */
  agent: string | null;
  /** Why: the chosen candidate's reason, the declines before it, and the contributors. */
  reason: string;
}

/**
 * Asks the primary candidates in order until one answers, then the contributors.
 * `ask` builds the AgentInput (memory, tools) for one agent.
 */
export async function coordinate(
  selection: Selection,
  ask: (candidate: Candidate, previous: readonly AgentContribution[]) => Promise<AgentResult | null>,
): Promise<Coordinated> {
  const contributions: AgentContribution[] = [];
  const declined: string[] = [];
  let chosen: Candidate | undefined;
  for (const candidate of selection.primary) {
    const result = await ask(candidate, contributions);
    if (result) {
      contributions.push({ agent: candidate.agent.name, result });
      chosen = candidate;
      break;
    }
    declined.push(candidate.agent.name);
  }
  const contributed: string[] = [];
  if (chosen) {
    for (const candidate of selection.contributors) {
      if (candidate.agent === chosen.agent) continue;
      const result = await ask(candidate, contributions);
      if (result) {
        contributions.push({ agent: candidate.agent.name, result });
        contributed.push(candidate.agent.name);
      }
    }
  }
  const parts: string[] = [];
  parts.push(chosen ? chosen.reason : 'no agent answered');
  if (declined.length) parts.push(`declined: ${declined.join(', ')}`);
  if (contributed.length) parts.push(`contributed: ${contributed.join(', ')}`);
  return { contributions, agent: chosen?.agent.name ?? null, reason: parts.join('; ') };
}

/** Checks an agent's use of a tool against its declaration. */
export function assertDeclared(agent: Agent, toolName: string): void {
  if (!agent.tools.some((t) => t.name === toolName)) {
    throw new Error(`agent ${agent.name} used tool ${toolName}, which it does not declare`);
  }
}

export type { AgentInput };

// The respond stage's pure part: what a processed message emits.
//
// Order matters to a client: RECEIVED status, then any error notices, then the reply,
// then DONE; the analytics fact goes to its own topic. Every eventId is derived from
// the inbound eventId, so processing the same message again yields the same ids.
import type { AnalyticsEvent, Card, ChatMessage, OutboundBody, OutboundEvent, Outcome, UnderstoodBy } from '../../src/events.js';
import { derivedEventId } from '../../src/pipeline/ids.js';
import type { ProcessorOutput } from '../../src/pipeline/processor.js';
import type { AgentContribution } from './agent.js';

const MAX_SUGGESTIONS = 4;

export interface ComposedReply {
  text: string;
  agent: string;
  cards: Card[];
  suggestions: string[];
}

/** One reply from every contribution: texts in order, cards together, suggestions deduplicated. */
export function composeReply(contributions: readonly AgentContribution[]): ComposedReply | null {
  const texts = contributions.map((c) => c.result.text.trim()).filter((t) => t !== '');
  if (texts.length === 0) return null;
  const suggestions: string[] = [];
  for (const c of contributions) {
    for (const s of c.result.suggestions ?? []) if (!suggestions.includes(s)) suggestions.push(s);
  }
  return {
    text: texts.join('\n\n'),
    agent: contributions.filter((c) => c.result.text.trim() !== '').map((c) => c.agent).join('+'),
    cards: contributions.flatMap((c) => c.result.cards ?? []),
    suggestions: suggestions.slice(0, MAX_SUGGESTIONS),
  };
}

export interface RespondInput {
  message: ChatMessage;
  contributions: readonly AgentContribution[];
  intent: string | null;
  agent: string | null;
  agentReason: string | null;
  /** Who named the intent: the rules, or the LLM they were unsure enough to ask. */
  understoodBy: UnderstoodBy;
  stageLatenciesMs: Record<string, number>;
  producedAt: Date;
}

export function outcomeOf(contributions: readonly AgentContribution[]): Outcome {
  return contributions[0]?.result.outcome ?? 'UNKNOWN';
}

export function buildOutputs(input: RespondInput): ProcessorOutput[] {
  const { message, producedAt } = input;
  const outbound = (purpose: string, body: OutboundBody): ProcessorOutput => {
    const value: OutboundEvent = {
      eventId: derivedEventId(message.eventId, purpose),
      conversationId: message.conversationId,
      chatType: message.chatType,
      userId: message.userId,
      businessId: message.businessId,
      causationId: message.eventId,
      producedAt,
      body,
    };
    return { topic: 'chat.outbound', key: message.conversationId, value };
  };
  const outputs: ProcessorOutput[] = [outbound('status:RECEIVED', { type: 'StatusUpdate', status: 'RECEIVED', detail: null })];
  input.contributions.forEach((c, i) => {
    (c.result.notices ?? []).forEach((n, j) => {
      outputs.push(outbound(`notice:${i}:${j}`, { type: 'ErrorNotice', code: n.code, message: n.message, field: n.field }));
    });
  });
  const reply = composeReply(input.contributions);
  if (reply) outputs.push(outbound('reply', { type: 'Reply', ...reply }));
  const outcome = outcomeOf(input.contributions);
  outputs.push(outbound('status:DONE', { type: 'StatusUpdate', status: outcome === 'FAILED' ? 'FAILED' : 'DONE', detail: outcome }));
  const fact: AnalyticsEvent = {
    eventId: derivedEventId(message.eventId, 'analytics'),
    inboundEventId: message.eventId,
    conversationId: message.conversationId,
    chatType: message.chatType,
    userId: message.userId,
    businessId: message.businessId,
    channel: message.channel,
    intent: input.intent,
    agent: input.agent,
    agentReason: input.agentReason,
    understoodBy: input.understoodBy,
    outcome,
    stageLatenciesMs: input.stageLatenciesMs,
    sentAt: message.sentAt,
    processedAt: producedAt,
  };
  outputs.push({ topic: 'chat.analytics', key: message.conversationId, value: fact });
  return outputs;
}

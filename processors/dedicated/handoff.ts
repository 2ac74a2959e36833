// Hand-off to a person: asked for, or the last resort when no agent could answer.
// It puts the conversation in the business's inbox (table `handoffs`), where members
// with the right role see it, follow it and answer in this chat
// (./handoff-relay.ts carries their answers and keeps the agents out meanwhile).
import { openHandoff } from '../../src/db/handoffs.js';
import { derivedEventId } from '../../src/pipeline/ids.js';
import type { Agent } from '../shared/agent.js';
import { defineTool, rowsOf } from '../shared/tools.js';
import { handoffMemory } from './handoff-relay.js';

export const openHandoffTool = defineTool({
  name: 'open_handoff',
  description: "Puts the conversation in the business's inbox for a person to answer (or finds the one already open)",
  run: (ctx, args: Parameters<typeof openHandoff>[1]) => openHandoff(rowsOf(ctx.db), args),
});

export const handoffAgent: Agent = {
  name: 'handoff',
  chatTypes: ['DEDICATED'],
  intents: ['human_handoff', '*'],
  tools: [openHandoffTool],

  async handle(input) {
    const business = input.business!;
    const asked = input.understanding.intent === 'human_handoff';
    // Derived from the event: the same message processed again opens nothing twice.
    const handoff = await input.use(openHandoffTool, {
      id: derivedEventId(input.message.eventId, 'handoff'),
      conversationId: input.message.conversationId,
      businessId: business.id,
      customerId: input.message.userId,
      reason: asked ? 'asked' : 'unanswered',
      firstMessage: input.message.text,
      at: input.message.sentAt,
    });
    const lead = asked ? `Of course, I'll pass you to the team at ${business.name}.` : `I can't answer that myself, so I've passed your message to the team at ${business.name}.`;
    // Asked for a person: the agents step back until the team closes the hand-off. Not
    // asked: they go on answering what they can until a person takes it.
    const meanwhile = asked
      ? " Someone from the team will answer you here; I'll keep your messages for them until then."
      : " Someone from the team will answer you here; meanwhile I'll answer what I can.";
    const phone = business.phone ? ` If it's urgent, call ${business.phone}.` : '';
    return { text: `${lead}${meanwhile}${phone}`, outcome: 'HANDED_OFF', suggestions: [], memory: handoffMemory(handoff.id) };
  },
};

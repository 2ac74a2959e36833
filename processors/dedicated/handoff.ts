// Hand-off to a person: asked for, or the last resort when no agent could answer.
// The conversation is kept in `messages`, where the business's staff read it.
import type { Agent } from '../shared/agent.js';

export const handoffAgent: Agent = {
  name: 'handoff',
  chatTypes: ['DEDICATED'],
  intents: ['human_handoff', '*'],
  tools: [],

  async handle(input) {
    const business = input.business!;
    const asked = input.understanding.intent === 'human_handoff';
    const lead = asked ? `Of course, I'll pass you to the team at ${business.name}.` : `I can't answer that myself, so I've passed your message to the team at ${business.name}.`;
    const phone = business.phone ? ` If it's urgent, call ${business.phone}.` : '';
    return { text: `${lead} Someone will reply in this chat.${phone}`, outcome: 'HANDED_OFF', suggestions: [] };
  },
};

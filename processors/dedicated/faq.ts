// The FAQ agent: answers from the business's own FAQs, matched by their keywords
// and the words of their question. No match, no answer: it declines, and the next
// agent (in the end a person) takes the question.
import type { Agent } from '../shared/agent.js';
import { matchFaq } from './matching.js';
import { faqsTool } from './tools.js';

export const faqAgent: Agent = {
  name: 'faq',
  chatTypes: ['DEDICATED'],
  intents: ['faq'],
  tools: [faqsTool],
  canContribute: true,

  async handle(input) {
    const faqs = await input.use(faqsTool, { businessId: input.business!.id });
    const match = matchFaq(input.message.text, faqs);
    if (!match) return null;
    input.logger.debug({ faq: match.item.question, why: match.why }, 'faq matched');
    return { text: match.item.answer, outcome: 'ANSWERED', suggestions: [] };
  },
};

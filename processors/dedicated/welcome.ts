// Greetings and thanks: say who is answering and what it can do here, and, on a
// greeting, what the business announced (../shared/announcements.ts).
import type { Agent } from '../shared/agent.js';
import { withAnnouncements } from '../shared/announcements.js';
import { APPOINTMENT_CATEGORIES, TABLE_CATEGORIES } from './reservations.js';

export const welcomeAgent: Agent = {
  name: 'welcome',
  chatTypes: ['DEDICATED'],
  intents: ['greeting', 'thanks'],
  tools: [],

  async handle(input) {
    const business = input.business!;
    if (input.understanding.intent === 'thanks') {
      return { text: `You're welcome! Anything else I can do for you at ${business.name}?`, outcome: 'ANSWERED' };
    }
    const table = (TABLE_CATEGORIES as readonly string[]).includes(business.category);
    const appointment = (APPOINTMENT_CATEGORIES as readonly string[]).includes(business.category);
    const can = [table ? 'book a table' : appointment ? 'book an appointment' : null, table ? 'show the menu' : 'show what we offer', 'tell you our opening hours', 'answer questions'].filter(Boolean);
    return withAnnouncements({
      text: `Hello! This is ${business.name}'s assistant. I can ${can.slice(0, -1).join(', ')} and ${can[can.length - 1]}.`,
      outcome: 'ANSWERED',
      suggestions: [table ? 'Book a table' : appointment ? 'Book an appointment' : 'What do you offer?', 'Are you open now?'],
    }, input);
  },
};

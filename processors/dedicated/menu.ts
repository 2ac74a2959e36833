// The menu/services agent: what the business offers, with prices, from `offerings`.
// Names, tags and diets in the question narrow the answer ("vegan", "balayage");
// without them it lists what there is. What the business announced goes under it.
import type { Card } from '../../src/events.js';
import type { Agent } from '../shared/agent.js';
import { withAnnouncements } from '../shared/announcements.js';
import { matchItems, price } from './matching.js';
import { APPOINTMENT_CATEGORIES } from './reservations.js';
import { offeringsTool, type Offering } from './tools.js';

const LISTED = 8;
const CARDS = 6;

function line(o: Offering): string {
  const duration = o.durationMinutes ? `, ${o.durationMinutes} min` : '';
  return `${o.name}: ${price(o.priceCents, o.currency)}${duration}${o.description ? ` (${o.description})` : ''}`;
}

function card(o: Offering, businessId: string): Card {
  const fields: Record<string, string> = { Price: price(o.priceCents, o.currency) };
  if (o.durationMinutes) fields.Duration = `${o.durationMinutes} min`;
  if (o.tags.length) fields.Tags = o.tags.join(', ');
  return { kind: 'OTHER', title: o.name, subtitle: o.description || null, businessId, fields };
}

export const menuAgent: Agent = {
  name: 'menu',
  chatTypes: ['DEDICATED'],
  intents: ['menu_or_services'],
  tools: [offeringsTool],
  canContribute: true,

  async handle(input) {
    const business = input.business!;
    const offerings = await input.use(offeringsTool, { businessId: business.id });
    if (offerings.length === 0) return null;
    const services = (APPOINTMENT_CATEGORIES as readonly string[]).includes(business.category);
    const noun = services ? 'services' : offerings.every((o) => o.kind === 'menu_item') ? 'menu' : 'offer';
    const asked = matchItems(input.message.text, offerings).map((m) => m.item);
    const shown = (asked.length ? asked : offerings).slice(0, LISTED);
    const intro = asked.length
      ? `Here's what matches at ${business.name}:`
      : noun === 'menu' ? `Here's the menu at ${business.name}:` : `Here are the ${noun === 'services' ? 'services' : 'things we offer'} at ${business.name}:`;
    const more = !asked.length && offerings.length > LISTED ? `\n…and ${offerings.length - LISTED} more.` : '';
    const firstService = shown.find((o) => o.kind === 'service');
    return withAnnouncements({
      text: `${intro}\n${shown.map((o) => `• ${line(o)}`).join('\n')}${more}`,
      cards: shown.slice(0, CARDS).map((o) => card(o, business.id)),
      suggestions: firstService ? [`Book ${firstService.name}`] : ['Book a table', 'Opening hours'],
      outcome: 'ANSWERED',
    }, input);
  },
};

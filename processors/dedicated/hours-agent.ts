// The hours agent: "are you open now?", "are you open on Sunday?", "what time do you
// close?". Open or closed at a moment is the database's answer (business_open_at, on
// the business's clock); the week's hours and the next opening are read from the rows.
// What the business announced ("closed on Monday for a private event") goes under it.
import { instantToZonedParts } from '../../src/understanding/index.js';
import type { Agent, AgentInput, AgentResult } from '../shared/agent.js';
import { withAnnouncements } from '../shared/announcements.js';
import { closesAt, describeDay, describeWeek, isoWeekday, nextOpening, WEEKDAY_NAMES } from './hours.js';
import { longDate, startInstant, weekdayOf } from './slots.js';
import { hoursTool, openAtTool } from './tools.js';

export const hoursAgent: Agent = {
  name: 'hours',
  chatTypes: ['DEDICATED'],
  intents: ['hours'],
  tools: [hoursTool, openAtTool],
  canContribute: true,

  async handle(input) {
    return withAnnouncements(await hoursAnswer(input), input);
  },
};

async function hoursAnswer(input: AgentInput): Promise<AgentResult> {
  const business = input.business!;
  const hours = await input.use(hoursTool, { businessId: business.id });
  const week = `Opening hours: ${describeWeek(hours)}.`;
  if (hours.length === 0) return { text: `${business.name} has no opening hours listed.`, outcome: 'ANSWERED' };
  const dt = input.understanding.entities.dateTime;

  // A day without a time: that day's hours.
  if (dt && dt.precision === 'date') {
    const day = describeDay(hours, weekdayOf(dt.date));
    const text = day === 'closed' ? `We're closed on ${longDate(dt.date)}.` : `On ${longDate(dt.date)} we're open ${day}.`;
    return { text: `${text}\n${week}`, outcome: 'ANSWERED' };
  }

  // A moment: the one named, or now.
  const at = dt?.time ? startInstant({ date: dt.date, time: dt.time }, business.timeZone) : input.now;
  const [open] = await input.use(openAtTool, { businessId: business.id, instants: [at] });
  const local = instantToZonedParts(at, business.timeZone);
  const weekday = isoWeekday(local.weekday);
  const minute = local.hour * 60 + local.minute;
  const moment = dt?.time ? `at ${dt.time} on ${longDate(dt.date)}` : 'right now';
  let text: string;
  if (open) {
    const until = closesAt(hours, weekday, minute);
    text = `Yes, we're open ${moment}${until ? `, until ${until}` : ''}.`;
  } else {
    const next = nextOpening(hours, weekday, minute);
    const when = !next ? '' : next.daysAhead === 0 ? ` We open again today at ${next.time}.`
      : next.daysAhead === 1 ? ` We open again tomorrow at ${next.time}.` : ` We open again on ${WEEKDAY_NAMES[next.weekday]} at ${next.time}.`;
    text = `No, we're closed ${moment}.${when}`;
  }
  return { text: `${text}\n${week}`, outcome: 'ANSWERED', suggestions: ['Book a table'] };
}

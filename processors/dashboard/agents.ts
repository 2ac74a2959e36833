// The DASHBOARD chat's agents: analytics, workflows (what runs for the business,
// ./workflows.ts), management (behind a confirmation turn, ./management.ts; it also
// cancels workflows) and help (the fallback).
//
// Every agent checks the caller's role in the business from the members table before
// it does anything (./guard.ts; policy.ts decides); a denial is a FORBIDDEN notice,
// outcome DENIED and an audit_log row, never a silent no-op.
import type { Intent } from '../../src/understanding/index.js';
import type { Agent, AgentInput } from '../shared/agent.js';
import { secondaryIntents } from '../shared/agents.js';
import { businessOf, guard, GUARD_TOOLS } from './guard.js';
import { inboxAgent } from './inbox.js';
import { managementAgent } from './management.js';
import { bookingsAnswer, topQuestionsAnswer, volumeAnswer } from './metrics.js';
import { lastDays, parsePeriod } from './periods.js';
import { type DashboardAction, POLICY, roleAtLeast, type Role } from './policy.js';
import { bookingCountsTool, messageVolumeTool, topQuestionsTool, upcomingBookingsTool } from './tools.js';
import { workflowsAgent } from './workflows.js';

export { guard, type Guarded } from './guard.js';
export { managementAgent, managementWorkflowId } from './management.js';
export { workflowsAgent } from './workflows.js';

// ---------------------------------------------------------------------------
// analytics

const ANALYTICS_INTENTS: readonly Intent[] = ['analytics_volume', 'analytics_bookings', 'analytics_top_questions'];

/**
 * Which question to answer: the message's intent, or, when contributing to another
 * agent's answer, the strongest analytics intent among the rules that also fired.
 */
function analyticsIntent(input: AgentInput): Intent | undefined {
  const { intent, matched } = input.understanding;
  if (ANALYTICS_INTENTS.includes(intent)) return intent;
  return secondaryIntents(matched, intent).find((i) => ANALYTICS_INTENTS.includes(i));
}

export const analyticsAgent: Agent = {
  name: 'analytics',
  chatTypes: ['DASHBOARD'],
  intents: ANALYTICS_INTENTS,
  tools: [...GUARD_TOOLS, messageVolumeTool, bookingCountsTool, upcomingBookingsTool, topQuestionsTool],
  canContribute: true,
  async handle(input) {
    // As a contributor ("pause bookings for tonight" also asks about tonight's bookings)
    // it adds nothing to a denial: the person asked for the action, not for numbers.
    if (input.previous.some((p) => p.result.outcome === 'DENIED')) return null;
    const intent = analyticsIntent(input);
    if (!intent) return null;
    const business = businessOf(input);
    const checked = await guard(input, 'view_analytics');
    if (!checked.allowed) return checked.result;
    const named = parsePeriod(input.message.text, input.now, business.timeZone);
    const base = { businessId: business.id };
    switch (intent) {
      case 'analytics_bookings': {
        const counts = named ? await input.use(bookingCountsTool, { ...base, from: named.from, to: named.to }) : null;
        // "Upcoming" is from now on, within the period when one was named and reaches past now.
        const upcomingTo = named && named.to > input.now ? named.to : undefined;
        const upcoming = named && named.to <= input.now
          ? { rows: [], total: 0 }
          : await input.use(upcomingBookingsTool, { ...base, from: named && named.from > input.now ? named.from : input.now, ...(upcomingTo ? { to: upcomingTo } : {}), limit: 5 });
        const answer = bookingsAnswer(counts, named ?? null, upcoming, { id: business.id, name: business.name, timeZone: business.timeZone });
        return { ...answer, outcome: 'ANSWERED' };
      }
      case 'analytics_top_questions': {
        const period = named ?? lastDays(30, input.now, business.timeZone);
        const top = await input.use(topQuestionsTool, { ...base, from: period.from, to: period.to, limit: 5 });
        return { ...topQuestionsAnswer(top, period, business.id), outcome: 'ANSWERED' };
      }
      default: {
        const period = named ?? lastDays(7, input.now, business.timeZone);
        const volume = await input.use(messageVolumeTool, { ...base, from: period.from, to: period.to, timeZone: business.timeZone });
        return { ...volumeAnswer(volume, period, business.id, business.name), outcome: 'ANSWERED' };
      }
    }
  },
};

// ---------------------------------------------------------------------------
// help

const CAN_DO: ReadonlyArray<[DashboardAction, string]> = [
  ['view_analytics', 'message volumes (“messages this week”), bookings (“bookings today”), top questions (“top questions this month”)'],
  ['view_workflows', 'what is running (“what’s running?”, “show pending bookings’ workflows”)'],
  ['view_handoffs', 'customers waiting for a person (“show the inbox”, “close hand-off <ref>”)'],
  ['announcement', 'announcements (“announce: …”)'],
  ['pause_bookings', 'pausing and resuming bookings'],
  ['cancel_booking', 'cancelling a booking (“cancel booking <id>”)'],
  ['cancel_workflow', 'cancelling a workflow (“cancel the reminder for booking <id>”, “cancel workflow <id>”)'],
  ['set_hours', 'opening hours (“open 9 to 18 on Saturday”)'],
];

export function capabilities(role: Role): string[] {
  return CAN_DO.filter(([action]) => roleAtLeast(role, POLICY[action])).map(([, words]) => words);
}

export const helpAgent: Agent = {
  name: 'dashboard_help',
  chatTypes: ['DASHBOARD'],
  intents: ['*'],
  tools: GUARD_TOOLS,
  async handle(input) {
    const checked = await guard(input, 'view_dashboard');
    if (!checked.allowed) return checked.result;
    const role = checked.decision.role!;
    const business = businessOf(input);
    return {
      text: `I didn't catch that. As ${role} of ${business.name} you can ask me about: ${capabilities(role).join('; ')}. Changes are confirmed before they run.`,
      suggestions: ['Messages this week', 'Bookings today', 'Top questions this month'],
      outcome: 'ANSWERED',
    };
  },
};

export const dashboardAgents: readonly Agent[] = [analyticsAgent, workflowsAgent, inboxAgent, managementAgent, helpAgent];

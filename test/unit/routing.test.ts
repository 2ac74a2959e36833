// The routing rule (processors/shared/routing.ts): which messages run through the
// LangGraph graph and which run the stages directly. Both sides, on hand-made
// selections and on what the shipped agents' declarations select.
import { describe, expect, it } from 'vitest';
import type { Agent, OpenTask } from '../../processors/shared/agent.js';
import { selectAgents, type Selection, type SelectionInput } from '../../processors/shared/agents.js';
import { routeOf } from '../../processors/shared/routing.js';
import { dashboardAgents } from '../../processors/dashboard/agents.js';
import { dedicatedAgents } from '../../processors/dedicated/index.js';
import { globalAgents } from '../../processors/global/agents.js';

const agent = (name: string, opensTasks?: boolean): Agent => ({
  name, chatTypes: ['DEDICATED'], intents: ['*'], tools: [], ...(opensTasks === undefined ? {} : { opensTasks }),
  async handle() { return null; },
});
const plain = agent('plain');
const tasker = agent('tasker', true);
const notTasker = agent('not_tasker', false);
const selection = (primary: Agent[], contributors: Agent[] = []): Selection => ({
  primary: primary.map((a) => ({ agent: a, reason: 'test' })),
  contributors: contributors.map((a) => ({ agent: a, reason: 'test' })),
});
const openTask: OpenTask = { agent: 'tasker', pendingSlots: ['time'], awaitingConfirmation: false, description: 'table booking' };

describe('routeOf', () => {
  describe('the graph', () => {
    it('takes every message of a conversation with an open task, whoever is selected', () => {
      expect(routeOf(openTask, selection([plain]))).toBe('graph');
      expect(routeOf(openTask, selection([]))).toBe('graph');
      expect(routeOf({ ...openTask, pendingSlots: [], awaitingConfirmation: true }, selection([notTasker]))).toBe('graph');
    });

    it('takes a message whose primary candidates include an agent that may open a task', () => {
      expect(routeOf(null, selection([tasker]))).toBe('graph');
      // Also when it is not the first: an earlier candidate may decline and it would answer.
      expect(routeOf(null, selection([plain, tasker]))).toBe('graph');
    });
  });

  describe('the direct path', () => {
    it('takes a self-contained question: no open task, no primary candidate that opens tasks', () => {
      expect(routeOf(null, selection([plain]))).toBe('direct');
      expect(routeOf(null, selection([plain, notTasker]))).toBe('direct');
      expect(routeOf(null, selection([]))).toBe('direct');
    });

    it('looks at the primary candidates only, not the contributors', () => {
      expect(routeOf(null, selection([plain], [tasker]))).toBe('direct');
    });
  });

  describe('on the shipped agents', () => {
    const route = (agents: readonly Agent[], input: Partial<SelectionInput> & Pick<SelectionInput, 'chatType' | 'intent'>) => {
      const full: SelectionInput = { category: null, secondaryIntents: [], openTask: null, ...input };
      return routeOf(full.openTask, selectAgents(agents, full));
    };

    it('DEDICATED: booking at a restaurant or salon goes through the graph, questions do not', () => {
      for (const intent of ['book', 'modify_booking', 'cancel_booking', 'provide_details'] as const) {
        expect(route(dedicatedAgents, { chatType: 'DEDICATED', category: 'restaurant', intent })).toBe('graph');
      }
      expect(route(dedicatedAgents, { chatType: 'DEDICATED', category: 'salon', intent: 'book' })).toBe('graph');
      for (const intent of ['menu_or_services', 'hours', 'faq', 'greeting', 'thanks', 'human_handoff', 'unknown'] as const) {
        expect(route(dedicatedAgents, { chatType: 'DEDICATED', category: 'restaurant', intent })).toBe('direct');
      }
      // A café takes no bookings: reservations does not serve it, and hand-off answers directly.
      expect(route(dedicatedAgents, { chatType: 'DEDICATED', category: 'cafe', intent: 'book' })).toBe('direct');
      // A follow-up of an open booking goes through the graph, whatever its intent.
      const booking: OpenTask = { agent: 'reservations', pendingSlots: ['time'], awaitingConfirmation: false, description: 'table booking' };
      expect(route(dedicatedAgents, { chatType: 'DEDICATED', category: 'restaurant', intent: 'hours', openTask: booking })).toBe('graph');
    });

    it('DASHBOARD: management actions and their confirmation go through the graph, analytics does not', () => {
      for (const intent of ['pause_bookings', 'announcement', 'set_hours', 'workflow_cancel', 'confirm', 'reject'] as const) {
        expect(route(dashboardAgents, { chatType: 'DASHBOARD', category: 'restaurant', intent })).toBe('graph');
      }
      for (const intent of ['analytics_volume', 'analytics_bookings', 'analytics_top_questions', 'workflows_list', 'unknown'] as const) {
        expect(route(dashboardAgents, { chatType: 'DASHBOARD', category: 'restaurant', intent })).toBe('direct');
      }
    });

    it('GLOBAL: every question runs directly (no agent opens tasks)', () => {
      for (const intent of ['search', 'compare', 'recommend', 'business_info', 'greeting', 'unknown'] as const) {
        expect(route(globalAgents, { chatType: 'GLOBAL', intent })).toBe('direct');
      }
    });
  });
});

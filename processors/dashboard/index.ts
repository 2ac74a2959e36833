// The DASHBOARD chat type: staff managing their business. The shared chat graph
// (conversation → agent → workflow → respond) with the dashboard agents: analytics,
// management (confirmation first) and help (./agents.ts); who may do what is
// ./policy.ts.
import type { ChatProcessor } from '../../src/pipeline/processor.js';
import type { ChatTypeDefinition, ProcessorDeps } from '../shared/deps.js';
import { createChatProcessor } from '../shared/processor.js';
import { dashboardAgents } from './agents.js';

export const dashboardDefinition: ChatTypeDefinition = {
  chatType: 'DASHBOARD',
  agents: dashboardAgents,
};

export function createDashboardProcessor(deps: ProcessorDeps): ChatProcessor {
  return createChatProcessor(dashboardDefinition, deps);
}


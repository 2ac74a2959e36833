// The DEDICATED chat type: a customer talking to one business. The shared chat graph
// (../shared/graph.ts) with agents chosen by the business's category.
import type { ChatProcessor } from '../../src/pipeline/processor.js';
import type { Agent } from '../shared/agent.js';
import type { ProcessorDeps } from '../shared/deps.js';
import { createChatProcessor } from '../shared/processor.js';
import { callbacksAgent } from './callbacks.js';
import { faqAgent } from './faq.js';
import { handoffAgent } from './handoff.js';
import { interceptHandoff } from './handoff-relay.js';
import { hoursAgent } from './hours-agent.js';
import { menuAgent } from './menu.js';
import { reservationsAgent } from './reservations.js';
import { welcomeAgent } from './welcome.js';

/** In order of preference where two would answer the same intent; hand-off is the fallback. */
export const dedicatedAgents: readonly Agent[] = [reservationsAgent, callbacksAgent, menuAgent, faqAgent, hoursAgent, welcomeAgent, handoffAgent];

export function createDedicatedProcessor(deps: ProcessorDeps): ChatProcessor {
  return createChatProcessor({ chatType: 'DEDICATED', agents: dedicatedAgents, intercept: interceptHandoff }, deps);
}

// The GLOBAL chat type: a consumer exploring all businesses. The shared chat graph
// (../shared/graph.ts) with this chat type's agents (./agents.ts) and the named
// places of the city, so "near Chiado" is understood.
import type { ChatProcessor } from '../../src/pipeline/processor.js';
import type { ProcessorDeps } from '../shared/deps.js';
import { createChatProcessor } from '../shared/processor.js';
import { globalAgents } from './agents.js';
import { LISBON_PLACES } from './places.js';

export { globalAgents };

export function createGlobalProcessor(deps: ProcessorDeps): ChatProcessor {
  return createChatProcessor({ chatType: 'GLOBAL', agents: globalAgents, places: LISBON_PLACES }, deps);
}

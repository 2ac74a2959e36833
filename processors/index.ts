// Every chat type's processor, built over the shared resources; the runtime refuses
// to start unless each chat type has one.
import type { ChatProcessor } from '../src/pipeline/processor.js';
import { createDashboardProcessor } from './dashboard/index.js';
import { createDedicatedProcessor } from './dedicated/index.js';
import { createGlobalProcessor } from './global/index.js';
import type { ProcessorDeps } from './shared/deps.js';

export type { ProcessorDeps } from './shared/deps.js';
export type { ConversationState } from './shared/state.js';
export { BusinessDirectory, watchBusinessChanges } from './shared/business.js';
export { poolDb } from './shared/tools.js';

export function createProcessors(deps: ProcessorDeps): ChatProcessor[] {
  return [createDedicatedProcessor(deps), createDashboardProcessor(deps), createGlobalProcessor(deps)];
}

// The routing rule: which messages run through the LangGraph graph and which run
// the stages directly. One rule, pure, so both sides are tested (test/unit/routing.test.ts).
//
// The graph is for conversations with durable multi-turn work: a task already open
// (slot filling, a confirmation awaiting its "yes") or a message for an agent that
// may open one (it declares `opensTasks`). Everything else is a self-contained
// question (menu, hours, FAQ, search, compare, recommend, analytics) and runs the
// same stage functions directly, without the graph's per-run machinery.
import type { OpenTask } from './agent.js';
import type { Selection } from './agents.js';

export type TurnPath = 'graph' | 'direct';

export function routeOf(openTask: OpenTask | null, selection: Selection): TurnPath {
  if (openTask) return 'graph';
  return selection.primary.some((c) => c.agent.opensTasks) ? 'graph' : 'direct';
}

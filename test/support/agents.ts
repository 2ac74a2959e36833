// Running one agent the way the agent stage does (processors/shared/stages.ts), over a
// test database: the message understood with the catalog, the declared tools only.
// For agent tests that need neither Kafka nor Redis; Temporal only when the test
// passes a workflow manager (the DASHBOARD's workflow tools read its visibility).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ChatMessage, ChatType, GeoPoint } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { understand } from '../../src/understanding/index.js';
import { CATEGORIES } from '../../src/understanding/lexicon.js';
import type { Agent, AgentInput, AgentResult, BusinessContext, JsonObject, OpenTask, Turn } from '../../processors/shared/agent.js';
import { assertDeclared } from '../../processors/shared/agents.js';
import { loadBusiness, loadBusinesses } from '../../processors/shared/business.js';
import type { WorkflowReader } from '../../processors/shared/deps.js';
import { poolDb } from '../../processors/shared/tools.js';
import { LISBON_PLACES } from '../../processors/global/places.js';

const logger = createLogger('agent-test', 'silent');

export interface Ask {
  text: string;
  chatType: ChatType;
  userId?: string;
  businessId?: string | null;
  location?: GeoPoint | null;
  now?: Date;
  memory?: JsonObject;
  openTask?: OpenTask | null;
  /** Earlier turns (the current message is appended as the last). */
  turns?: Turn[];
  eventId?: string;
  /** Default: a new one per call; give the same one to continue a conversation. */
  conversationId?: string;
}

export interface Asked {
  result: AgentResult | null;
  input: AgentInput;
}

/** For runners given no manager: a tool that reads Temporal is a mistake of the test. */
const noTemporal: WorkflowReader = {
  listWorkflows: async () => { throw new Error('this agentRunner has no workflow manager: pass one to reach Temporal'); },
  findWorkflow: async () => { throw new Error('this agentRunner has no workflow manager: pass one to reach Temporal'); },
};

export function agentRunner(pool: pg.Pool, databaseUrl: string, workflows: WorkflowReader = noTemporal) {
  const db = poolDb(pool, databaseUrl);
  return async function ask(agent: Agent, a: Ask): Promise<Asked> {
    const now = a.now ?? new Date();
    const businessId = a.businessId ?? null;
    const business: BusinessContext | null = businessId ? await loadBusiness(db, businessId) : null;
    const businesses = await db.query<{ id: string; name: string; category: string }>('select id, name, category from businesses order by id');
    const message: ChatMessage = {
      eventId: a.eventId ?? randomUUID(),
      conversationId: a.conversationId ?? `c-test-${randomUUID().slice(0, 8)}`,
      chatType: a.chatType,
      userId: a.userId ?? 'u-test',
      businessId,
      text: a.text,
      channel: 'WEB',
      locale: 'en-GB',
      location: a.location ?? null,
      sentAt: now,
      clientMessageId: null,
      senderRole: null,
    };
    const understanding = understand(a.text, {
      chatType: a.chatType,
      now,
      timeZone: business?.timeZone ?? 'Europe/Lisbon',
      catalog: { businesses, categories: [...CATEGORIES], places: a.chatType === 'GLOBAL' ? LISBON_PLACES : [] },
      ...(a.openTask ? { pendingSlots: a.openTask.pendingSlots, hasPendingAction: a.openTask.awaitingConfirmation } : {}),
      ...(business ? { businessCategory: business.category } : {}),
    });
    const turn: Turn = { role: 'user', text: a.text, intent: understanding.intent, agent: null, eventId: message.eventId, at: now.getTime() };
    const input: AgentInput = {
      message,
      understanding,
      business,
      now,
      turns: [...(a.turns ?? []), turn],
      memory: a.memory ?? {},
      openTask: a.openTask ?? null,
      reason: 'test',
      previous: [],
      logger,
      use: async (tool, args) => {
        assertDeclared(agent, tool.name);
        return tool.run({ db, workflows, now, business, businesses: (ids) => loadBusinesses(db, ids), logger }, args);
      },
    };
    return { result: await agent.handle(input), input };
  };
}

// The check every DASHBOARD agent starts with, and how a denial looks: the caller's
// role in the business from the members table, judged by policy.ts; a denial is a
// FORBIDDEN notice, outcome DENIED and an audit_log row (once per message), never a
// silent no-op, with a reply saying who can do it.
import type { AgentInput, AgentResult, BusinessContext } from '../shared/agent.js';
import { ACTION_LABELS, authorize, type DashboardAction, type Decision, ROLES, roleAtLeast, type Role } from './policy.js';
import { membersWithRoleTool, memberRoleTool, recordAuditTool } from './tools.js';

export const GUARD_TOOLS = [memberRoleTool, membersWithRoleTool, recordAuditTool];

export function businessOf(input: AgentInput): BusinessContext {
  // Validation rejects a DASHBOARD event without a known business before any agent runs.
  if (!input.business) throw new Error('a DASHBOARD message reached an agent without its business');
  return input.business;
}

export type Guarded = { allowed: true; decision: Decision } | { allowed: false; result: AgentResult };

export interface Denial {
  businessId: string;
  action: DashboardAction;
  /** The reply: why, and who can. */
  text: string;
  /** The ErrorNotice's message. */
  notice: string;
  /** The message field the denial is about, if one. */
  field?: string;
  detail: Record<string, unknown>;
  /** Set when the denial is about someone else's pending action. */
  requestedBy?: string;
}

/** A denial: the audit row (allowed=false, once per message), then the FORBIDDEN notice and outcome DENIED. */
export async function deny(input: AgentInput, d: Denial): Promise<AgentResult> {
  await input.use(recordAuditTool, {
    businessId: d.businessId,
    userId: input.message.userId,
    action: d.action,
    allowed: false,
    eventId: input.message.eventId,
    ...(d.requestedBy ? { requestedBy: d.requestedBy } : {}),
    detail: {
      ...d.detail,
      intent: input.understanding.intent,
      conversationId: input.message.conversationId,
      request: input.message.text.slice(0, 500),
    },
  });
  return { text: d.text, notices: [{ code: 'FORBIDDEN', message: d.notice, field: d.field ?? null }], outcome: 'DENIED' };
}

/** " Ask Ana Ferreira (owner) or Bruno Matos (manager)." for the members `who` keeps, or '' when there are none. */
export async function askWhom(input: AgentInput, businessId: string, roles: readonly Role[], keep: (m: { userId: string; role: Role }) => boolean = () => true): Promise<string> {
  const who = (await input.use(membersWithRoleTool, { businessId, roles })).filter(keep);
  return who.length > 0 ? ` Ask ${who.slice(0, 3).map((m) => `${m.displayName} (${m.role})`).join(' or ')}.` : '';
}

/**
 * The role check every dashboard action starts with. On denial: the audit row
 * (allowed=false, once per message), and the result to return as it is.
 */
export async function guard(input: AgentInput, action: DashboardAction, extraDetail: Record<string, unknown> = {}): Promise<Guarded> {
  const business = businessOf(input);
  const role = await input.use(memberRoleTool, { businessId: business.id, userId: input.message.userId });
  const decision = authorize(action, role);
  if (decision.allowed) return { allowed: true, decision };
  const ask = await askWhom(input, business.id, ROLES.filter((r) => roleAtLeast(r, decision.required)));
  return {
    allowed: false,
    result: await deny(input, {
      businessId: business.id,
      action,
      text: `${decision.reason}${ask}`,
      notice: `${ACTION_LABELS[action]} (${action}) needs the ${decision.required} role or higher; ${decision.role === null ? 'you are not a member of this business' : `you are ${decision.role}`}.`,
      detail: { role: decision.role, required: decision.required, reason: decision.reason, ...extraDetail },
    }),
  };
}

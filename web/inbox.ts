// The staff side of the chat page: the inbox of conversations handed off to a person
// in the signed-in member's businesses (GET /api/handoffs), and one of them opened:
// its transcript (GET /api/transcript: the customer's words are not in the event
// stream), followed live through the bridge (a subscription the bridge allows only
// while the hand-off is open, and audits), and answered with `message` frames that
// the bridge writes as STAFF. "Close hand-off" gives the conversation back to the
// assistant; the bridge then ends the subscription (FORBIDDEN "access lost"), and
// the page goes back to the list.
import type { OutboundEventJson, OutgoingMessage, ServerError } from './client.js';

export interface HandoffJson {
  id: string;
  conversationId: string;
  businessId: string;
  businessName: string;
  customerId: string;
  customerName: string | null;
  reason: 'asked' | 'unanswered';
  firstMessage: string;
  openedAt: string;
  lastCustomerMessageAt: string;
  takenBy: string | null;
  takenByName: string | null;
}

interface TranscriptMessageJson {
  eventId: string;
  role: 'user' | 'assistant';
  text: string;
  agent: string | null;
  createdAt: string;
}

/** A message of ours not yet in the transcript. */
interface Pending {
  clientMessageId: string;
  text: string;
  state: 'sending' | 'sent' | 'refused';
  eventId?: string;
  error?: string;
}

/** The staff command that closes a hand-off from inside its conversation (src/handoffs/policy.ts). */
export const CLOSE_COMMAND = 'close hand-off';

export interface InboxDeps {
  api<T>(path: string): Promise<T>;
  send(message: OutgoingMessage): void;
  subscribe(conversationId: string): void;
  unsubscribe(conversationId: string): void;
  el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: { className?: string; text?: string }, ...children: Node[]): HTMLElementTagNameMap[K];
  time(iso: string): string;
  newId(prefix: string): string;
  userId(): string | null;
  /** Where the list and the conversation are drawn (the page's transcript). */
  list: HTMLElement;
  /** The bar above it: what is open, and its buttons. */
  bar: { root: HTMLElement; title: HTMLElement; back: HTMLButtonElement; close: HTMLButtonElement };
  /** Whether a message can be written now (a hand-off is open). */
  onComposable(composable: boolean): void;
}

export class Inbox {
  private open: HandoffJson | null = null;
  private messages: TranscriptMessageJson[] = [];
  private pending: Pending[] = [];
  private notice: string | null = null;
  private active = false;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;

  constructor(private readonly deps: InboxDeps) {
    deps.bar.back.addEventListener('click', () => void this.showList());
    deps.bar.close.addEventListener('click', () => this.send(CLOSE_COMMAND));
  }

  /** The open hand-off's conversation, if one is open. */
  get conversationId(): string | null {
    return this.open?.conversationId ?? null;
  }

  /** Shows the list of open hand-offs (and leaves the one that was open). */
  async showList(notice: string | null = null): Promise<void> {
    this.active = true;
    this.leaveConversation();
    this.deps.bar.root.hidden = true;
    this.deps.onComposable(false);
    const { el } = this.deps;
    let handoffs: HandoffJson[];
    try {
      ({ handoffs } = await this.deps.api<{ handoffs: HandoffJson[] }>('/api/handoffs'));
    } catch (error) {
      this.deps.list.replaceChildren(el('li', { className: 'entry notice', text: `Cannot load the inbox: ${(error as Error).message}` }));
      return;
    }
    if (!this.active || this.open) return;
    const items: HTMLElement[] = notice ? [el('li', { className: 'entry notice', text: notice })] : [];
    if (handoffs.length === 0) items.push(el('li', { className: 'entry notice', text: 'Nobody is waiting for a person in your businesses.' }));
    for (const h of handoffs) {
      const button = el('button', { className: 'open-handoff', text: 'Open' });
      button.type = 'button';
      button.onclick = () => void this.openHandoff(h);
      const taken = h.takenBy ? ` · taken by ${h.takenByName ?? h.takenBy}` : '';
      const li = el('li', { className: 'entry handoff' },
        el('div', { className: 'who', text: `${h.customerName ?? h.customerId} · ${h.businessName}` }),
        el('div', { className: 'text', text: `“${h.firstMessage}”` }),
        el('div', { className: 'meta', text: `${h.reason === 'asked' ? 'asked for a person' : 'no agent could answer'} · waiting since ${this.deps.time(h.openedAt)}${taken}` }),
        button);
      li.dataset.conversationId = h.conversationId;
      items.push(li);
    }
    const refresh = el('button', { text: 'Refresh' });
    refresh.type = 'button';
    refresh.onclick = () => void this.showList();
    items.push(el('li', { className: 'entry notice' }, refresh));
    this.deps.list.replaceChildren(...items);
  }

  /** Leaves the inbox altogether (another chat was picked). */
  deactivate(): void {
    this.active = false;
    this.leaveConversation();
    this.deps.bar.root.hidden = true;
  }

  private async openHandoff(handoff: HandoffJson): Promise<void> {
    this.leaveConversation();
    this.open = handoff;
    this.messages = [];
    this.pending = [];
    this.notice = null;
    this.deps.bar.title.textContent = `${handoff.customerName ?? handoff.customerId} · ${handoff.businessName} · ${handoff.conversationId}`;
    this.deps.bar.root.hidden = false;
    this.deps.onComposable(true);
    this.deps.subscribe(handoff.conversationId);
    this.render();
    await this.refresh();
  }

  private leaveConversation(): void {
    if (this.open) this.deps.unsubscribe(this.open.conversationId);
    this.open = null;
  }

  /** Writes into the open conversation as staff (the bridge decides that, not the page). */
  send(text: string): void {
    if (!this.open || text.trim() === '') return;
    const clientMessageId = this.deps.newId('m');
    this.pending.push({ clientMessageId, text, state: 'sending' });
    this.deps.send({ clientMessageId, conversationId: this.open.conversationId, chatType: 'DEDICATED', businessId: this.open.businessId, text });
    this.render();
  }

  owns(clientMessageId: string): boolean {
    return this.pending.some((p) => p.clientMessageId === clientMessageId);
  }

  onAck(clientMessageId: string, eventId: string): void {
    const mine = this.pending.find((p) => p.clientMessageId === clientMessageId);
    if (mine) Object.assign(mine, { state: 'sent', eventId });
    this.render();
  }

  /** An event of the open conversation: once a message is processed, its transcript changed. */
  onEvent(event: OutboundEventJson): void {
    if (event.body.type === 'Reply' || (event.body.type === 'StatusUpdate' && event.body.status !== 'RECEIVED')) void this.refresh();
  }

  /** Handles an error about the open conversation or a message of ours; false when it is about neither. */
  onError(error: ServerError): boolean {
    const mine = error.ref ? this.pending.find((p) => p.clientMessageId === error.ref) : undefined;
    if (mine && error.code !== 'UNAVAILABLE' && error.code !== 'RATE_LIMITED') {
      Object.assign(mine, { state: 'refused', error: error.message });
      this.render();
      return true;
    }
    if (this.open && error.ref === this.open.conversationId) {
      if (error.code === 'FORBIDDEN') {
        // The hand-off closed (by us or someone else), or our access ended: stop following it.
        this.deps.unsubscribe(this.open.conversationId);
        this.open = null;
        void this.showList(`The conversation is no longer handed off to you (${error.message}).`);
      } else {
        this.notice = `${error.code}: ${error.message}`;
        this.render();
      }
      return true;
    }
    return Boolean(mine);
  }

  /** Reads the transcript again; calls made while one read runs are folded into one more. */
  private async refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    const open = this.open;
    if (!open) return;
    this.refreshing = (async () => {
      try {
        const { messages } = await this.deps.api<{ messages: TranscriptMessageJson[] }>(`/api/transcript?conversationId=${encodeURIComponent(open.conversationId)}`);
        if (this.open !== open) return;
        this.messages = messages;
        const seen = new Set(messages.map((m) => m.eventId));
        this.pending = this.pending.filter((p) => !p.eventId || !seen.has(p.eventId));
      } catch (error) {
        if (this.open === open) this.notice = `Cannot load the conversation: ${(error as Error).message}`;
      } finally {
        this.refreshing = null;
      }
      this.render();
      if (this.refreshAgain) {
        this.refreshAgain = false;
        await this.refresh();
      }
    })();
    return this.refreshing;
  }

  private render(): void {
    if (!this.open) return;
    const { el, time } = this.deps;
    const me = `staff:${this.deps.userId()}`;
    const items: HTMLElement[] = [];
    for (const m of this.messages) {
      let li: HTMLElement;
      if (m.role === 'user') {
        li = el('li', { className: 'entry customer' }, el('div', { className: 'text', text: m.text }), el('div', { className: 'meta', text: `customer · ${time(m.createdAt)}` }));
      } else if (m.agent === me) {
        li = el('li', { className: 'entry user sent' }, el('div', { className: 'text', text: m.text }), el('div', { className: 'meta', text: `you · ${time(m.createdAt)}` }));
      } else {
        const person = m.agent?.startsWith('staff:') ?? false;
        li = el('li', { className: `entry reply${person ? ' person' : ''}` }, el('div', { className: 'text', text: m.text }),
          el('div', { className: 'meta', text: `${person ? `${m.agent!.slice('staff:'.length)} (staff)` : m.agent ?? 'assistant'} · ${time(m.createdAt)}` }));
      }
      li.dataset.eventId = m.eventId;
      items.push(li);
    }
    for (const p of this.pending) {
      const meta = p.state === 'refused' ? `not sent: ${p.error ?? ''}` : p.state === 'sending' ? 'sending…' : 'sent';
      const li = el('li', { className: `entry user ${p.state}` }, el('div', { className: 'text', text: p.text }), el('div', { className: 'meta', text: meta }));
      li.dataset.clientMessageId = p.clientMessageId;
      items.push(li);
    }
    if (this.notice) items.push(el('li', { className: 'entry notice', text: this.notice }));
    this.deps.list.replaceChildren(...items);
    this.deps.list.lastElementChild?.scrollIntoView({ block: 'end' });
  }
}

// The page's connection to the bridge (/v1/stream): reconnects by itself and
// resumes every conversation from its last cursor, which it keeps in
// localStorage so a reload resumes too. Messages not yet acknowledged are sent
// again after a reconnect with the same clientMessageId; the bridge gives the
// retry the same eventId, so nothing is processed twice.

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface OutboundEventJson {
  eventId: string;
  conversationId: string;
  chatType: string;
  causationId: string | null;
  producedAt: string;
  body:
    | { type: 'StatusUpdate'; status: string; detail: string | null }
    | { type: 'Reply'; text: string; agent: string; cards: CardJson[]; suggestions: string[] }
    | { type: 'WorkflowUpdate'; workflowId: string; workflowType: string; status: string; detail: string | null }
    | { type: 'ErrorNotice'; code: string; message: string; field: string | null };
}

export interface CardJson {
  kind: string;
  title: string;
  subtitle: string | null;
  businessId: string | null;
  fields: Record<string, string>;
}

export interface OutgoingMessage {
  clientMessageId: string;
  conversationId: string;
  chatType: string;
  businessId: string | null;
  text: string;
  location?: { lat: number; lon: number } | null;
}

export interface ServerError {
  code: string;
  message: string;
  ref?: string;
  field?: string;
}

export interface ClientHandlers {
  onState(state: ConnectionState, detail?: string): void;
  onEvent(conversationId: string, event: OutboundEventJson, cursor: string): void;
  onAck(clientMessageId: string, eventId: string): void;
  onError(error: ServerError): void;
  onSubscribed(conversationId: string, replayed: number): void;
  /** The kept history no longer reaches back to our cursor: events were missed. */
  onGap(conversationId: string): void;
  /** A connection attempt failed before it opened (bridge down, or the token refused). */
  onConnectFailed(): void;
}

const CURSOR_KEY = 'x7.cursor.';

export class StreamClient {
  private ws: WebSocket | null = null;
  private readonly conversations = new Set<string>();
  private readonly unacked = new Map<string, OutgoingMessage>();
  private attempt = 0;
  private timer: number | undefined;
  private pinger: number | undefined;
  private stopped = false;

  constructor(private readonly token: string, private readonly handlers: ClientHandlers) {}

  static cursorOf(conversationId: string): string | null {
    return localStorage.getItem(CURSOR_KEY + conversationId);
  }

  static forgetCursor(conversationId: string): void {
    localStorage.removeItem(CURSOR_KEY + conversationId);
  }

  connect(): void {
    this.stopped = false;
    this.handlers.onState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/v1/stream?access_token=${encodeURIComponent(this.token)}`);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.handlers.onState('open');
      for (const conversationId of this.conversations) this.sendSubscribe(conversationId);
      for (const message of this.unacked.values()) this.sendRaw({ type: 'message', ...message });
      this.pinger = window.setInterval(() => this.sendRaw({ type: 'ping' }), 20_000);
    };
    ws.onmessage = (e) => this.onFrame(String(e.data));
    ws.onclose = (e) => {
      window.clearInterval(this.pinger);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return this.handlers.onState('closed');
      if (e.code === 4001) return this.handlers.onState('unauthorized', 'token expired');
      // A refused upgrade (401) looks like any failed connection (1006) to a page;
      // the app asks the HTTP API whether the token is still good.
      if (!opened) this.handlers.onConnectFailed();
      this.scheduleReconnect();
    };
  }

  close(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.ws?.close(1000, 'bye');
  }

  /** Follows a conversation, now and after every reconnect. */
  subscribe(conversationId: string): void {
    this.conversations.add(conversationId);
    if (this.ws?.readyState === WebSocket.OPEN) this.sendSubscribe(conversationId);
  }

  unsubscribe(conversationId: string): void {
    this.conversations.delete(conversationId);
    this.sendRaw({ type: 'unsubscribe', conversationId });
  }

  /** Sends now if connected, else on the next connection; kept until acknowledged. */
  send(message: OutgoingMessage): void {
    this.unacked.set(message.clientMessageId, message);
    this.sendRaw({ type: 'message', ...message });
  }

  private sendSubscribe(conversationId: string): void {
    const since = StreamClient.cursorOf(conversationId);
    this.sendRaw(since ? { type: 'subscribe', conversationId, since } : { type: 'subscribe', conversationId });
  }

  private sendRaw(frame: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private scheduleReconnect(): void {
    this.attempt++;
    // Exponential backoff with jitter, capped at 15 s: a restarting bridge is not stampeded.
    const ceiling = Math.min(15_000, 500 * 2 ** Math.min(this.attempt - 1, 5));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.handlers.onState('reconnecting', `retrying in ${Math.round(delay / 1000)} s`);
    this.timer = window.setTimeout(() => this.connect(), delay);
  }

  private onFrame(text: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'event': {
        const conversationId = frame.conversationId as string;
        const cursor = frame.cursor as string;
        localStorage.setItem(CURSOR_KEY + conversationId, cursor);
        this.handlers.onEvent(conversationId, frame.event as OutboundEventJson, cursor);
        break;
      }
      case 'ack':
        this.unacked.delete(frame.clientMessageId as string);
        this.handlers.onAck(frame.clientMessageId as string, frame.eventId as string);
        break;
      case 'subscribed':
        this.handlers.onSubscribed(frame.conversationId as string, frame.replayed as number);
        break;
      case 'error': {
        const error = frame as unknown as ServerError;
        if (error.code === 'HISTORY_GAP' && error.ref) {
          // Start over from what the bridge still keeps; the page says events were missed.
          StreamClient.forgetCursor(error.ref);
          this.handlers.onGap(error.ref);
          if (this.conversations.has(error.ref)) this.sendSubscribe(error.ref);
          break;
        }
        const retry = error.ref ? this.unacked.get(error.ref) : undefined;
        if (retry && (error.code === 'UNAVAILABLE' || error.code === 'RATE_LIMITED')) {
          // Not refused, just not now: send it again later, under the same clientMessageId.
          const wait = typeof frame.retryAfterMs === 'number' ? frame.retryAfterMs : 2_000;
          window.setTimeout(() => this.unacked.has(retry.clientMessageId) && this.sendRaw({ type: 'message', ...retry }), wait);
        } else if (error.ref) {
          // A refused message is final (it would be refused again): stop resending it.
          this.unacked.delete(error.ref);
        }
        this.handlers.onError(error);
        break;
      }
    }
  }
}

// What a chaos run watches while it breaks things: the processors' committed offsets
// (when each partition last moved, for the stall figures), who holds which partition
// (so a kill knows what it stalls), and WebSocket clients that resume by cursor after
// their bridge dies.
import WebSocket from 'ws';
import { createKafka, describeGroup, now, signToken, sleep } from '../bench/lib.js';

/** Polls the group's committed offsets every `everyMs`; records when each partition advanced. */
export class CommitWatcher {
  constructor(config, groupId, topic, everyMs = 250) {
    Object.assign(this, { config, groupId, topic, everyMs });
    this.committed = new Map(); // partition → last committed offset seen
    this.advances = new Map(); // partition → [[ms, offset]] each time it was seen to advance
    this.errors = 0;
    this.running = false;
  }

  async start() {
    this.admin = createKafka(this.config, 'chaos-watch').admin();
    await this.admin.connect();
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.poll().catch(() => { this.errors += 1; });
        await sleep(this.everyMs);
      }
    })();
  }

  async poll() {
    const [entry] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    const t = Date.now();
    for (const { partition, offset } of entry?.partitions ?? []) {
      const value = Number(offset);
      if (value < 0) continue;
      const before = this.committed.get(partition);
      if (before === undefined || value > before) {
        if (before !== undefined) {
          if (!this.advances.has(partition)) this.advances.set(partition, []);
          this.advances.get(partition).push([t, value]);
        }
        this.committed.set(partition, value);
      }
    }
  }

  /** Partitions of the topic held by the group member whose client id starts with `clientIdPrefix`. */
  async partitionsOf(clientIdPrefix) {
    const group = await describeGroup(this.admin, this.groupId, this.topic);
    return group.members.filter((m) => m.clientId.startsWith(clientIdPrefix)).flatMap((m) => m.partitions ?? []);
  }

  /** Partitions whose committed offset is behind the end of the topic (read committed). */
  async behind() {
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    await this.poll();
    return ends.filter((e) => (this.committed.get(e.partition) ?? 0) < Number(e.high)).map((e) => ({
      partition: e.partition, committed: this.committed.get(e.partition) ?? 0, end: Number(e.high),
    }));
  }

  async stop() {
    this.running = false;
    await this.loop;
    await this.admin?.disconnect();
  }
}

/**
 * A WebSocket user following one conversation. It keeps every event it is given, and
 * when its socket closes it reconnects and subscribes again from its last cursor, as
 * the protocol tells a client to.
 */
export class ResumingClient {
  constructor({ url, secret, userId, conversationId, log }) {
    Object.assign(this, { url, secret, userId, conversationId, log });
    this.received = [];
    this.cursor = null;
    this.reconnects = 0;
    this.historyGaps = 0;
    this.unavailable = 0;
    this.errors = [];
    this.closed = false;
  }

  async start() {
    this.token = await signToken(this.secret, this.userId, 7200);
    this.connect();
  }

  connect() {
    if (this.closed) return;
    const ws = new WebSocket(`${this.url}?access_token=${encodeURIComponent(this.token)}`);
    this.ws = ws;
    const subscribe = () => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'subscribe', conversationId: this.conversationId, ...(this.cursor ? { since: this.cursor } : {}) }));
    };
    ws.on('open', subscribe);
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'event' && frame.conversationId === this.conversationId) {
        this.received.push(frame.event.eventId);
        this.cursor = frame.cursor;
        this.lastEventAt = now();
      } else if (frame.type === 'error') {
        if (frame.code === 'HISTORY_GAP') this.historyGaps += 1;
        // The bridge could not serve the subscription (Redis or PostgreSQL away): ask again, as the protocol says.
        if (frame.code === 'UNAVAILABLE') { this.unavailable += 1; setTimeout(subscribe, 1_000); }
        if (this.errors.length < 10) this.errors.push(`${frame.code}: ${frame.message}`);
      }
    });
    ws.on('error', () => undefined); // 'close' follows and reconnects
    ws.on('close', () => {
      if (this.closed) return;
      this.reconnects += 1;
      setTimeout(() => this.connect(), 300 + Math.floor(Math.random() * 700));
    });
  }

  async stop() {
    this.closed = true;
    this.ws?.terminate();
  }
}

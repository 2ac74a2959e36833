// The verdict of a chaos run, from what users and consumers saw: pure functions over
// the records read back (read_committed) and the database rows, so a unit test can
// drive them with hand-made evidence (test/unit/chaos-verify.test.ts).
//
// Per inbound eventId the contract is exactly one terminal status, one Reply, one
// analytics fact and one stored user message; per conversation the replies come in the
// order the messages were sent; per booking conversation one live booking with one live
// reservation workflow; per WebSocket client the conversation's events, each once, in
// topic order.

const TERMINAL = new Set(['DONE', 'FAILED']);
const LIVE_BOOKING = new Set(['pending', 'confirmed']);
const LIVE_WORKFLOW = new Set(['STARTED', 'CONFIRMED', 'REMINDER_SENT']);

/**
 * @param {object} evidence
 * @param {{eventId: string, conversationId: string, resent: boolean}[]} evidence.sent  in send order
 * @param {{eventId: string, conversationId: string, causationId: string|null, kind: string, status?: string}[]} evidence.outbound  in offset order per partition
 * @param {{eventId: string, inboundEventId: string}[]} evidence.analytics
 * @param {string[]} evidence.storedMessages  event ids of the user messages in the database
 * @param {number} evidence.dlq  records on the DLQ topic
 * @param {{conversationId: string, status: string, workflowId: string|null}[]} evidence.bookings
 * @param {{workflowId: string, conversationId: string|null, status: string, workflowType: string}[]} evidence.workflowRuns
 * @param {string[]} evidence.bookingConversations
 * @param {{conversationId: string, received: string[]}[]} evidence.clients  outbound eventIds each client was given, in order
 */
export function verify(evidence) {
  const problems = [];
  const note = (kind, detail) => { if (problems.length < 50) problems.push(`${kind}: ${detail}`); };

  const byInbound = new Map(evidence.sent.map((s) => [s.eventId, { terminal: new Set(), reply: new Set(), facts: new Set(), copies: 0 }]));
  const resent = new Set(evidence.sent.filter((s) => s.resent).map((s) => s.eventId));
  const seenOutbound = new Set();
  let redelivered = 0;
  for (const e of evidence.outbound) {
    const entry = e.causationId ? byInbound.get(e.causationId) : undefined;
    if (seenOutbound.has(e.eventId)) {
      // The same outbound event twice: only acceptable as the answer to a message its
      // producer had to send again (the processor returns the stored outputs).
      if (entry && resent.has(e.causationId)) redelivered += 1;
      else if (entry) entry.copies += 1;
      continue;
    }
    seenOutbound.add(e.eventId);
    if (!entry) continue;
    if (e.kind === 'StatusUpdate' && TERMINAL.has(e.status)) entry.terminal.add(e.eventId);
    if (e.kind === 'Reply') entry.reply.add(e.eventId);
  }
  for (const f of evidence.analytics) byInbound.get(f.inboundEventId)?.facts.add(f.eventId);
  const stored = countBy(evidence.storedMessages, (id) => id);

  let lost = 0;
  let duplicated = 0;
  for (const [eventId, entry] of byInbound) {
    const counts = { 'terminal status': entry.terminal.size, reply: entry.reply.size, 'analytics fact': entry.facts.size, 'stored message': stored.get(eventId) ?? 0 };
    const missing = Object.entries(counts).filter(([, n]) => n === 0).map(([what]) => what);
    const extra = Object.entries(counts).filter(([, n]) => n > 1).map(([what, n]) => `${n} × ${what}`);
    if (entry.copies > 0) extra.push(`${entry.copies} repeated outbound record(s)`);
    if (missing.length > 0) { lost += 1; note('lost', `${eventId} has no ${missing.join(', no ')}`); }
    if (extra.length > 0) { duplicated += 1; note('duplicated', `${eventId} has ${extra.join(', ')}`); }
  }

  // Order: the replies of a conversation name their messages in the order they were sent.
  const sentOrder = new Map(evidence.sent.map((s, i) => [s.eventId, i]));
  const lastReplyIndex = new Map();
  const counted = new Set();
  let outOfOrder = 0;
  for (const e of evidence.outbound) {
    if (e.kind !== 'Reply' || !e.causationId || !sentOrder.has(e.causationId) || counted.has(e.eventId)) continue;
    counted.add(e.eventId);
    const index = sentOrder.get(e.causationId);
    const before = lastReplyIndex.get(e.conversationId) ?? -1;
    if (index < before) { outOfOrder += 1; note('out of order', `${e.conversationId}: reply to message #${index} after the reply to #${before}`); }
    lastReplyIndex.set(e.conversationId, Math.max(before, index));
  }

  // Bookings: one live booking and one live reservation workflow per booking conversation.
  const liveBookings = countBy(evidence.bookings.filter((b) => LIVE_BOOKING.has(b.status)), (b) => b.conversationId);
  const liveWorkflows = countBy(evidence.workflowRuns.filter((w) => w.workflowType === 'RESERVATION' && LIVE_WORKFLOW.has(w.status)), (w) => w.conversationId);
  const runsById = new Map(evidence.workflowRuns.map((w) => [w.workflowId, w]));
  let bookingProblems = 0;
  let booked = 0;
  for (const conversationId of evidence.bookingConversations) {
    const bookings = liveBookings.get(conversationId) ?? 0;
    const workflows = liveWorkflows.get(conversationId) ?? 0;
    if (bookings === 1) booked += 1;
    if (bookings > 1 || workflows !== bookings) {
      bookingProblems += 1;
      note('booking', `${conversationId}: ${bookings} live booking(s), ${workflows} live reservation workflow(s)`);
    }
  }
  for (const b of evidence.bookings.filter((x) => LIVE_BOOKING.has(x.status))) {
    const run = b.workflowId ? runsById.get(b.workflowId) : undefined;
    if (!run || !LIVE_WORKFLOW.has(run.status)) {
      bookingProblems += 1;
      note('booking', `${b.conversationId}: live booking whose workflow ${b.workflowId} is ${run?.status ?? 'unknown'}`);
    }
  }

  // WebSocket clients: everything of their conversation on the topic, once each, in order.
  const topicEvents = new Map();
  const topicSeen = new Set();
  for (const e of evidence.outbound) {
    if (topicSeen.has(e.eventId)) continue;
    topicSeen.add(e.eventId);
    if (!topicEvents.has(e.conversationId)) topicEvents.set(e.conversationId, []);
    topicEvents.get(e.conversationId).push(e.eventId);
  }
  let clientGaps = 0;
  let clientDuplicates = 0;
  let clientOutOfOrder = 0;
  for (const client of evidence.clients) {
    const expected = topicEvents.get(client.conversationId) ?? [];
    const given = countBy(client.received, (id) => id);
    const missing = expected.filter((id) => !given.has(id)).length;
    const repeated = [...given.values()].filter((n) => n > 1).length;
    const position = new Map(expected.map((id, i) => [id, i]));
    const order = client.received.filter((id, i) => i > 0 && (position.get(id) ?? 0) < (position.get(client.received[i - 1]) ?? 0)).length;
    if (missing > 0) { clientGaps += 1; note('client gap', `${client.conversationId}: ${missing} of ${expected.length} events never given`); }
    if (repeated > 0) { clientDuplicates += 1; note('client duplicate', `${client.conversationId}: ${repeated} events given twice`); }
    if (order > 0) { clientOutOfOrder += 1; note('client order', `${client.conversationId}: ${order} events out of order`); }
  }

  return {
    messages: evidence.sent.length,
    resent: resent.size,
    redelivered,
    lost,
    duplicated,
    outOfOrder,
    deadLettered: evidence.dlq,
    bookingConversations: evidence.bookingConversations.length,
    booked,
    bookingProblems,
    clients: evidence.clients.length,
    clientGaps,
    clientDuplicates,
    clientOutOfOrder,
    problems,
  };
}

/** Whether a verdict (plus the stalled-partition count) lets the run pass. */
export function failures(verdict, stalledPartitions) {
  const fails = [];
  if (verdict.lost) fails.push(`${verdict.lost} lost`);
  if (verdict.duplicated) fails.push(`${verdict.duplicated} duplicated`);
  if (verdict.outOfOrder) fails.push(`${verdict.outOfOrder} out of order`);
  if (verdict.deadLettered) fails.push(`${verdict.deadLettered} dead-lettered`);
  if (verdict.bookingProblems) fails.push(`${verdict.bookingProblems} booking problems`);
  if (verdict.clientGaps || verdict.clientDuplicates || verdict.clientOutOfOrder) {
    fails.push(`WebSocket clients: ${verdict.clientGaps} with gaps, ${verdict.clientDuplicates} with duplicates, ${verdict.clientOutOfOrder} out of order`);
  }
  if (stalledPartitions) fails.push(`${stalledPartitions} stalled partitions`);
  return fails;
}

/**
 * Stall per (kill, partition the killed process held): seconds from the kill until
 * that partition's committed offset moves again. `kills` carry the committed offset of
 * each of their partitions at the kill; `advances` is, per partition, [ms, offset] each
 * time its committed offset was seen to move. A partition that had nothing left to commit
 * (its offset at the end is the one it had at the kill) is idle, not stalled.
 */
export function stalls(kills, advances, finalCommitted) {
  const out = [];
  for (const kill of kills) {
    for (const partition of kill.partitions) {
      const next = (advances.get(partition) ?? []).find(([t]) => t > kill.at);
      if (next === undefined && finalCommitted.get(partition) === kill.committed[partition]) continue;
      out.push({ kill: kill.label, partition, seconds: next === undefined ? null : (next[0] - kill.at) / 1000 });
    }
  }
  const measured = out.map((s) => s.seconds).filter((s) => s !== null).sort((a, b) => a - b);
  return {
    samples: out,
    longest: measured.length ? measured[measured.length - 1] : null,
    median: measured.length ? measured[Math.floor((measured.length - 1) / 2)] : null,
    unrecovered: out.filter((s) => s.seconds === null).length,
  };
}

/**
 * What users waited for replies around each fault: for the messages sent from the fault
 * until the next one (at most `windowMs`), seconds from the send being acknowledged to
 * their Reply being appended to chat.outbound (the record's timestamp), longest and
 * median. `quiet` is the same for the messages sent before the first fault.
 */
export function replyWaits(sent, outbound, faults, windowMs = 60_000) {
  const replyAt = new Map();
  for (const e of outbound) if (e.kind === 'Reply' && e.causationId && !replyAt.has(e.causationId)) replyAt.set(e.causationId, e.timestamp);
  const waits = sent.filter((s) => s.at !== undefined && replyAt.has(s.eventId)).map((s) => ({ at: s.at, seconds: (replyAt.get(s.eventId) - s.at) / 1000 }));
  const summary = (list) => {
    const sorted = list.map((w) => w.seconds).sort((a, b) => a - b);
    return { messages: sorted.length, longestSeconds: sorted.at(-1) ?? null, medianSeconds: sorted[Math.floor((sorted.length - 1) / 2)] ?? null };
  };
  const ordered = [...faults].sort((a, b) => a.at - b.at);
  const firstFault = ordered[0]?.at ?? Infinity;
  return {
    perFault: ordered.map((f, i) => {
      const until = Math.min(f.at + windowMs, ordered[i + 1]?.at ?? Infinity);
      return { fault: f.fault, at: f.at, windowSeconds: (until - f.at) / 1000, ...summary(waits.filter((w) => w.at >= f.at && w.at < until)) };
    }),
    quiet: summary(waits.filter((w) => w.at < firstFault)),
  };
}

function countBy(items, key) {
  const counts = new Map();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

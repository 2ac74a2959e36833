// The chaos run's verdict must see what it claims to: each kind of damage, made by hand,
// is counted, and clean evidence passes.
import { describe, expect, it } from 'vitest';
import { failures, replyWaits, stalls, verify } from '../../chaos/verify.js';

type Outbound = { eventId: string; conversationId: string; causationId: string | null; kind: string; status?: string };

function cleanEvidence() {
  const sent = [
    { eventId: 'm1', conversationId: 'c1', resent: false },
    { eventId: 'm2', conversationId: 'c1', resent: false },
    { eventId: 'm3', conversationId: 'c2', resent: false },
  ];
  const outbound: Outbound[] = sent.flatMap((s) => [
    { eventId: `${s.eventId}-status`, conversationId: s.conversationId, causationId: s.eventId, kind: 'StatusUpdate', status: 'DONE' },
    { eventId: `${s.eventId}-reply`, conversationId: s.conversationId, causationId: s.eventId, kind: 'Reply' },
  ]);
  return {
    sent,
    outbound,
    analytics: sent.map((s) => ({ eventId: `${s.eventId}-fact`, inboundEventId: s.eventId })),
    storedMessages: sent.map((s) => s.eventId),
    dlq: 0,
    bookings: [{ conversationId: 'c1', status: 'cancelled', workflowId: 'w0' }, { conversationId: 'c1', status: 'pending', workflowId: 'w1' }],
    workflowRuns: [
      { workflowId: 'w0', conversationId: 'c1', status: 'CANCELLED', workflowType: 'RESERVATION' },
      { workflowId: 'w1', conversationId: 'c1', status: 'STARTED', workflowType: 'RESERVATION' },
    ],
    bookingConversations: ['c1'],
    clients: [{ conversationId: 'c1', received: outbound.filter((e) => e.conversationId === 'c1').map((e) => e.eventId) }],
  };
}

describe('chaos verdict', () => {
  it('passes clean evidence', () => {
    const verdict = verify(cleanEvidence());
    expect(verdict).toMatchObject({ messages: 3, lost: 0, duplicated: 0, outOfOrder: 0, booked: 1, bookingProblems: 0, clientGaps: 0 });
    expect(failures(verdict, 0)).toEqual([]);
  });

  it('counts a message without its reply, fact or stored row as lost', () => {
    const e = cleanEvidence();
    e.outbound = e.outbound.filter((x) => x.eventId !== 'm2-reply');
    e.storedMessages = ['m1', 'm2'];
    const verdict = verify(e);
    expect(verdict.lost).toBe(2);
    expect(verdict.problems.join('\n')).toMatch(/m2 has no reply/);
    expect(verdict.problems.join('\n')).toMatch(/m3 has no stored message/);
  });

  it('counts a second reply or a repeated record as duplicated, unless the message was sent again', () => {
    const e = cleanEvidence();
    e.outbound.push({ eventId: 'm1-reply-2', conversationId: 'c1', causationId: 'm1', kind: 'Reply' });
    e.outbound.push({ eventId: 'm3-reply', conversationId: 'c2', causationId: 'm3', kind: 'Reply' });
    expect(verify(e).duplicated).toBe(2);
    e.sent[2].resent = true;
    const verdict = verify(e);
    expect(verdict.duplicated).toBe(1);
    expect(verdict.redelivered).toBe(1);
  });

  it('counts replies of one conversation in another order than sent', () => {
    const e = cleanEvidence();
    const [s1, r1, s2, r2] = e.outbound;
    e.outbound = [s2, r2, s1, r1, ...e.outbound.slice(4)];
    expect(verify(e).outOfOrder).toBe(1);
  });

  it('counts two live bookings, or a live booking without its workflow', () => {
    const e = cleanEvidence();
    e.bookings.push({ conversationId: 'c1', status: 'confirmed', workflowId: 'w2' });
    const verdict = verify(e);
    expect(verdict.bookingProblems).toBe(2);
    expect(failures(verdict, 0)).toContain('2 booking problems');
  });

  it('counts a client that missed, repeated or reordered events', () => {
    const e = cleanEvidence();
    const given = e.clients[0].received;
    e.clients = [
      { conversationId: 'c1', received: given.slice(1) },
      { conversationId: 'c1', received: [...given, given[0]] },
      { conversationId: 'c1', received: [given[1], given[0], ...given.slice(2)] },
    ];
    expect(verify(e)).toMatchObject({ clientGaps: 1, clientDuplicates: 1, clientOutOfOrder: 2 });
  });

  it('measures the stall until each partition of a killed process commits again, and skips idle ones', () => {
    const kills = [{ label: 'processor-a #1', at: 1_000, partitions: [0, 1, 2], committed: { 0: 10, 1: 5, 2: 7 } }];
    const advances = new Map([[0, [[900, 10], [7_500, 12]]], [1, [[9_000, 6]]]]);
    const result = stalls(kills, advances, new Map([[0, 12], [1, 6], [2, 7]]));
    expect(result.samples).toEqual([
      { kill: 'processor-a #1', partition: 0, seconds: 6.5 },
      { kill: 'processor-a #1', partition: 1, seconds: 8 },
    ]);
    expect(result).toMatchObject({ longest: 8, median: 6.5, unrecovered: 0 });
    const stuck = stalls(kills, new Map(), new Map([[0, 10], [1, 5], [2, 9]]));
    expect(stuck.unrecovered).toBe(1);
  });

  it('reports how long replies took for messages sent after each fault until the next, and before all of them', () => {
    const sent = [
      { eventId: 'm1', conversationId: 'c', resent: false, at: 1_000 },
      { eventId: 'm2', conversationId: 'c', resent: false, at: 50_000 },
      { eventId: 'm3', conversationId: 'c', resent: false, at: 52_000 },
      { eventId: 'm4', conversationId: 'c', resent: false, at: 53_000 },
      { eventId: 'm5', conversationId: 'c', resent: false, at: 60_000 },
    ];
    const reply = (id: string, timestamp: number) => ({ eventId: `${id}-r`, conversationId: 'c', causationId: id, kind: 'Reply', timestamp });
    const outbound = [reply('m1', 1_050), reply('m2', 58_000), reply('m3', 58_100), reply('m4', 58_200), reply('m5', 60_020)];
    const waits = replyWaits(sent, outbound, [{ fault: 'redis down', at: 59_000 }, { fault: 'kill -9 processor-a', at: 49_000 }]);
    expect(waits.perFault).toEqual([
      { fault: 'kill -9 processor-a', at: 49_000, windowSeconds: 10, messages: 3, longestSeconds: 8, medianSeconds: 6.1 },
      { fault: 'redis down', at: 59_000, windowSeconds: 60, messages: 1, longestSeconds: 0.02, medianSeconds: 0.02 },
    ]);
    expect(waits.quiet).toEqual({ messages: 1, longestSeconds: 0.05, medianSeconds: 0.05 });
  });
});

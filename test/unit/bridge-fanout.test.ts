import { describe, expect, it } from 'vitest';
import { FanOut, Subscription } from '../../src/bridge/fanout.js';
import { recover, type HistoryEntry } from '../../src/bridge/history.js';

const entry = (offset: number, partition = 2): HistoryEntry => ({ cursor: { partition, offset }, eventJson: `{"n":${offset}}` });
const offsetsSent = (frames: string[]) => frames.map((f) => JSON.parse(f).event.n as number);

describe('history recovery (pure)', () => {
  const meta = { partition: 2, floor: 10 };
  it('replays everything without since, and what follows since with it', () => {
    expect(recover(null, meta, [entry(11), entry(14)])).toEqual({ ok: true, entries: [entry(11), entry(14)] });
    expect(recover({ partition: 2, offset: 11 }, meta, [entry(11), entry(14)])).toEqual({ ok: true, entries: [entry(14)] });
    expect(recover({ partition: 2, offset: 10 }, meta, [entry(11)])).toEqual({ ok: true, entries: [entry(11)] });
    expect(recover({ partition: 2, offset: 14 }, meta, [])).toEqual({ ok: true, entries: [] });
  });
  it('reports a gap rather than skipping events silently', () => {
    expect(recover({ partition: 2, offset: 9 }, meta, [entry(11)])).toMatchObject({ ok: false });
    expect(recover({ partition: 3, offset: 50 }, meta, [entry(11)])).toMatchObject({ ok: false });
    expect(recover({ partition: 2, offset: 50 }, null, [])).toMatchObject({ ok: false });
    expect(recover(null, null, [])).toEqual({ ok: true, entries: [] });
  });
});

describe('subscription hand-over from history to live', () => {
  it('queues live events during recovery and sends each event once, in order', () => {
    const frames: string[] = [];
    const fanout = new FanOut();
    const subscription = new Subscription('c', (f) => frames.push(f), { partition: 2, offset: 3 });
    fanout.add(subscription);
    // Live events arrive while the history is being read; some overlap with it.
    fanout.publish('c', entry(6));
    fanout.publish('c', entry(7));
    expect(frames).toEqual([]);
    expect(subscription.completeRecovery([entry(4), entry(5), entry(6)])).toBe(4);
    fanout.publish('c', entry(7)); // a consumer's redelivery
    fanout.publish('c', entry(8));
    fanout.publish('other', entry(9));
    expect(offsetsSent(frames)).toEqual([4, 5, 6, 7, 8]);
    expect(JSON.parse(frames[0]!)).toMatchObject({ type: 'event', conversationId: 'c', cursor: '2-4' });
    expect(subscription.cursor()).toBe('2-8');
  });

  it('stops delivering once removed', () => {
    const frames: string[] = [];
    const fanout = new FanOut();
    const subscription = new Subscription('c', (f) => frames.push(f), null);
    fanout.add(subscription);
    subscription.completeRecovery([]);
    fanout.publish('c', entry(1));
    fanout.remove(subscription);
    fanout.publish('c', entry(2));
    expect(offsetsSent(frames)).toEqual([1]);
    expect(fanout.subscriptionCount).toBe(0);
  });
});

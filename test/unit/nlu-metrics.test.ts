// The figures `x7 nlu eval` prints: accuracy, per-intent F1, macro-F1, the confusion
// table and latency percentiles, checked on cases small enough to work out by hand.
import { describe, expect, it } from 'vitest';
import { parseDataset, splitOf } from '../../src/nlu/dataset.js';
import { percentile, scoreIntents } from '../../src/nlu/metrics.js';

const p = (expected: string, predicted: string) => ({ expected, predicted });

describe('scoreIntents', () => {
  it('computes precision, recall and F1 per intent and their unweighted mean', () => {
    // book: 3 expected, 2 found, 1 false alarm → P 2/3, R 2/3, F1 2/3.
    // hours: 1 expected, found → P 1, R 1, F1 1.
    // unknown: never expected, predicted once → P 0, R 0, F1 0 (it still counts in the mean).
    const scores = scoreIntents([p('book', 'book'), p('book', 'book'), p('book', 'unknown'), p('hours', 'hours'), p('thanks', 'book')]);
    const byLabel = Object.fromEntries(scores.labels.map((l) => [l.label, l]));
    expect(byLabel.book).toMatchObject({ support: 3, predicted: 3, truePositives: 2 });
    expect(byLabel.book!.f1).toBeCloseTo(2 / 3, 10);
    expect(byLabel.hours!.f1).toBe(1);
    expect(byLabel.thanks).toMatchObject({ support: 1, predicted: 0, precision: 0, recall: 0, f1: 0 });
    expect(byLabel.unknown).toMatchObject({ support: 0, predicted: 1, f1: 0 });
    expect(scores.accuracy).toBeCloseTo(3 / 5, 10);
    // (2/3 + 1 + 0 + 0) / 4: macro, not weighted by support, and not accuracy.
    expect(scores.macroF1).toBeCloseTo((2 / 3 + 1) / 4, 10);
  });

  it('F1 is the harmonic mean of precision and recall, not the arithmetic one', () => {
    // a: 1 expected of 4 predicted as a → P 1/4, R 1 → F1 0.4 (arithmetic mean would say 0.625).
    const scores = scoreIntents([p('a', 'a'), p('b', 'a'), p('b', 'a'), p('b', 'a')]);
    expect(scores.labels.find((l) => l.label === 'a')!.f1).toBeCloseTo(0.4, 10);
  });

  it('keeps the confusion table by expected, then predicted intent', () => {
    const scores = scoreIntents([p('cancel_booking', 'book'), p('cancel_booking', 'book'), p('cancel_booking', 'cancel_booking')]);
    expect(scores.confusion).toEqual({ cancel_booking: { book: 2, cancel_booking: 1 } });
  });

  it('says 0, not NaN, for no examples', () => {
    expect(scoreIntents([])).toMatchObject({ n: 0, accuracy: 0, macroF1: 0 });
  });
});

describe('percentile', () => {
  it('is a measured value by nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 100];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(100);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('the dataset split', () => {
  it('depends on the text and chat type only, not on line order', () => {
    const a = '{"chat":"DEDICATED","lang":"en","text":"hi","intent":"greeting"}';
    const b = '{"chat":"GLOBAL","lang":"en","text":"barbers near me","intent":"search"}';
    const [first] = parseDataset(`${a}\n${b}`);
    const [, again] = parseDataset(`${b}\n${a}`);
    expect(again!.split).toBe(first!.split);
    expect(first!.split).toBe(splitOf('DEDICATED', 'hi'));
  });

  it('rejects an intent the chat type does not have, with its line', () => {
    expect(() => parseDataset('{"chat":"GLOBAL","lang":"en","text":"cancel B-1","intent":"cancel_booking"}')).toThrow(/line 1: "cancel_booking" is not a GLOBAL intent/);
  });
});

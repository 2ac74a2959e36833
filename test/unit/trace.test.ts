import { describe, expect, it } from 'vitest';
import {
  childSpan,
  continueOrStart,
  formatTraceparent,
  newTrace,
  parseTraceparent,
  traceparentFromHeaders,
  withTraceparent,
} from '../../src/observability/trace.js';

// The examples of the W3C Trace Context recommendation.
const EXAMPLE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** A random source that yields the given hex strings in turn. */
function scripted(...values: string[]) {
  return (bytes: number) => {
    const next = values.shift();
    if (next === undefined) throw new Error('no more values');
    expect(next).toHaveLength(bytes * 2);
    return next;
  };
}

describe('traceparent', () => {
  it('parses and formats the spec example', () => {
    const context = parseTraceparent(EXAMPLE);
    expect(context).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 1 });
    expect(formatTraceparent(context!)).toBe(EXAMPLE);
    expect(parseTraceparent(Buffer.from(EXAMPLE))).toEqual(context);
    expect(formatTraceparent({ ...context!, flags: 0 })).toBe(EXAMPLE.replace(/01$/, '00'));
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['upper-case hex', EXAMPLE.toUpperCase()],
    ['all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['all-zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['version ff', EXAMPLE.replace(/^00/, 'ff')],
    ['extra field in version 00', `${EXAMPLE}-extra`],
    ['bad flags', EXAMPLE.replace(/01$/, 'x1')],
    ['not hex', EXAMPLE.replace('4bf9', 'zzzz')],
  ])('refuses %s', (_, value) => {
    expect(parseTraceparent(value)).toBeNull();
  });

  it('reads a future version by its first four fields', () => {
    expect(parseTraceparent(`cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds`)).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7',
    });
  });

  it('starts a sampled trace with new ids, never all zeros', () => {
    const trace = newTrace(scripted('0'.repeat(32), 'a'.repeat(32), '0'.repeat(16), 'b'.repeat(16)));
    expect(trace).toEqual({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), flags: 1 });
    const random = newTrace();
    expect(formatTraceparent(random)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(newTrace().traceId).not.toBe(random.traceId);
  });

  it('makes a child span in the same trace with the same flags and a new span id', () => {
    const parent = parseTraceparent(EXAMPLE.replace(/01$/, '00'))!;
    const child = childSpan(parent, scripted('00f067aa0ba902b7', '1111111111111111'));
    expect(child).toEqual({ traceId: parent.traceId, spanId: '1111111111111111', flags: 0 });
    expect(childSpan(parent).spanId).not.toBe(parent.spanId);
  });

  it('continues a carrier trace, or starts one when it has none or a bad one', () => {
    expect(continueOrStart(EXAMPLE).traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(continueOrStart(EXAMPLE).spanId).not.toBe('00f067aa0ba902b7');
    expect(continueOrStart('garbage').traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(continueOrStart(null).traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reads and writes Kafka headers', () => {
    expect(traceparentFromHeaders(undefined)).toBeNull();
    expect(traceparentFromHeaders({ other: 'x' })).toBeNull();
    expect(traceparentFromHeaders({ traceparent: Buffer.from(EXAMPLE) })).toBe(EXAMPLE);
    expect(traceparentFromHeaders({ traceparent: ['00-old', EXAMPLE] })).toBe(EXAMPLE);
    const headers = withTraceparent({ 'x7.source': 'bridge', traceparent: 'old' }, parseTraceparent(EXAMPLE)!);
    expect(headers).toEqual({ 'x7.source': 'bridge', traceparent: EXAMPLE });
  });
});

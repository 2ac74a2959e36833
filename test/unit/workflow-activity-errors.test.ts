// Which activity failures Temporal retries (a dependency is down) and which end the
// workflow at once (retrying cannot fix bad input).
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../../src/codec/errors.js';
import { classifyActivityError } from '../../src/workflows/activities.js';
import { InvalidWorkflowInputError } from '../../src/workflows/validate.js';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
const nonRetryable = (e: unknown) => e instanceof ApplicationFailure && e.nonRetryable;

describe('classifyActivityError', () => {
  it('fails fast on bad input', () => {
    expect(nonRetryable(classifyActivityError(new InvalidWorkflowInputError('params.text', 'expected a non-empty string')))).toBe(true);
    expect(nonRetryable(classifyActivityError(new InvalidValueError('chat.outbound', 'userId', ['userId'], 'userId missing')))).toBe(true);
    const fk = classifyActivityError(pgError('23503', 'insert or update on table "announcements" violates foreign key constraint'));
    expect(nonRetryable(fk)).toBe(true);
    expect((fk as ApplicationFailure).type).toBe('InvalidInput');
    expect(nonRetryable(classifyActivityError(pgError('22P02', 'invalid input syntax for type uuid')))).toBe(true);
  });

  it('leaves infrastructure failures to the retry policy', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:54322'), { code: 'ECONNREFUSED' });
    expect(classifyActivityError(refused)).toBe(refused);
    const shutdown = pgError('57P01', 'terminating connection due to administrator command');
    expect(classifyActivityError(shutdown)).toBe(shutdown);
    const kafka = Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    expect(classifyActivityError(kafka)).toBe(kafka);
  });

  it('keeps failures that are already classified', () => {
    const failure = ApplicationFailure.nonRetryable('booking is completed', 'BookingRejected');
    expect(classifyActivityError(failure)).toBe(failure);
  });
});

// Event ids of workflow records are derived, so an activity retry repeats them exactly.
import { describe, expect, it } from 'vitest';
import { workflowEventIds } from '../../src/workflows/event-ids.js';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('workflowEventIds', () => {
  it('is the same for the same change', () => {
    expect(workflowEventIds('reservation-1', 2, 'CONFIRMED')).toEqual(workflowEventIds('reservation-1', 2, 'CONFIRMED'));
  });

  it('gives version-5 UUIDs, different for the two records of one change', () => {
    const ids = workflowEventIds('reservation-1', 1, 'STARTED');
    expect(ids.workflowEventId).toMatch(UUID_V5);
    expect(ids.outboundEventId).toMatch(UUID_V5);
    expect(ids.workflowEventId).not.toBe(ids.outboundEventId);
  });

  it('differs by workflow, sequence and status', () => {
    const base = workflowEventIds('reservation-1', 1, 'STARTED').workflowEventId;
    expect(workflowEventIds('reservation-2', 1, 'STARTED').workflowEventId).not.toBe(base);
    expect(workflowEventIds('reservation-1', 2, 'STARTED').workflowEventId).not.toBe(base);
    expect(workflowEventIds('reservation-1', 1, 'CONFIRMED').workflowEventId).not.toBe(base);
  });
});

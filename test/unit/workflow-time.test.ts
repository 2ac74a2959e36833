// parseCallbackTime and the workflow input checks: pure, no services.
import { describe, expect, it } from 'vitest';
import { InvalidTimeError, parseCallbackTime } from '../../src/workflows/time.js';
import { InvalidWorkflowInputError, validateManagementActionInput, validateVoiceCallbackInput } from '../../src/workflows/validate.js';

describe('parseCallbackTime', () => {
  it('accepts an offset and normalises to UTC', () => {
    const parsed = parseCallbackTime('2026-11-26T18:30:00+00:00');
    expect(parsed.utc).toBe('2026-11-26T18:30:00.000Z');
    expect(parsed.offsetMinutes).toBe(0);
    expect(parseCallbackTime('2026-11-26T19:30:00+01:00').utc).toBe('2026-11-26T18:30:00.000Z');
    expect(parseCallbackTime('2026-11-26T13:00-05:30').utc).toBe('2026-11-26T18:30:00.000Z');
    expect(parseCallbackTime('2026-11-26T18:30:00.250+0000').utc).toBe('2026-11-26T18:30:00.250Z');
  });

  it('accepts Z', () => {
    expect(parseCallbackTime('2026-11-26T18:30:00Z').date.getTime()).toBe(Date.UTC(2026, 10, 26, 18, 30));
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseCallbackTime('2028-02-29T10:00:00Z').utc).toBe('2028-02-29T10:00:00.000Z');
  });

  it('rejects a naive time, naming the missing offset', () => {
    expect(() => parseCallbackTime('2026-11-26T18:30:00')).toThrow(InvalidTimeError);
    expect(() => parseCallbackTime('2026-11-26T18:30:00')).toThrow(/no UTC offset/);
  });

  it('rejects impossible dates instead of rolling them over', () => {
    expect(() => parseCallbackTime('2026-02-30T10:00:00Z')).toThrow(/day 30 does not exist in 2026-02/);
    expect(() => parseCallbackTime('2026-02-29T10:00:00Z')).toThrow(/day 29 does not exist/);
    expect(() => parseCallbackTime('2026-13-01T10:00:00Z')).toThrow(/month 13/);
    expect(() => parseCallbackTime('2026-11-26T24:00:00Z')).toThrow(/hour 24/);
    expect(() => parseCallbackTime('2026-11-26T18:60:00Z')).toThrow(/minute 60/);
    expect(() => parseCallbackTime('2026-11-26T18:30:00+15:00')).toThrow(/offset/);
  });

  it('rejects garbage and non-strings', () => {
    for (const bad of ['tomorrow at 7', '', '2026-11-26', '18:30Z', '2026-11-26 18:30:00Z', '2026-11-26T18:30:00+0', 'NaN']) {
      expect(() => parseCallbackTime(bad), bad).toThrow(InvalidTimeError);
    }
    expect(() => parseCallbackTime(1764181800000)).toThrow(/expected an ISO-8601/);
    expect(() => parseCallbackTime(null)).toThrow(InvalidTimeError);
  });

  it('names the field and rejects the past when asked', () => {
    expect(() => parseCallbackTime('2020-01-01T00:00:00Z', { field: 'startsAt', notBefore: new Date() })).toThrow(/^startsAt .* lies in the past/);
  });
});

describe('workflow input checks', () => {
  const voice = { businessId: 'b-1', conversationId: 'c-1', userId: 'u-1', callbackAt: '2099-01-01T10:00:00+01:00' };

  it('normalises a voice callback time and checks the phone number', () => {
    expect(validateVoiceCallbackInput(voice).callbackAt).toBe('2099-01-01T09:00:00.000Z');
    expect(() => validateVoiceCallbackInput({ ...voice, callbackAt: '2099-01-01T10:00:00' })).toThrow(InvalidWorkflowInputError);
    expect(() => validateVoiceCallbackInput({ ...voice, phone: '0912' })).toThrow(/phone/);
  });

  it('checks management params per action', () => {
    const base = { businessId: 'b-1', userId: 'u-1', conversationId: 'c-1', causationId: null };
    expect(validateManagementActionInput({ ...base, action: 'announcement', params: { text: '  Closed on Monday ' } }).params).toEqual({ text: 'Closed on Monday' });
    expect(() => validateManagementActionInput({ ...base, action: 'reboot', params: {} })).toThrow(/action/);
    expect(() => validateManagementActionInput({ ...base, action: 'cancel_booking', params: { bookingId: 'x' } })).toThrow(/params.bookingId/);
    expect(() => validateManagementActionInput({ ...base, action: 'set_hours', params: { days: [{ weekday: 8, intervals: [] }] } })).toThrow(/weekday/);
    expect(() =>
      validateManagementActionInput({ ...base, action: 'set_hours', params: { days: [{ weekday: 1, intervals: [{ opens: '25:00', closes: '10:00' }] }] } }),
    ).toThrow(/opens/);
  });
});

import { describe, expect, it } from 'vitest';
import { formatRelative, relativeTime } from './format';

const now = Date.parse('2026-11-25T12:00:00Z');

describe('relativeTime', () => {
  it('says how long ago (or ahead) in the largest whole unit', () => {
    expect(relativeTime('2026-11-25T11:59:30Z', now)).toEqual({ value: 0, unit: 'minute' });
    expect(relativeTime('2026-11-25T11:15:00Z', now)).toEqual({ value: -45, unit: 'minute' });
    expect(relativeTime('2026-11-25T09:00:00Z', now)).toEqual({ value: -3, unit: 'hour' });
    expect(relativeTime('2026-11-22T08:00:00Z', now)).toEqual({ value: -3, unit: 'day' });
    expect(relativeTime('2026-11-04T12:00:00Z', now)).toEqual({ value: -3, unit: 'week' });
    expect(relativeTime('2026-08-01T12:00:00Z', now)).toEqual({ value: -3, unit: 'month' });
    expect(relativeTime('2024-11-01T12:00:00Z', now)).toEqual({ value: -2, unit: 'year' });
    expect(relativeTime('2026-11-25T14:00:00Z', now)).toEqual({ value: 2, unit: 'hour' });
    expect(relativeTime('not a date', now)).toBeNull();
  });

  it('words it in the browser’s language', () => {
    const words = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
    expect(formatRelative('2026-11-22T08:00:00Z', now)).toBe(words.format(-3, 'day'));
    expect(formatRelative(null, now)).toBe('—');
  });
});

import { describe, expect, it } from 'vitest';
import { countOf, plural } from './plural';

describe('plural', () => {
  it('takes the singular for one and the plural for every other count', () => {
    expect(plural(1, 'asset')).toBe('asset');
    expect(plural(0, 'asset')).toBe('assets');
    expect(plural(2, 'asset')).toBe('assets');
    expect(plural(1.5, 'month')).toBe('months');
  });

  it('takes an irregular plural when given one', () => {
    expect(plural(1, 'entry', 'entries')).toBe('entry');
    expect(plural(7, 'entry', 'entries')).toBe('entries');
    expect(plural(3, 'person', 'people')).toBe('people');
  });
});

describe('countOf', () => {
  it('writes the count before its noun', () => {
    expect(countOf(1, 'asset')).toBe('1 asset');
    expect(countOf(1, 'event')).toBe('1 event');
    expect(countOf(0, 'event')).toBe('0 events');
    expect(countOf(12, 'discrepancy', 'discrepancies')).toBe('12 discrepancies');
    expect(countOf(1, 'person', 'people')).toBe('1 person');
  });
});

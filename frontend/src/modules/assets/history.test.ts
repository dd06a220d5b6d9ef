import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '@/api/types';
import { describeHistoryEntry, showValue } from './history';

const entry = (action: string, changes: unknown, actorName: string | null = 'Ada'): HistoryEntry => ({
  id: 'e1',
  seq: 1,
  occurred_at: '2026-11-25T11:00:00Z',
  actor: { type: actorName ? 'user' : 'system', id: null, name: actorName },
  action,
  entity_type: 'asset',
  entity_id: 'a1',
  // The document types `changes` as an empty object; the wire carries {field: {from, to}}.
  changes: changes as HistoryEntry['changes'],
  hash: 'h',
});

describe('describeHistoryEntry', () => {
  it('names the holder of a check-out and keeps its note', () => {
    const item = describeHistoryEntry(
      entry('asset.checked_out', {
        status: { from: 'in_stock', to: 'assigned' },
        assigned_employee_id: { from: null, to: 'e-7' },
        employee: { id: 'e-7', name: 'Grace Hopper' },
        note: 'conference',
      }),
    );

    expect(item.title).toBe('Checked out to Grace Hopper');
    expect(item.notes).toEqual(['Note: conference']);
    expect(item.changes).toEqual([{ field: 'status', from: 'in_stock', to: 'assigned' }]);
    expect(item.actor).toBe('Ada');
  });

  it('shows the condition of a check-in and a system actor', () => {
    const item = describeHistoryEntry(entry('asset.checked_in', { condition: 'needs_repair' }, null));

    expect(item.title).toBe('Checked in');
    expect(item.notes).toEqual(['Condition: Needs repair']);
    expect(item.actor).toBe('System');
  });

  it('humanizes actions it does not know and ignores malformed changes', () => {
    const item = describeHistoryEntry(entry('asset.sent_for_repair', ['not', 'an', 'object']));

    expect(item.title).toBe('Sent for repair');
    expect(item.changes).toEqual([]);
  });

  it('shows money and references by their readable form', () => {
    expect(showValue({ amount: '1299.00', currency: 'USD' })).toBe('1299.00 USD');
    expect(showValue({ id: 'x', name: 'Laptops' })).toBe('Laptops');
    expect(showValue(null)).toBe('—');
  });
});

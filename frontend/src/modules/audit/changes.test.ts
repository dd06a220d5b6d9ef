import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatMoney } from '@/locale/format';
import { changeFieldLabel, changeValue, describeChange } from './changes';

const laptops = '0190b7a4-0000-7000-8000-0000000000c1';
const nameOf = (id: string) => (id === laptops ? 'Laptops' : undefined);

describe('describeChange', () => {
  it('words an asset status by its label', () => {
    expect(describeChange('asset', { field: 'status', from: 'in_stock', to: 'in_repair' })).toEqual({
      field: 'status',
      label: 'Status',
      from: 'In stock',
      to: 'In repair',
    });
  });

  it('names fields as the forms do', () => {
    expect(changeFieldLabel('asset', 'serial_number')).toBe('Serial number');
    expect(changeFieldLabel('asset', 'tag')).toBe('Asset tag');
    expect(changeFieldLabel('asset', 'warranty_end')).toBe('Warranty ends');
    expect(changeFieldLabel('asset', 'due_at')).toBe('Due back');
    expect(changeFieldLabel('employee', 'email')).toBe('Work email');
    expect(changeFieldLabel('employee', 'end_date')).toBe('Leaving date');
    expect(changeFieldLabel('category', 'depreciation_months')).toBe('Depreciation (months)');
    expect(changeFieldLabel('model', 'name')).toBe('Model name');
    expect(changeFieldLabel('tenant', 'asset_tag_prefix')).toBe('Asset tag prefix');
  });

  it('spells a field no screen names in plain words', () => {
    expect(changeFieldLabel('location', 'postal_code')).toBe('Postal code');
    expect(changeFieldLabel('sync_run', 'next_attempt_at')).toBe('Next attempt at');
  });

  it('shows catalog records by name, dates and money in the locale, and yes or no', () => {
    expect(describeChange('asset', { field: 'category_id', from: null, to: laptops }, nameOf)).toMatchObject({
      label: 'Category',
      from: '—',
      to: 'Laptops',
    });
    expect(changeValue('asset', 'purchase_date', '2026-01-15')).toBe(formatDate('2026-01-15'));
    expect(changeValue('asset', 'due_at', '2026-12-01T17:00:00Z')).toBe(formatDateTime('2026-12-01T17:00:00Z'));
    expect(changeValue('asset', 'cost', { amount: '1299.00', currency: 'USD' })).toBe(
      formatMoney({ amount: '1299.00', currency: 'USD' }),
    );
    expect(changeValue('tenant', 'mdm_creates_assets', false)).toBe('No');
  });

  it('words the statuses and roles of people and users', () => {
    expect(changeValue('employee', 'status', 'terminated')).toBe('Left');
    expect(changeValue('user', 'role', 'viewer')).toBe('Viewer');
    expect(changeValue('user', 'status', 'disabled')).toBe('Disabled');
  });

  it('keeps a value it has no word for as it came, and an empty one as a dash', () => {
    expect(changeValue('asset', 'status', 'on_the_moon')).toBe('on_the_moon');
    expect(changeValue('asset', 'serial_number', 'C02XYZ')).toBe('C02XYZ');
    expect(changeValue('asset', 'notes', '')).toBe('—');
    expect(changeValue('asset', 'custom_fields', {})).toBe('—');
  });
});

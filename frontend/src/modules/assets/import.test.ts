import { describe, expect, it } from 'vitest';
import { assetsToCsv } from './export';
import { importKeys, mapRecord, normalizeHeader, parseAssetCsv } from './import';

const header = 'tag,name,serial_number,status,purchase_date,cost,currency,supplier,order_number,warranty_end,notes';

describe('parseAssetCsv', () => {
  it('maps every import column to the create body, empty cells to null', () => {
    const parsed = parseAssetCsv(
      `${header}\r\nMON-0001,Dell U2727QE,CN0ABC1,in_stock,2026-02-01,579.00,usd,Dell,PO-1,2029-02-01,"Desk 4, 2nd floor"\r\n`,
    );
    expect(parsed.fileErrors).toEqual([]);
    expect(parsed.ignoredColumns).toEqual([]);
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.rows[0]).toEqual({
      row: 1,
      problems: {},
      body: {
        tag: 'MON-0001',
        name: 'Dell U2727QE',
        serial_number: 'CN0ABC1',
        status: 'in_stock',
        purchase_date: '2026-02-01',
        cost: { amount: '579.00', currency: 'USD' },
        supplier: 'Dell',
        order_number: 'PO-1',
        warranty_end: '2029-02-01',
        notes: 'Desk 4, 2nd floor',
      },
    });
  });

  it('matches headers loosely, in any order, and reports the ones it ignores', () => {
    const parsed = parseAssetCsv('\ufeffName,Serial Number,Colour\nThinkPad X1,PF-123,black\n\n');
    expect(parsed.ignoredColumns).toEqual(['colour']);
    expect(parsed.missingName).toBe(false);
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.rows[0]?.body).toMatchObject({ name: 'ThinkPad X1', serial_number: 'PF-123', tag: null, cost: null });
  });

  it('flags rows the server would refuse, without dropping the others', () => {
    const parsed = parseAssetCsv(
      [
        header,
        ',,,,,,,,,,',
        ',,SER-1,assigned,,,,,,,',
        ',Phone,,sold,31/01/2026,12.345,USD,,,2026-02-30,',
        ',Phone,,,,10,dollars,,,,',
      ].join('\n'),
    );
    // The all-empty line is skipped; the others keep their position.
    expect(parsed.rows.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(Object.keys(parsed.rows[0]?.problems ?? {})).toEqual(['name', 'status']);
    expect(Object.keys(parsed.rows[1]?.problems ?? {}).sort()).toEqual(['cost', 'purchase_date', 'status', 'warranty_end']);
    expect(parsed.rows[2]?.problems).toEqual({ currency: 'Use a three-letter currency code such as USD.' });
  });

  it('reads back what the export writes', () => {
    const csv = assetsToCsv([
      {
        id: 'a1',
        tag: 'LAP-1',
        name: '=HYPERLINK("x")',
        serial_number: null,
        status: 'in_repair',
        category: { id: 'c1', name: 'Laptops' },
        model: null,
        location: null,
        assigned_to: null,
        purchase_date: '2026-01-15',
        cost: { amount: '1999.00', currency: 'EUR' },
        supplier: null,
        order_number: null,
        warranty_end: null,
        custom_fields: {},
        notes: 'line one\nline two',
        device: null,
        depreciation_months: 36,
        book_value: null,
        version: 2,
        created_at: '2026-11-25T10:00:00Z',
        updated_at: '2026-11-25T10:00:00Z',
      },
    ]);
    // The formula is neutralized in the file…
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    const parsed = parseAssetCsv(csv);
    expect(parsed.ignoredColumns).toContain('category');
    // …and restored on import.
    expect(parsed.rows[0]?.body).toMatchObject({
      tag: 'LAP-1',
      name: '=HYPERLINK("x")',
      status: 'in_repair',
      cost: { amount: '1999.00', currency: 'EUR' },
      notes: 'line one\nline two',
    });
    expect(parsed.rows[0]?.problems).toEqual({});
  });

  it('says when there is no name column', () => {
    expect(parseAssetCsv('tag,serial\nA-1,S1\n').missingName).toBe(true);
  });
});

describe('normalizeHeader', () => {
  it('lowercases and joins words with underscores', () => {
    expect(normalizeHeader(' Warranty End ')).toBe('warranty_end');
    expect(normalizeHeader('order-number')).toBe('order_number');
  });
});

describe('importKeys', () => {
  const a = mapRecord({ name: 'Monitor', tag: 'MON-1' }, 1).body;
  const b = mapRecord({ name: 'Phone' }, 2).body;

  it('gives each row a UUID that is the same on every run', () => {
    const first = importKeys([a, b], 'tenant-1');
    const again = importKeys([a, b], 'tenant-1');
    expect(first).toEqual(again);
    for (const key of first) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('does not depend on row order, but on the content and the tenant', () => {
    const [keyA, keyB] = importKeys([a, b], 'tenant-1');
    expect(importKeys([b, a], 'tenant-1')).toEqual([keyB, keyA]);
    expect(importKeys([a], 'tenant-2')[0]).not.toBe(keyA);
    expect(importKeys([{ ...a, notes: 'changed' }], 'tenant-1')[0]).not.toBe(keyA);
  });

  it('keeps identical rows apart, so two equal monitors are two assets', () => {
    const [first, second] = importKeys([b, b], 'tenant-1');
    expect(first).not.toBe(second);
    expect(importKeys([b, b], 'tenant-1')).toEqual([first, second]);
  });
});

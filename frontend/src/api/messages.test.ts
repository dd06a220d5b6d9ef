import { describe, expect, it } from 'vitest';
import { problemMessage, problemMessageIn } from './messages';

describe('problemMessageIn', () => {
  it('prefers the message of the action at hand, then of its record, then the general one', () => {
    expect(problemMessageIn('asset.delete', 'conflict', 409)).toBe('This asset is checked out. Check it in before deleting it.');
    expect(problemMessageIn('asset.update', 'version_conflict', 409)).toContain('Someone else changed this asset');
    expect(problemMessageIn('employee.update', 'version_conflict', 409)).toContain('Someone else changed this employee');
    expect(problemMessageIn('location.update', 'version_conflict', 409)).toBe(problemMessage('version_conflict', 409));
    expect(problemMessageIn('catalog.create', 'duplicate_name', 409)).toBe('Something with this name already exists.');
  });

  it('falls back on the status for a code it does not know', () => {
    expect(problemMessageIn('asset.update', 'brand_new_code', 503)).toBe(problemMessage('brand_new_code', 503));
  });
});

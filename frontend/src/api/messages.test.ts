import { describe, expect, it } from 'vitest';
import { fieldMessage, problemMessage, problemMessageIn } from './messages';

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

describe('workflow messages', () => {
  it('says what a refused step action means for the action taken', () => {
    expect(problemMessageIn('workflow.approve', 'step_not_active', 409)).toContain('Someone else already acted on this step');
    expect(problemMessageIn('workflow.approve', 'forbidden', 403)).toBe('This approval is assigned to someone else.');
    expect(problemMessageIn('workflow.complete', 'forbidden', 403)).toBe('Only admins and owners can do this.');
    expect(problemMessageIn('workflow.cancel', 'invalid_transition', 422)).toBe('This workflow is already closed.');
    expect(problemMessageIn('workflow.reject', 'invalid_transition', 422)).not.toContain('asset');
  });
});

describe('fieldMessage', () => {
  it('gives every row of a list the same message for the same field', () => {
    expect(fieldMessage('steps.1.category', 'required', 'server words')).toBe(
      'Name the asset category to reserve from, e.g. Laptop.',
    );
    expect(fieldMessage('steps.12.due_in_days', 'out_of_range', undefined)).toContain('-365 and 365');
    expect(fieldMessage('steps', 'invalid_order', undefined)).toContain('must come after');
  });

  it("shows the server's own words for a code it does not know", () => {
    expect(fieldMessage('steps.0.kind', 'brand_new', 'not that kind here')).toBe('not that kind here');
  });
});

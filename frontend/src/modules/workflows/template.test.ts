import { describe, expect, it } from 'vitest';
import { onboardingTemplateFixture } from '@/testing/workflows';
import { isChanged, moveStep, newStep, toSaveTemplate, toTemplateDraft } from './template';

describe('template drafts', () => {
  it('saves what it loaded unchanged, with a category only on the reservation', () => {
    const template = onboardingTemplateFixture();
    const draft = toTemplateDraft(template);
    expect(toSaveTemplate(draft)).toEqual({ name: template.name, steps: template.steps });
    expect(isChanged(draft, template)).toBe(false);

    draft.steps[2] = { ...newStep('task'), name: '  Order a badge ', category: 'ignored' };
    expect(toSaveTemplate(draft).steps[2]).toEqual({ kind: 'task', name: 'Order a badge', assignee: 'admin', due_in_days: 0 });
    expect(isChanged(draft, template)).toBe(true);
  });

  it('sends an empty category as missing, for the server to name the field', () => {
    const draft = toTemplateDraft(onboardingTemplateFixture());
    const reserve = draft.steps[1];
    if (!reserve) throw new Error('fixture');
    reserve.category = '  ';
    expect(toSaveTemplate(draft).steps[1]?.category).toBeNull();
  });

  it('moves a step within the list, and gives new rows their own key', () => {
    expect(moveStep(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveStep(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveStep(['a', 'b', 'c'], 1, 5)).toEqual(['a', 'c', 'b']);
    expect(newStep().key).not.toBe(newStep().key);
    expect(newStep('approval').assignee).toBe('manager');
  });
});

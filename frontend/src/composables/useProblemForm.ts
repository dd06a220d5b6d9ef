import { computed, ref, shallowRef } from 'vue';
import { ApiError } from '@/api/errors';

/**
 * Submission state of a form talking to the API: a busy flag, the problem of the last
 * attempt, and its per-field messages to show next to each field.
 *
 * `fields` lists the fields the form shows; field errors for anything else (and a problem
 * without field errors) are shown in the form-level message instead, so none is lost.
 */
export function useProblemForm(fields: readonly string[]) {
  const submitting = ref(false);
  const problem = shallowRef<ApiError | null>(null);
  const fieldMessages = ref<Record<string, string>>({});

  /** The message for `field`, also matching nested fields such as `cost.amount` for `cost`. */
  function errorFor(field: string): string | undefined {
    const messages = fieldMessages.value;
    if (messages[field] !== undefined) return messages[field];
    const nested = Object.keys(messages).find((key) => key.startsWith(`${field}.`) || key.startsWith(`${field}[`));
    return nested === undefined ? undefined : messages[nested];
  }

  function ownerOf(key: string): string | undefined {
    return fields.find((field) => key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}[`));
  }

  /** Field messages no visible field can show (`field: message` lines). */
  const unplacedMessages = computed(() =>
    Object.entries(fieldMessages.value)
      .filter(([key]) => ownerOf(key) === undefined)
      .map(([key, message]) => `${key}: ${message}`),
  );

  /**
   * Forgets the error of one field, e.g. when the user edits it: a field of the form with
   * its nested ones, or one nested field alone (`steps.1.category` of a list field `steps`).
   */
  function clearField(field: string): void {
    if (errorFor(field) === undefined) return;
    fieldMessages.value = Object.fromEntries(
      Object.entries(fieldMessages.value).filter(([key]) => key !== field && ownerOf(key) !== field),
    );
  }

  /** Sets a client-side field message (for checks done before sending). */
  function setFieldError(field: string, message: string): void {
    fieldMessages.value = { ...fieldMessages.value, [field]: message };
  }

  function reset(): void {
    problem.value = null;
    fieldMessages.value = {};
  }

  /** Runs `action`; an `ApiError` becomes form state and `undefined` is returned. */
  async function submit<T>(action: () => Promise<T>): Promise<T | undefined> {
    if (submitting.value) return undefined;
    submitting.value = true;
    reset();
    try {
      return await action();
    } catch (caught) {
      const error = ApiError.from(caught);
      problem.value = error;
      fieldMessages.value = error.fieldMessages();
      return undefined;
    } finally {
      submitting.value = false;
    }
  }

  return { submitting, problem, fieldMessages, unplacedMessages, errorFor, clearField, setFieldError, reset, submit };
}

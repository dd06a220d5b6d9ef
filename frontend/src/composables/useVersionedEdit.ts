import { computed, reactive, ref, shallowRef, watch, type MaybeRefOrGetter } from 'vue';
import { useProblemForm } from './useProblemForm';
import { useResource } from './useResource';

/** A record the API versions for optimistic concurrency (`If-Match: "<version>"`). */
export interface Versioned {
  id: string;
  version: number;
}

export interface VersionedEditOptions<T extends Versioned, D extends object> {
  /** The record's id (usually the route's). */
  id: MaybeRefOrGetter<string>;
  load: (id: string) => Promise<T>;
  /** The form's draft of a loaded record (a fresh object every call). */
  toDraft: (record: T) => D;
  /** The draft shown before the record has loaded. */
  empty: () => D;
  /** The fields the form shows, as the API names them (see `useProblemForm`). */
  fields: readonly string[];
}

/**
 * An edit form over a versioned record: loads it, keeps a draft and the draft as loaded
 * (to send only what changed), and saves with the version the user saw, so a change made
 * meanwhile by someone else is refused (`version_conflict`) rather than overwritten.
 * `noticeRemote` takes the record as seen live on a channel and flags the form as stale
 * before the user even saves; `reload` loads the current version (dropping the edits).
 */
export function useVersionedEdit<T extends Versioned, D extends object>(options: VersionedEditOptions<T, D>) {
  const { data: record, error, loading, reload } = useResource(options.id, options.load);
  // Drafts are plain data (no refs), so the reactive proxy is used as the draft itself.
  const draft = reactive(options.empty()) as D;
  const original = shallowRef<D>(options.empty());
  const form = useProblemForm(options.fields);
  /** Someone else saved this record while it is open here. */
  const changedElsewhere = ref(false);

  function adopt(loaded: T): void {
    changedElsewhere.value = false;
    original.value = options.toDraft(loaded);
    Object.assign(draft, options.toDraft(loaded));
    form.reset();
  }
  watch(record, (loaded) => loaded && adopt(loaded), { immediate: true });

  function noticeRemote(changed: Versioned): void {
    const current = record.value;
    if (current && changed.id === current.id && changed.version > current.version) changedElsewhere.value = true;
  }

  const conflict = computed(() => form.problem.value?.code === 'version_conflict' || changedElsewhere.value);

  /**
   * Sends `changes` with the loaded version. Resolves what `send` answers, or `undefined` when
   * the server refused (the problem is then in `form.problem` and on the fields).
   */
  async function save<U, S>(changes: U, send: (id: string, changes: U, version: number) => Promise<S>): Promise<S | undefined> {
    const current = record.value;
    if (!current) return undefined;
    return form.submit(() => send(current.id, changes, current.version));
  }

  /**
   * The submit of an edit form: `check`'s messages go on their fields (nothing is sent),
   * only what changed is sent (`changes`), nothing at all when nothing changed. Resolves
   * the saved record, `null` when there was nothing to save, `undefined` when refused.
   */
  async function submitChanges<U extends object, S>(steps: {
    check: (draft: D) => Record<string, string>;
    changes: (original: D, draft: D) => U;
    send: (id: string, changes: U, version: number) => Promise<S>;
  }): Promise<S | null | undefined> {
    const invalid = Object.entries(steps.check(draft));
    invalid.forEach(([field, message]) => form.setFieldError(field, message));
    if (invalid.length) return undefined;
    const changes = steps.changes(original.value, draft);
    if (Object.keys(changes).length === 0) return null;
    return save(changes, steps.send);
  }

  return { record, error, loading, reload, draft, original, form, changedElsewhere, conflict, noticeRemote, save, submitChanges };
}

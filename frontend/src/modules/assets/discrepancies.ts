import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { ApiError } from '@/api/errors';
import type { Discrepancy, DiscrepancyStatus } from '@/api/types';
import type { Shown } from '@/components/status';
import { dismissDiscrepancy, listDiscrepancies } from './api';

export const discrepancyStatuses: Readonly<Record<DiscrepancyStatus, Shown>> = {
  open: { label: 'Open', severity: 'warn' },
  resolved: { label: 'Resolved', severity: 'success' },
  dismissed: { label: 'Dismissed', severity: 'secondary' },
};

/** What a discrepancy's kind means. */
export const discrepancyKinds: Readonly<Record<string, string>> = {
  assignee_mismatch: 'User differs from holder',
};

/** The facts a discrepancy compared (`facts` is typed as a bare object, so read field by field). */
export interface DiscrepancyFacts {
  /** The user the MDM has for the device. */
  mdmUserEmail: string | null;
  /** Who the asset is checked out to here; `null`: nobody. */
  assignedEmail: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);

export function discrepancyFacts(facts: unknown): DiscrepancyFacts {
  const record = typeof facts === 'object' && facts !== null ? (facts as Record<string, unknown>) : {};
  return { mdmUserEmail: text(record.mdm_user_email), assignedEmail: text(record.assigned_email) };
}

const newestFirst = (a: Discrepancy, b: Discrepancy): number =>
  b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id);

/**
 * `list` (the discrepancies of `status`, newest first) after `incoming`: added or replaced
 * when it has that status, removed when it has another one now. A snapshot older than the
 * one held (an answer that crossed an event) changes nothing.
 */
export function mergeDiscrepancy(
  list: readonly Discrepancy[],
  incoming: Discrepancy,
  status: DiscrepancyStatus,
): Discrepancy[] {
  const held = list.find((item) => item.id === incoming.id);
  if (held && held.updated_at > incoming.updated_at) return [...list];
  const others = list.filter((item) => item.id !== incoming.id);
  return incoming.status === status ? [incoming, ...others].sort(newestFirst) : others;
}

type Lists = Readonly<Partial<Record<DiscrepancyStatus, readonly Discrepancy[]>>>;

/**
 * Where an MDM and the records disagree (admins): the lists of each status loaded so far, kept
 * current by the `discrepancy_*` events of `assets:{tenant_id}` (`useDiscrepanciesLive`, run by
 * the shell), and the open ones' count for the menu.
 */
export const useDiscrepanciesStore = defineStore('discrepancies', () => {
  const lists = shallowRef<Lists>({});
  const loading = shallowRef<ReadonlySet<DiscrepancyStatus>>(new Set());
  const errors = shallowRef<Readonly<Partial<Record<DiscrepancyStatus, ApiError>>>>({});
  const count = computed(() => lists.value.open?.length ?? 0);
  /** Bumped by `$reset`, so an answer for a session that ended is dropped. */
  let session = 0;
  /** Events received while a list loads, applied again on top of its answer. */
  const pending = new Map<DiscrepancyStatus, Discrepancy[]>();

  const isLoaded = (status: DiscrepancyStatus): boolean => lists.value[status] !== undefined;

  function setLoading(status: DiscrepancyStatus, on: boolean): void {
    const next = new Set(loading.value);
    if (on) next.add(status);
    else next.delete(status);
    loading.value = next;
  }

  async function load(status: DiscrepancyStatus): Promise<void> {
    const mine = session;
    const seen: Discrepancy[] = [];
    pending.set(status, seen);
    setLoading(status, true);
    try {
      let fresh = await listDiscrepancies(status);
      if (mine !== session) return;
      for (const event of seen) fresh = mergeDiscrepancy(fresh, event, status);
      lists.value = { ...lists.value, [status]: fresh };
      const { [status]: _done, ...others } = errors.value;
      errors.value = others;
    } catch (caught) {
      if (mine !== session) return;
      errors.value = { ...errors.value, [status]: ApiError.from(caught) };
    } finally {
      if (mine === session) {
        if (pending.get(status) === seen) pending.delete(status);
        setLoading(status, false);
      }
    }
  }

  /** Applies a discrepancy as it is now (an event, or the answer to a dismissal) to every list held. */
  function receive(discrepancy: Discrepancy): void {
    for (const seen of pending.values()) seen.push(discrepancy);
    const next: Partial<Record<DiscrepancyStatus, readonly Discrepancy[]>> = { ...lists.value };
    for (const status of Object.keys(next) as DiscrepancyStatus[]) {
      const list = next[status];
      if (list) next[status] = mergeDiscrepancy(list, discrepancy, status);
    }
    lists.value = next;
  }

  /** Dismisses an open discrepancy. One closed meanwhile (resolved by a sync, dismissed by someone) reloads the open ones. */
  async function dismiss(discrepancy: Discrepancy): Promise<Discrepancy> {
    try {
      const dismissed = await dismissDiscrepancy(discrepancy.id);
      receive(dismissed);
      return dismissed;
    } catch (caught) {
      const problem = ApiError.from(caught);
      if (problem.code === 'invalid_transition' || problem.status === 404) void load('open');
      throw problem;
    }
  }

  function $reset(): void {
    session += 1;
    pending.clear();
    lists.value = {};
    loading.value = new Set();
    errors.value = {};
  }

  return { lists, loading, errors, count, isLoaded, load, receive, dismiss, $reset };
});

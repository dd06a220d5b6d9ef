import { api, unwrap } from '@/api/client';
import type { AuditEvent, ChainVerification } from '@/api/types';
import type { Page, PageRequest } from '@/composables/usePagedList';

/** The filters of the audit log screen; days are local calendar days (`YYYY-MM-DD`). */
export interface AuditFilters {
  entityType: string | null;
  action: string | null;
  sinceDay: string | null;
  untilDay: string | null;
}

/** The start of a local calendar day, or the end of it, as an RFC 3339 instant. */
export function dayBound(day: string | null, end: boolean): string | undefined {
  if (!day) return undefined;
  const [year, month, date] = day.split('-').map(Number);
  if (!year || !month || !date) return undefined;
  const instant = end ? new Date(year, month - 1, date, 23, 59, 59, 999) : new Date(year, month - 1, date);
  return instant.toISOString();
}

export function listAuditEvents({ cursor, limit, filters, signal }: PageRequest<AuditFilters>): Promise<Page<AuditEvent>> {
  return unwrap(
    api.GET('/api/v1/audit-events', {
      params: {
        query: {
          limit,
          cursor: cursor ?? undefined,
          entity_type: filters.entityType ?? undefined,
          action: filters.action ?? undefined,
          since: dayBound(filters.sinceDay, false),
          until: dayBound(filters.untilDay, true),
        },
      },
      signal,
    }),
  );
}

export function verifyAuditChain(): Promise<ChainVerification> {
  return unwrap(api.GET('/api/v1/audit-events/verify'));
}

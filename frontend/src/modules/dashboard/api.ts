import { api, unwrap } from '@/api/client';
import type { Dashboard } from '@/api/types';

/** The dashboard's numbers over the assets the caller may see (`GET /api/v1/dashboard`). */
export function getDashboard(): Promise<Dashboard> {
  return unwrap(api.GET('/api/v1/dashboard'));
}

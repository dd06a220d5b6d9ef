import type { Asset, Employee } from '@/api/types';

/** Events on `assets:{tenant_id}`; each carries the asset as the REST API returns it. */
export interface AssetEvents {
  asset_created: { asset: Asset };
  asset_updated: { asset: Asset };
  asset_deleted: { asset: Asset };
  asset_checked_out: { asset: Asset };
  asset_checked_in: { asset: Asset };
}

/** Events on `employees:{tenant_id}`. */
export interface EmployeeEvents {
  employee_created: { employee: Employee };
  employee_updated: { employee: Employee };
}

export const assetsTopic = (tenantId: string): string => `assets:${tenantId}`;
export const employeesTopic = (tenantId: string): string => `employees:${tenantId}`;

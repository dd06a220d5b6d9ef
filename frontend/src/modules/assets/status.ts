import type { AssetStatus, CheckinCondition } from '@/api/types';

type Severity = 'success' | 'info' | 'warn' | 'danger' | 'secondary' | 'contrast';

/** Every status with its label; a status added to the contract fails the build until it is named here. */
export const assetStatusLabels: Readonly<Record<AssetStatus, string>> = {
  in_stock: 'In stock',
  assigned: 'Assigned',
  in_transit: 'In transit',
  in_repair: 'In repair',
  retired: 'Retired',
  lost: 'Lost',
  disposed: 'Disposed',
};

export const assetStatusSeverity: Readonly<Record<AssetStatus, Severity>> = {
  in_stock: 'success',
  assigned: 'info',
  in_transit: 'warn',
  in_repair: 'warn',
  retired: 'secondary',
  lost: 'danger',
  disposed: 'contrast',
};

/** Chart colours per status, matching the tags' severities. */
export const assetStatusColors: Readonly<Record<AssetStatus, string>> = {
  in_stock: '#22c55e',
  assigned: '#3b82f6',
  in_transit: '#06b6d4',
  in_repair: '#f97316',
  retired: '#94a3b8',
  lost: '#ef4444',
  disposed: '#334155',
};

export const assetStatusOptions = (Object.keys(assetStatusLabels) as AssetStatus[]).map((value) => ({
  value,
  label: assetStatusLabels[value],
}));

/** Statuses from which an asset can no longer be handed out. */
export const unavailableStatuses: ReadonlySet<AssetStatus> = new Set(['retired', 'lost', 'disposed']);

export const checkinConditionLabels: Readonly<Record<CheckinCondition, string>> = {
  good: 'Good',
  damaged: 'Damaged',
  needs_repair: 'Needs repair',
};

export const checkinConditionOptions = (Object.keys(checkinConditionLabels) as CheckinCondition[]).map(
  (value) => ({ value, label: checkinConditionLabels[value] }),
);

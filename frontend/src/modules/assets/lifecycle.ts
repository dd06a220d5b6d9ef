import type { AssetStatus } from '@/api/types';

/**
 * Status changes an edit may make, mirroring the backend's lifecycle
 * (`backend/src/assets/model.rs`, `AssetStatus::can_become`). `assigned` is entered only by
 * check-out and left only by check-in (or by being lost), so it is never offered here.
 */
const transitions: Readonly<Record<AssetStatus, readonly AssetStatus[]>> = {
  in_stock: ['in_transit', 'in_repair', 'retired', 'lost'],
  assigned: ['lost'],
  in_transit: ['in_stock', 'in_repair', 'lost'],
  in_repair: ['in_stock', 'retired', 'disposed'],
  retired: ['in_stock', 'disposed'],
  lost: ['in_stock', 'retired', 'disposed'],
  disposed: [],
};

/** The statuses an asset in `from` can be moved to by an edit (not including `from`). */
export function nextStatuses(from: AssetStatus): readonly AssetStatus[] {
  return transitions[from];
}

export function canBecome(from: AssetStatus, to: AssetStatus): boolean {
  return from === to || transitions[from].includes(to);
}

/** Statuses an edit may set on a new asset (everything but `assigned`). */
export const creatableStatuses: readonly AssetStatus[] = [
  'in_stock',
  'in_transit',
  'in_repair',
  'retired',
  'lost',
  'disposed',
];

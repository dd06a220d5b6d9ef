import type { Asset, AssetStatus, CheckinCondition } from '@/api/types';
import { checkinAsset, updateAsset } from './api';

/** One bulk action over selected assets; each asset gets its own request and `Idempotency-Key`. */
export type BulkAction =
  | { kind: 'checkin'; condition: CheckinCondition }
  | { kind: 'status'; status: AssetStatus };

/** The request a bulk action makes for one asset. */
export function bulkTask(action: BulkAction): (asset: Asset, idempotencyKey: string) => Promise<Asset> {
  switch (action.kind) {
    case 'checkin':
      return (asset, key) => checkinAsset(asset.id, { condition: action.condition, note: null }, key);
    case 'status':
      // The version the user saw guards the change: a concurrent edit is a per-row conflict.
      return (asset, key) => updateAsset(asset.id, { status: action.status }, asset.version, key);
  }
}

/** The context for error messages of an action (see `problemMessageIn`). */
export function bulkContext(action: BulkAction): string {
  return action.kind === 'checkin' ? 'asset.checkin' : 'asset.status';
}

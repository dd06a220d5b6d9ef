import type { Asset, DeviceFacts } from '@/api/types';

/** A device that has not reached its MDM for this long is worth a look (lost, off, retired?). */
export const STALE_CHECK_IN_DAYS = 30;

export interface DeviceSummary {
  /** "macOS 14.5", or what is known of it. */
  os: string;
  /** Not seen by the MDM for `STALE_CHECK_IN_DAYS` or more. */
  stale: boolean;
  /** The MDM names a user who is not the asset's holder (nobody holding it included). */
  userDiffers: boolean;
}

/** What the device panel says about an asset's device facts. */
export function deviceSummary(device: DeviceFacts, holder: Asset['assigned_to'], now: number = Date.now()): DeviceSummary {
  const os = [device.os_name, device.os_version].filter((part): part is string => Boolean(part?.trim())).join(' ') || '—';
  const checkedIn = device.last_check_in_at ? Date.parse(device.last_check_in_at) : Number.NaN;
  const stale = Number.isFinite(checkedIn) && now - checkedIn >= STALE_CHECK_IN_DAYS * 86_400_000;
  const user = device.user_email?.trim().toLowerCase();
  const userDiffers = Boolean(user) && user !== holder?.email.trim().toLowerCase();
  return { os, stale, userDiffers };
}

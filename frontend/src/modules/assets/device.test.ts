import { describe, expect, it } from 'vitest';
import type { DeviceFacts } from '@/api/types';
import { deviceSummary } from './device';

const now = Date.parse('2026-11-25T12:00:00Z');
const device: DeviceFacts = {
  integration_id: '0190b7a4-0000-7000-8000-0000000001c3',
  os_name: 'macOS',
  os_version: '14.5',
  last_check_in_at: '2026-11-22T09:00:00Z',
  user_email: 'grace@acme.test',
  synced_at: '2026-11-25T11:00:00Z',
};
const grace = { id: 'e1', name: 'Grace Hopper', email: 'Grace@Acme.test' };

describe('deviceSummary', () => {
  it('names the OS and agrees with a holder of the same address, whatever its case', () => {
    expect(deviceSummary(device, grace, now)).toEqual({ os: 'macOS 14.5', stale: false, userDiffers: false });
  });

  it('flags a user who is not the holder, or a device nobody holds', () => {
    expect(deviceSummary({ ...device, user_email: 'ada@acme.test' }, grace, now).userDiffers).toBe(true);
    expect(deviceSummary(device, null, now).userDiffers).toBe(true);
    expect(deviceSummary({ ...device, user_email: null }, null, now).userDiffers).toBe(false);
  });

  it('calls a device unseen for 30 days stale, and says what it knows of the OS', () => {
    expect(deviceSummary({ ...device, last_check_in_at: '2026-10-26T12:00:00Z' }, grace, now).stale).toBe(true);
    expect(deviceSummary({ ...device, last_check_in_at: null }, grace, now).stale).toBe(false);
    expect(deviceSummary({ ...device, os_version: null }, grace, now).os).toBe('macOS');
    expect(deviceSummary({ ...device, os_name: null, os_version: null }, grace, now).os).toBe('—');
  });
});

/** Where the token pair survives a reload. One key, so tabs see a renewal atomically. */
export const SESSION_KEY = 'assetronics.session';

export interface StoredTokens {
  access_token: string;
  refresh_token: string;
}

function isStoredTokens(value: unknown): value is StoredTokens {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.access_token === 'string' && typeof record.refresh_token === 'string';
}

export function parseStoredTokens(raw: string | null): StoredTokens | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return isStoredTokens(value) ? value : null;
  } catch {
    return null;
  }
}

export function readStoredTokens(): StoredTokens | null {
  try {
    return parseStoredTokens(globalThis.localStorage?.getItem(SESSION_KEY) ?? null);
  } catch {
    return null; // storage disabled (private mode, policy)
  }
}

export function writeStoredTokens(tokens: StoredTokens | null): void {
  try {
    if (tokens === null) globalThis.localStorage?.removeItem(SESSION_KEY);
    else globalThis.localStorage?.setItem(SESSION_KEY, JSON.stringify(tokens));
  } catch {
    // Storage unavailable: the session lasts as long as the page.
  }
}

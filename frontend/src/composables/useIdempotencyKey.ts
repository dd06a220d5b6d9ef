import { idempotencyKey } from '@/api/client';
import type { ApiError } from '@/api/errors';

/**
 * The `Idempotency-Key` of one logical write. It is kept while the outcome is unknown (the
 * request never got an answer), so a retry cannot apply twice, and renewed once the server
 * has answered, so the next attempt with different input is a new write.
 */
export function useIdempotencyKey() {
  let key = idempotencyKey();
  return {
    current: (): string => key,
    /** Call after each attempt with its problem (or `null` on success). */
    settle(problem: ApiError | null): void {
      if (problem === null || problem.status !== 0) key = idempotencyKey();
    },
  };
}

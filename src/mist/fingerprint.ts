import { createHash } from 'node:crypto';

/**
 * Short, stable, non-reversible name for a token (sha256, first 12 hex chars): what logs, metrics and the
 * store use instead of the token. Same semantics as the simulator's copy in src/sim/http/rate-limit.ts.
 */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

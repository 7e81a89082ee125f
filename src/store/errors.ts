export type StoreErrorCode =
  /** A key component (org id, family, generation, lock name, fingerprint, prefix) has a forbidden shape. */
  | 'STORE_BAD_KEY'
  /** A TTL that is not a positive number of ms, or a page index that is not a non-negative integer. */
  | 'STORE_BAD_ARGUMENT'
  /** putPage/publish for a generation that is not the staged one (superseded, or staging expired). */
  | 'STORE_NOT_STAGED'
  /** putPage would leave a gap, or publish names pages that were never staged or have expired. */
  | 'STORE_INCOMPLETE'
  /** beginGeneration with the id of the current generation: staging it would overwrite live pages. */
  | 'STORE_GENERATION_IN_USE'
  /** Redis failed (unreachable, auth, timeout...). The message is scrubbed of credentials. */
  | 'STORE_UNAVAILABLE';

/**
 * Typed store error with a stable code. It never carries the underlying client error as `cause`: ioredis
 * errors hold the failed command's arguments (an AUTH password, whole payloads) and a logger would print them.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

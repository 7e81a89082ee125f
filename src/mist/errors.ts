/** Typed errors of the Mist client. Codes are stable (metrics labels, store metadata); messages never hold a token. */

export const MIST_ERROR_CODES = [
  /** Any other HTTP status: 5xx (retryable), 400 and other 4xx (not). */
  'E_MIST_HTTP',
  /** 401: the token is invalid (or none of the configured tokens is). */
  'E_MIST_AUTH',
  /** 403: the tokens may not see this org or site. */
  'E_MIST_FORBIDDEN',
  /** 404. */
  'E_MIST_NOT_FOUND',
  /** 429 beyond the client's bound, or every token cools down past the call's deadline. */
  'E_MIST_RATE_LIMITED',
  /** Connect/headers/body timeout of an attempt, or the call's deadline. */
  'E_MIST_TIMEOUT',
  /** Connection refused/reset before the response headers. */
  'E_MIST_NETWORK',
  /** The connection broke while the body was read. */
  'E_MIST_TRUNCATED',
  /** A 2xx body that is not JSON. */
  'E_MIST_BAD_JSON',
  /** Valid JSON of the wrong shape for the endpoint (e.g. no `results` array), or a body failing its schema. */
  'E_MIST_BAD_RESPONSE',
  /** A pagination loop, a runaway walk, a foreign `next` URL, or a cursor that does not fit the endpoint. */
  'E_MIST_PAGINATION',
  /** The caller's AbortSignal fired. */
  'E_MIST_ABORTED',
] as const;

export type MistErrorCode = (typeof MIST_ERROR_CODES)[number];

export interface MistErrorInit {
  readonly retryable?: boolean;
  readonly status?: number;
  readonly endpoint?: string;
  readonly path?: string;
  /** For E_MIST_RATE_LIMITED: how long until a token is usable again. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

export class MistError extends Error {
  override readonly name = 'MistError';
  readonly code: MistErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  readonly endpoint?: string;
  readonly path?: string;
  readonly retryAfterMs?: number;

  constructor(code: MistErrorCode, message: string, init: MistErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.retryable = init.retryable ?? false;
    if (init.status !== undefined) this.status = init.status;
    if (init.endpoint !== undefined) this.endpoint = init.endpoint;
    if (init.path !== undefined) this.path = init.path;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

export function isMistError(err: unknown, code?: MistErrorCode): err is MistError {
  return err instanceof MistError && (code === undefined || err.code === code);
}

/** The code an HTTP status maps to (2xx has none). */
export function codeForStatus(status: number): MistErrorCode {
  if (status === 401) return 'E_MIST_AUTH';
  if (status === 403) return 'E_MIST_FORBIDDEN';
  if (status === 404) return 'E_MIST_NOT_FOUND';
  if (status === 429) return 'E_MIST_RATE_LIMITED';
  return 'E_MIST_HTTP';
}

/** `endpoint GET /path?query`, the prefix of every message; long paths (search_after cursors) are shortened. */
export function describeCall(endpoint: string, path: string): string {
  return `${endpoint} GET ${path.length > 240 ? `${path.slice(0, 240)}…` : path}`;
}

import { Pool } from 'undici';

/**
 * The HTTP seam: one method. The client's logic (tokens, retries, pagination) sits above it, so unit tests
 * replace it with a small fake and integration tests use the real undici implementation below.
 */
export interface Transport {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export interface HttpRequest {
  /** Host-relative path with query, e.g. `/api/v1/orgs/…/sites?limit=1000&page=2`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Why a request produced no response. `aborted`: the request's signal fired (the caller knows which one). */
export type TransportFailureKind = 'timeout' | 'network' | 'truncated' | 'aborted';

export class TransportFailure extends Error {
  override readonly name = 'TransportFailure';
  constructor(readonly kind: TransportFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface UndiciTransportOptions {
  /** `https://api.mist.com` or a full URL such as `http://127.0.0.1:9730`; a path prefix is kept. */
  readonly baseUrl: string;
  /** Sockets kept to the host (the client's concurrency). */
  readonly connections: number;
  readonly connectTimeoutMs: number;
  /** Until the response headers arrive. */
  readonly headersTimeoutMs: number;
  /** Between two body chunks. */
  readonly bodyTimeoutMs: number;
  readonly keepAliveTimeoutMs?: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Keep-alive connections to one Mist host. Never retries by itself: the client owns retries. */
export class UndiciTransport implements Transport {
  private readonly pool: Pool;
  private readonly prefix: string;

  constructor(opts: UndiciTransportOptions) {
    const url = new URL(opts.baseUrl);
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: opts.connections,
      connect: { timeout: opts.connectTimeoutMs },
      headersTimeout: opts.headersTimeoutMs,
      bodyTimeout: opts.bodyTimeoutMs,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000,
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await this.pool.request({ method: 'GET', path: `${this.prefix}${req.path}`, headers: { ...req.headers }, signal: req.signal });
    } catch (err) {
      throw failure(err, req.signal, 'network');
    }
    try {
      const body = await res.body.text();
      return { status: res.statusCode, headers: flatten(res.headers), body };
    } catch (err) {
      // Headers arrived, the body did not: Mist's edge resetting mid-body looks like this.
      throw failure(err, req.signal, 'truncated');
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function failure(err: unknown, signal: AbortSignal, otherwise: TransportFailureKind): TransportFailure {
  if (signal.aborted) return new TransportFailure('aborted', 'request aborted', { cause: err });
  const code = (err as { code?: unknown }).code;
  const text = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return new TransportFailure('timeout', `${code}: ${text}`, { cause: err });
  return new TransportFailure(otherwise, typeof code === 'string' ? `${code}: ${text}` : text, { cause: err });
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

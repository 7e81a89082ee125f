import type { Logger } from 'pino';
import { getSelf, getSelfUsage } from './endpoints.js';
import { describeCall, isMistError, MistError } from './errors.js';
import { readPage, requestFor, WalkGuard } from './paginate.js';
import type { CallOptions, Caller } from './request.js';
import type { Privilege } from './schemas/self.js';
import type { TokenPool } from './token-pool.js';
import type { Cursor, Endpoint, MistApi, Page, TokenUsage } from './types.js';
import { issueReason, validateRecords } from './validate.js';

export interface MistClientDeps {
  readonly caller: Caller;
  readonly pool: TokenPool;
  readonly log: Logger;
  /** Hard cap of pages in one walk. */
  readonly maxPages: number;
  readonly close?: () => Promise<void>;
}

/** MistApi over the caller (tokens, retries) and the pagination forms; plus token start-up checks and usage. */
export class MistClient implements MistApi {
  private orgs: string[] = [];

  constructor(private readonly d: MistClientDeps) {}

  /**
   * Validates every token with GET /self: a 401 drops it; a token whose privileges differ from the first valid
   * one's is dropped; no valid token left is an E_MIST_AUTH error. Then, optionally, reads each token's
   * usage this hour (/self/usage) so the budget starts from Mist's count, not zero.
   */
  async start(opts: { signal?: AbortSignal; syncUsage?: boolean } = {}): Promise<void> {
    const { pool, log } = this.d;
    const configured = pool.fingerprints();
    if (configured.length === 0) throw new MistError('E_MIST_AUTH', 'no Mist API token configured');
    const checks = await Promise.all(configured.map(async (fingerprint) => {
      try {
        return { fingerprint, self: await this.one(getSelf(), { signal: opts.signal, pin: fingerprint }), error: undefined };
      } catch (err) {
        if (isMistError(err, 'E_MIST_AUTH') || isMistError(err, 'E_MIST_RATE_LIMITED')) return { fingerprint, self: undefined, error: err };
        throw err;
      }
    }));
    let reference: { fingerprint: string; key: string; privileges: Privilege[] } | undefined;
    let lastError: MistError | undefined;
    // Logged only when another token is valid: with none left, the thrown error is the one message.
    const rejected: { fingerprint: string; code: string | undefined }[] = [];
    for (const c of checks) {
      if (c.self === undefined) {
        pool.drop(c.fingerprint);
        lastError = c.error;
        rejected.push({ fingerprint: c.fingerprint, code: c.error?.code });
        continue;
      }
      const key = privilegeKey(c.self.privileges);
      if (!reference) {
        reference = { fingerprint: c.fingerprint, key, privileges: c.self.privileges };
      } else if (key !== reference.key) {
        pool.drop(c.fingerprint);
        log.warn({ fingerprint: c.fingerprint, reference: reference.fingerprint }, 'Mist API token has different privileges from the first valid token; it is not used');
      }
    }
    if (!reference) {
      const why = `none of the ${configured.length} configured Mist API tokens could be validated on /api/v1/self (fingerprints: ${configured.join(', ')})`;
      throw new MistError(lastError?.code ?? 'E_MIST_AUTH', why, { status: lastError?.status, retryable: lastError?.code === 'E_MIST_RATE_LIMITED', cause: lastError });
    }
    for (const r of rejected) {
      log.warn(r, r.code === 'E_MIST_AUTH'
        ? 'Mist API token is invalid (401 on /api/v1/self); it is not used'
        : 'Mist API token could not be validated (rate limited); it is not used');
    }
    this.orgs = [...new Set(reference.privileges.filter((p) => p.scope === 'org' && p.org_id).map((p) => p.org_id as string))];
    log.info({ tokens: pool.fingerprints(), dropped: configured.length - pool.size, orgs: this.orgs.length }, 'Mist API tokens validated');
    if (opts.syncUsage ?? true) await this.refreshUsage(opts.signal);
  }

  /** The orgs the tokens can see (privileges with scope "org"). */
  orgIds(): readonly string[] {
    return this.orgs;
  }

  usage(): TokenUsage[] {
    return this.d.pool.usage();
  }

  /** Reads /self/usage for every token (one call each) and aligns the budgets; failures only warn. */
  async refreshUsage(signal?: AbortSignal): Promise<TokenUsage[]> {
    await Promise.all(this.d.pool.fingerprints().map(async (fingerprint) => {
      try {
        const u = await this.one(getSelfUsage(), { signal, pin: fingerprint });
        this.d.pool.observe(fingerprint, u.requests, u.request_limit);
      } catch (err) {
        this.d.log.warn({ fingerprint, code: isMistError(err) ? err.code : undefined }, 'could not read Mist API usage for a token');
      }
    }));
    return this.usage();
  }

  /** Aligns the budgets with usage recorded elsewhere (another collector's records in the store); never lowers a count. */
  observeUsage(records: readonly { fingerprint: string; used: number; limit: number }[]): void {
    for (const r of records) this.d.pool.observe(r.fingerprint, r.used, r.limit);
  }

  async *pages<T>(endpoint: Endpoint<T>, opts: { from?: Cursor; signal?: AbortSignal } = {}): AsyncGenerator<Page<T>> {
    const guard = new WalkGuard(endpoint, this.d.maxPages);
    let cursor = opts.from;
    for (let index = 0; ; index++) {
      const req = requestFor(endpoint, cursor);
      guard.beforeRequest(req);
      const res = await this.d.caller.get(endpoint.name, req.path, { signal: opts.signal });
      const read = readPage(endpoint, req, res);
      guard.afterResponse(req, read, res.text);
      const v = validateRecords(read.rows, endpoint.schema, endpoint.keep);
      if (Object.keys(v.dropped).length > 0) this.d.log.warn({ endpoint: endpoint.name, page: index, dropped: v.dropped }, 'Mist records failed validation and were dropped');
      yield { index, records: v.records, dropped: v.dropped, cursor: read.next, ...(read.total !== undefined ? { total: read.total } : {}), ...(read.window ? { window: read.window } : {}) };
      if (read.next === null) return;
      cursor = read.next;
    }
  }

  getOne<T>(endpoint: Endpoint<T>, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return this.one(endpoint, opts);
  }

  async count<T>(endpoint: Endpoint<T>, opts: { signal?: AbortSignal } = {}): Promise<number> {
    if (endpoint.form === 'none') throw new MistError('E_MIST_PAGINATION', `${endpoint.name}: an unpaginated endpoint has nothing to count`, { endpoint: endpoint.name });
    const probe = { ...endpoint, limit: 1 };
    const req = requestFor(probe, undefined);
    const res = await this.d.caller.get(endpoint.name, req.path, { signal: opts.signal });
    const read = readPage(probe, req, res);
    if (read.total !== undefined) return read.total;
    if (read.rows.length === 0) return 0;
    throw new MistError('E_MIST_BAD_RESPONSE', `${describeCall(endpoint.name, req.path)}: no total announced`, { endpoint: endpoint.name, path: req.path });
  }

  close(): Promise<void> {
    return this.d.close ? this.d.close() : Promise.resolve();
  }

  private async one<T>(endpoint: Endpoint<T>, opts: CallOptions): Promise<T> {
    if (endpoint.form !== 'none') throw new MistError('E_MIST_PAGINATION', `${endpoint.name}: a paginated endpoint is read with pages()`, { endpoint: endpoint.name });
    const req = requestFor(endpoint, undefined);
    const res = await this.d.caller.get(endpoint.name, req.path, opts);
    const parsed = endpoint.schema.safeParse(res.json);
    if (!parsed.success) {
      throw new MistError('E_MIST_BAD_RESPONSE', `${describeCall(endpoint.name, req.path)}: ${issueReason(parsed.error.issues[0])}`, { endpoint: endpoint.name, path: req.path });
    }
    return parsed.data;
  }
}

/** What a token may see, order-free: scope, role and the ids the privilege applies to. */
export function privilegeKey(privileges: readonly Privilege[]): string {
  return privileges.map((p) => [p.scope, p.role, p.org_id ?? '', p.site_id ?? '', p.msp_id ?? ''].join('|')).sort().join(';');
}

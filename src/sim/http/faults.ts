import { z } from 'zod';
import { Rng } from '../random.js';

/** Faults injected through POST /__sim/faults: each applies to matching API calls until used up or expired. */

export const FAULT_KINDS = ['latency', 'error', 'malformed_json', 'truncated_body', 'hang', 'rate_limit_storm', 'pagination_loop', 'page_overlap', 'forbidden'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FaultSpecSchema = z.object({
  kind: z.enum(FAULT_KINDS),
  /** Applies only to API paths containing this text (e.g. "/stats/ports/search"); default: every API call. */
  match: z.string().optional(),
  /** Share of matching calls affected, drawn from a seeded sequence. */
  rate: z.number().min(0).max(1).default(1),
  /** Affect at most this many calls. */
  count: z.number().int().positive().optional(),
  /** Expire after this many wall-clock seconds. */
  duration_seconds: z.number().positive().optional(),
  latency_ms: z.number().int().min(0).max(120_000).default(500),
  status: z.number().int().min(500).max(599).default(503),
  /**
   * rate_limit_storm: the Retry-After header to send, in (real) seconds, or false for none (Mist does not
   * always send one). Default: the simulator's --retry-after setting (60 simulated seconds).
   */
  retry_after: z.union([z.number().int().min(0).max(86_400), z.literal(false)]).optional(),
  /** page_overlap: how many rows of the previous page each later page repeats (default 1). */
  rows: z.number().int().positive().max(1000).optional(),
}).strict();

export type FaultSpec = z.infer<typeof FaultSpecSchema>;

export interface Fault extends FaultSpec {
  readonly id: string;
  applied: number;
  readonly expiresAt?: number;
}

export class FaultBook {
  private faults: Fault[] = [];
  private created = 0;
  private readonly rng = new Rng(0xfa17);

  add(spec: FaultSpec, nowMs: number): Fault {
    const fault: Fault = {
      ...spec,
      id: `fault-${++this.created}`,
      applied: 0,
      ...(spec.duration_seconds !== undefined ? { expiresAt: nowMs + spec.duration_seconds * 1000 } : {}),
    };
    this.faults.push(fault);
    return fault;
  }

  clear(): number {
    const n = this.faults.length;
    this.faults = [];
    return n;
  }

  list(nowMs: number): Fault[] {
    this.expire(nowMs);
    return [...this.faults];
  }

  /** The faults of the given kinds that hit this call (each consumes one use). */
  draw(path: string, nowMs: number, kinds: readonly FaultKind[]): Fault[] {
    this.expire(nowMs);
    const hits: Fault[] = [];
    for (const f of this.faults) {
      if (!kinds.includes(f.kind)) continue;
      if (f.match !== undefined && !path.includes(f.match)) continue;
      if (f.count !== undefined && f.applied >= f.count) continue;
      if (f.rate < 1 && this.rng.next() >= f.rate) continue;
      f.applied += 1;
      hits.push(f);
    }
    return hits;
  }

  private expire(nowMs: number): void {
    this.faults = this.faults.filter((f) => (f.expiresAt === undefined || f.expiresAt > nowMs) && (f.count === undefined || f.applied < f.count));
  }
}

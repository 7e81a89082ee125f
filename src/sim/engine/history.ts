/** Ring buffer of per-circuit, per-minute truth: what the circuit really did in each simulated minute. */

export interface MinuteRecord {
  /** Epoch seconds of the minute's start. */
  minute: number;
  rxUtil: number;
  txUtil: number;
  upSeconds: number;
  activeSeconds: number;
  transitions: number;
  /** Mean over the circuit's VPN paths that were up at the end of the minute; null when none was. */
  pathLossPct: number | null;
  pathLatencyMs: number | null;
  pathJitterMs: number | null;
}

export class History {
  private readonly rxUtil: Float32Array;
  private readonly txUtil: Float32Array;
  private readonly upSeconds: Uint8Array;
  private readonly activeSeconds: Uint8Array;
  private readonly transitions: Uint8Array;
  private readonly pathLoss: Float32Array;
  private readonly pathLatency: Float32Array;
  private readonly pathJitter: Float32Array;
  /** Minute index (epoch/60) held in each ring slot, -1 when empty. */
  private readonly slotMinute: Float64Array;

  constructor(private readonly circuits: number, readonly capacity: number) {
    const n = circuits * capacity;
    this.rxUtil = new Float32Array(n);
    this.txUtil = new Float32Array(n);
    this.upSeconds = new Uint8Array(n);
    this.activeSeconds = new Uint8Array(n);
    this.transitions = new Uint8Array(n);
    this.pathLoss = new Float32Array(n).fill(NaN);
    this.pathLatency = new Float32Array(n).fill(NaN);
    this.pathJitter = new Float32Array(n).fill(NaN);
    this.slotMinute = new Float64Array(capacity).fill(-1);
  }

  /** Starts a minute's slot; returns the offset of circuit 0 in it. */
  beginMinute(minuteIndex: number): number {
    const slot = minuteIndex % this.capacity;
    this.slotMinute[slot] = minuteIndex;
    return slot * this.circuits;
  }

  write(base: number, circuit: number, r: Omit<MinuteRecord, 'minute'>): void {
    const i = base + circuit;
    this.rxUtil[i] = r.rxUtil;
    this.txUtil[i] = r.txUtil;
    this.upSeconds[i] = Math.round(r.upSeconds);
    this.activeSeconds[i] = Math.round(r.activeSeconds);
    this.transitions[i] = Math.min(255, r.transitions);
    this.pathLoss[i] = r.pathLossPct ?? NaN;
    this.pathLatency[i] = r.pathLatencyMs ?? NaN;
    this.pathJitter[i] = r.pathJitterMs ?? NaN;
  }

  /** Records of one circuit for minutes in [fromMinute, toMinute), oldest first; minutes not held are skipped. */
  read(circuit: number, fromMinute: number, toMinute: number): MinuteRecord[] {
    const out: MinuteRecord[] = [];
    for (let m = Math.max(fromMinute, toMinute - this.capacity); m < toMinute; m++) {
      const slot = m % this.capacity;
      if (this.slotMinute[slot] !== m) continue;
      const i = slot * this.circuits + circuit;
      const nan = (v: number): number | null => (Number.isNaN(v) ? null : round(v));
      out.push({
        minute: m * 60,
        rxUtil: round(this.rxUtil[i]!),
        txUtil: round(this.txUtil[i]!),
        upSeconds: this.upSeconds[i]!,
        activeSeconds: this.activeSeconds[i]!,
        transitions: this.transitions[i]!,
        pathLossPct: nan(this.pathLoss[i]!),
        pathLatencyMs: nan(this.pathLatency[i]!),
        pathJitterMs: nan(this.pathJitter[i]!),
      });
    }
    return out;
  }
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

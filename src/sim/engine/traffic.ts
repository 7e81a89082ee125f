/** Pure traffic and quality models: how busy a circuit is at a local time, and what that does to loss and delay. */

/** Share of busy-hour demand at a local minute of the day: retail opens ~8:00, peaks mid-day, closes ~21:00. */
export function diurnal(localMinuteOfDay: number): number {
  const h = (((localMinuteOfDay % 1440) + 1440) % 1440) / 60;
  if (h < 6) return 0.06;
  if (h < 9) return 0.06 + ((h - 6) / 3) * 0.64;
  if (h < 12) return 0.7 + ((h - 9) / 3) * 0.3;
  if (h < 15) return 1 - ((h - 12) / 3) * 0.1;
  if (h < 19) return 0.9 - ((h - 15) / 4) * 0.2;
  if (h < 22) return 0.7 - ((h - 19) / 3) * 0.58;
  return 0.12 - ((h - 22) / 2) * 0.06;
}

/** Utilisation can approach but never reach the line rate; the excess demand is dropped (loss) and queued (delay). */
export const MAX_UTIL = 0.995;

export interface Quality {
  lossPct: number;
  latencyMs: number;
  jitterMs: number;
}

/** Queueing model: delay grows past 80% utilisation, loss past 90%, sharply once demand exceeds capacity. */
export function qualityAt(util: number, demandRatio: number, base: Quality, noise: number): Quality {
  const q = Math.max(0, util - 0.8);
  const over = Math.max(0, demandRatio - 1);
  const n = 0.85 + noise * 0.3;
  return {
    lossPct: Math.min(100, (base.lossPct + Math.max(0, util - 0.9) * 20 + over * 25) * n),
    latencyMs: (base.latencyMs + q * 350 + over * 120) * n,
    jitterMs: (base.jitterMs + q * 80 + over * 30) * n,
  };
}

/** An E-model style MOS estimate (ITU-T G.107 simplified) from one-way delay, jitter and loss. */
export function mosOf(q: Quality): number {
  const effective = q.latencyMs + 2 * q.jitterMs + 10;
  let r = effective < 160 ? 93.2 - effective / 40 : 93.2 - (effective - 120) / 10;
  r -= 2.5 * q.lossPct;
  r = Math.max(0, Math.min(100, r));
  const mos = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
  return Math.max(1, Math.min(4.5, mos));
}

/** Average bytes per packet used to derive packet counters from byte counters. */
export const BYTES_PER_PACKET = { rx: 880, tx: 420 } as const;

/** Upload is a fraction of download at a retail store (POS, cameras uploading, mostly SaaS down). */
export const UPLOAD_RATIO = 0.35;

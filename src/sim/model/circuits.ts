import type { Rng } from '../random.js';
import type { CircuitKind, CircuitRole, CircuitTraits, PlatformKind } from './types.js';
import { BROADBAND_ISPS, LTE_CARRIERS, MPLS_CARRIERS } from './geo.js';

/** What a site's circuits suffer from, when it is one of the chronically troubled sites (~5%). */
export type SiteTrouble = 'none' | 'congested' | 'lossy' | 'flappy';

export interface CircuitPlan {
  readonly kind: CircuitKind;
  readonly role: CircuitRole;
  readonly wanName: string;
  readonly speedMbps: number;
}

/** 2–3 circuits per spoke: a primary (broadband or MPLS), a secondary, sometimes an LTE tertiary. */
export function planSpokeCircuits(rng: Rng): CircuitPlan[] {
  const primaryKind = rng.weighted<CircuitKind>([['broadband', 6], ['mpls', 4]]);
  const secondaryKind = rng.weighted<CircuitKind>([['broadband', 6], ['lte', 4]]);
  const plans: CircuitPlan[] = [
    { kind: primaryKind, role: 'primary', wanName: primaryKind === 'mpls' ? 'mpls' : 'wan1', speedMbps: speedFor(rng, primaryKind) },
    { kind: secondaryKind, role: 'secondary', wanName: secondaryKind === 'lte' ? 'lte' : 'wan2', speedMbps: speedFor(rng, secondaryKind) },
  ];
  if (rng.chance(0.35)) {
    const kind: CircuitKind = secondaryKind === 'lte' ? 'broadband' : 'lte';
    plans.push({ kind, role: 'tertiary', wanName: kind === 'lte' ? 'lte' : 'wan3', speedMbps: speedFor(rng, kind) });
  }
  return plans;
}

export function planHubCircuits(): CircuitPlan[] {
  return [
    { kind: 'broadband', role: 'primary', wanName: 'wan1', speedMbps: 10_000 },
    { kind: 'mpls', role: 'secondary', wanName: 'mpls', speedMbps: 1000 },
  ];
}

function speedFor(rng: Rng, kind: CircuitKind): number {
  switch (kind) {
    case 'broadband':
      return rng.weighted([[100, 3], [200, 3], [300, 2], [500, 2], [1000, 1]]);
    case 'mpls':
      return rng.weighted([[20, 2], [50, 3], [100, 2]]);
    case 'lte':
      return 50;
  }
}

/** A circuit's contract against its port: contracted down/up rates and the port's link speed, all Mbps. */
export interface CircuitContractPlan {
  readonly downMbps: number;
  readonly upMbps: number;
  readonly linkSpeedMbps: number;
}

/**
 * Some spoke circuits run below their port's speed, as real ones do: half the 100 and 200 Mb/s broadband lines
 * are asymmetric cable (100/20, 200/40) on a 1 Gb/s port, 40% of 300 and 500 Mb/s lines symmetric fibre on a
 * 1 Gb/s port, half the MPLS circuits a sub-rate commit on a 1 Gb/s hand-off. `draw` is keyed by (seed, port),
 * not the build's sequential generator, so the rest of the org is the same as without contracts.
 */
export function contractFor(plan: CircuitPlan, isHub: boolean, draw: number): CircuitContractPlan {
  const same = { downMbps: plan.speedMbps, upMbps: plan.speedMbps, linkSpeedMbps: plan.speedMbps };
  if (isHub) return same;
  if (plan.kind === 'broadband' && plan.speedMbps <= 200 && draw < 0.5) return { downMbps: plan.speedMbps, upMbps: plan.speedMbps / 5, linkSpeedMbps: 1000 };
  if (plan.kind === 'broadband' && plan.speedMbps < 1000 && plan.speedMbps >= 300 && draw < 0.4) return { ...same, linkSpeedMbps: 1000 };
  if (plan.kind === 'mpls' && draw < 0.5) return { ...same, linkSpeedMbps: 1000 };
  return same;
}

export function carrierFor(rng: Rng, kind: CircuitKind, countryCode: string): string {
  if (kind === 'mpls') return rng.pick(MPLS_CARRIERS);
  if (kind === 'lte') return rng.pick(LTE_CARRIERS);
  const isps = countryCode === 'CA' ? BROADBAND_ISPS.slice(5) : BROADBAND_ISPS.slice(0, 5);
  return rng.pick(isps);
}

export function portIdFor(platform: PlatformKind, kind: CircuitKind, slot: number, node: string): string {
  if (kind === 'lte') return platform === 'srx' ? 'cl-1/0/0' : 'lte-0/0/0';
  const fpc = node === 'node1' ? 5 : 0;
  return `ge-${fpc}/0/${slot}`;
}

export function traitsFor(rng: Rng, plan: CircuitPlan, trouble: SiteTrouble, isHub: boolean): CircuitTraits {
  const onPrimary = plan.role === 'primary';
  // Demand is sized by the primary, so only a primary can be chronically congested; the draw stays unconditional
  // (for non-hubs) so the rest of the org does not shift.
  const congested = (trouble === 'congested' && onPrimary) || (!isHub && rng.chance(0.03) && onPrimary);
  const flappy = (trouble === 'flappy' && onPrimary) || (!isHub && rng.chance(0.02));
  const lossy = trouble === 'lossy' && onPrimary;
  const base = {
    broadband: { lat: [12, 30], jit: [1, 4], loss: [0, 0.1] },
    mpls: { lat: [8, 20], jit: [0.5, 2], loss: [0, 0.05] },
    lte: { lat: [35, 70], jit: [5, 15], loss: [0.1, 0.5] },
  }[plan.kind];
  const between = ([lo, hi]: number[]): number => (lo ?? 0) + rng.next() * ((hi ?? 0) - (lo ?? 0));
  return {
    peakUtil: isHub ? 0.3 + rng.next() * 0.3 : congested ? 0.97 + rng.next() * 0.15 : 0.3 + rng.next() * 0.45,
    congested,
    flappy,
    baseLossPct: lossy ? 2.5 + rng.next() * 3.5 : between(base.loss),
    baseLatencyMs: between(base.lat) * (lossy ? 2.5 : 1),
    baseJitterMs: between(base.jit) * (lossy ? 4 : 1),
  };
}

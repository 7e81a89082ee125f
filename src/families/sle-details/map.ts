import {
  ImpactedGatewaySchema, ImpactedInterfaceSchema, SleClassifierSchema,
  type MistImpactedGateways, type MistImpactedInterfaces, type MistSleSummaryTrend, type MistSleThreshold,
} from '../../mist/schemas/sle.js';
import { validateRecords } from '../../mist/validate.js';
import { resolvePort, type PortsByMac } from '../vpn-peers/ports.js';
import type { DegradedPair } from './collect.js';
import type { SleDetailsPairRecord, SleDetailsRecord, SleThresholdRecord } from './records.js';

/** SLE details' pure mapping: Mist's summary trend, impacted interfaces and gateways, and threshold, as records. */

const clampShare = (v: number): number => Math.min(1, Math.max(0, v));

/** degraded / total over the buckets where both are known; null when nothing was measured. Pure. */
export function degradedShare(degraded: readonly (number | null)[], total: readonly (number | null)[]): number | null {
  let d = 0;
  let t = 0;
  for (let i = 0; i < total.length; i++) {
    const ti = total[i];
    const di = degraded[i];
    if (ti === null || ti === undefined || di === null || di === undefined || !Number.isFinite(ti) || !Number.isFinite(di)) continue;
    t += ti;
    d += di;
  }
  return t > 0 ? clampShare(d / t) : null;
}

const rowShare = (degraded: number | undefined, total: number | undefined): number | null =>
  degraded === undefined || total === undefined || !Number.isFinite(degraded) || !Number.isFinite(total) || total <= 0 ? null : clampShare(degraded / total);

interface Mapped<R> {
  readonly records: R[];
  readonly dropped: Record<string, number>;
}

/** The pair's `details` record: the window its details cover. Pure. */
export function detailsRecord(pair: DegradedPair, trend: Pick<MistSleSummaryTrend, 'end'>): SleDetailsPairRecord {
  return { kind: 'details', site_id: pair.site_id, sle: pair.sle, score_ratio: pair.score, window_end_seconds: trend.end, carried_cycles: 0 };
}

/**
 * Each summary-trend classifier's degraded share over the window: Σ its degraded samples / Σ its total samples
 * (the SLE's totals when the classifier has none). A classifier without measured minutes has no record. Pure.
 */
export function classifierRecords(pair: DegradedPair, trend: MistSleSummaryTrend): Mapped<SleDetailsRecord> {
  const v = validateRecords(trend.classifiers, SleClassifierSchema);
  const sleTotal = trend.sle?.samples?.total ?? [];
  const records: SleDetailsRecord[] = [];
  // A repeated classifier is left to the renderer's one duplicate rule (first wins, counted; exposition.ts).
  for (const c of v.records) {
    const total = c.samples && c.samples.total.some((x) => x !== null) ? c.samples.total : sleTotal;
    const ratio = degradedShare(c.samples?.degraded ?? [], total);
    if (ratio !== null) records.push({ kind: 'classifier', site_id: pair.site_id, sle: pair.sle, classifier: c.name, degraded_ratio: ratio });
  }
  return { records, dropped: v.dropped };
}

/**
 * impacted-interfaces rows as degraded shares per (gateway MAC, port id); rows without a total have none. Mist's
 * interface_name is resolved to the port id through the gateway's WAN interfaces (`ports`, from the gateways
 * snapshot), as VPN path ports are (vpn-peers/ports.ts: SSR may name a WAN interface there); a name that cannot be
 * resolved is kept as it is and counted in `unresolved`. Two rows naming one port (by id and by name) are left
 * to the renderer's one duplicate rule (first wins, counted; exposition.ts). Pure apart from `unresolved`.
 */
export function interfaceRecords(pair: DegradedPair, body: MistImpactedInterfaces, ports: PortsByMac = new Map(), unresolved = { ports: 0 }): Mapped<SleDetailsRecord> {
  const v = validateRecords(body.interfaces, ImpactedInterfaceSchema);
  const records: SleDetailsRecord[] = [];
  for (const row of v.records) {
    const mac = row.gateway_mac ?? row.switch_mac ?? '';
    const ratio = rowShare(row.degraded, row.total);
    if (ratio === null) continue;
    const port = resolvePort(ports, mac, row.interface_name);
    if (!port) unresolved.ports += 1;
    records.push({ kind: 'interface', site_id: pair.site_id, sle: pair.sle, mac, port_id: port?.port_id ?? row.interface_name, degraded_ratio: ratio });
  }
  return { records, dropped: v.dropped };
}

/** impacted-gateways rows as degraded shares per gateway MAC. Pure. */
export function gatewayRecords(pair: DegradedPair, body: MistImpactedGateways): Mapped<SleDetailsRecord> {
  const v = validateRecords(body.gateways, ImpactedGatewaySchema);
  const records: SleDetailsRecord[] = [];
  for (const row of v.records) {
    const ratio = rowShare(row.degraded, row.total);
    if (ratio === null) continue;
    records.push({ kind: 'gateway', site_id: pair.site_id, sle: pair.sle, mac: row.gateway_mac, degraded_ratio: ratio });
  }
  return { records, dropped: v.dropped };
}

/** Mist's threshold as it is (units vary by SLE: %, ms, …). Pure. */
export function thresholdRecord(pair: Pick<DegradedPair, 'site_id' | 'sle'>, t: MistSleThreshold): SleThresholdRecord {
  const value = t.threshold !== undefined && Number.isFinite(t.threshold) ? t.threshold : null;
  return { kind: 'threshold', site_id: pair.site_id, sle: pair.sle, threshold: value, units: t.units ?? '', direction: t.direction ?? '', age_cycles: 0 };
}

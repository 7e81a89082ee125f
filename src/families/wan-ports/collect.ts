import type { FamilyContext, FamilyPage } from '../../collect/family.js';
import { searchGatewayPorts } from '../../mist/endpoints.js';
import type { Cursor } from '../../mist/types.js';
import { narrowRecords } from '../define-records.js';
import { GatewayRecordSchema, gatewaysRecords, type GatewayRecord } from '../gateways/records.js';
import type { WanPortRecord } from './records.js';

export interface PortIn {
  readonly site_id: string;
  readonly mac: string;
  readonly port_id: string;
  readonly up?: boolean | null | undefined;
  readonly disabled?: boolean | null | undefined;
  readonly speed?: number | null | undefined;
  readonly rx_bytes?: number | null | undefined;
  readonly tx_bytes?: number | null | undefined;
  readonly rx_pkts?: number | null | undefined;
  readonly tx_pkts?: number | null | undefined;
  readonly last_flapped?: number | null | undefined;
  readonly jitter?: number | null | undefined;
  readonly latency?: number | null | undefined;
  readonly loss?: number | null | undefined;
}

export type WanNames = ReadonlyMap<string, { wan_name: string; wan_type: string }>;

/** The part of a stored gateway record the join needs, validated where it leaves the store. */
const StoredGateway = narrowRecords(gatewaysRecords, GatewayRecordSchema.pick({ mac: true, wan_interfaces: true }));

export function wanNamesFrom(gateways: readonly Pick<GatewayRecord, 'mac' | 'wan_interfaces'>[]): WanNames {
  const out = new Map<string, { wan_name: string; wan_type: string }>();
  for (const g of gateways) for (const w of g.wan_interfaces) out.set(`${g.mac}|${w.port_id}`, { wan_name: w.wan_name, wan_type: w.wan_type });
  return out;
}

const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
/** Mist's byte and packet counters count up from the gateway's boot: one below zero is a corrupt value, unknown (not a counter reset). */
const counter = (v: number | null | undefined): number | null => { const n = num(v); return n === null || n < 0 ? null : n; };

/**
 * A WAN port in base units: Mist's speed is Mbps (→ bytes/s), jitter and latency ms (→ s), loss a
 * percentage (→ ratio). Quality fields are absent when the port is down: unknown stays null, never 0.
 */
export function mapWanPort(p: PortIn, names: WanNames): WanPortRecord {
  const known = names.get(`${p.mac}|${p.port_id}`);
  const speed = num(p.speed);
  const speedBytes = speed === null || speed <= 0 ? null : (speed * 1e6) / 8;
  const ms = (v: number | null | undefined): number | null => (num(v) === null ? null : (v as number) / 1000);
  return {
    site_id: p.site_id,
    mac: p.mac,
    port_id: p.port_id,
    wan_name: known?.wan_name ?? p.port_id,
    wan_type: known?.wan_type ?? 'unknown',
    up: p.up ?? null,
    disabled: p.disabled ?? null,
    speed_bytes_per_second: speedBytes,
    rx_bytes: counter(p.rx_bytes),
    tx_bytes: counter(p.tx_bytes),
    rx_packets: counter(p.rx_pkts),
    tx_packets: counter(p.tx_pkts),
    last_flapped_seconds: num(p.last_flapped),
    jitter_seconds: ms(p.jitter),
    latency_seconds: ms(p.latency),
    loss_ratio: num(p.loss) === null ? null : (p.loss as number) / 100,
  };
}

/**
 * WAN ports: stats/ports/search for gateways (WAN and LAN rows come back; LAN rows are filtered out by the
 * endpoint), joined with wan_name/wan_type from the current gateways snapshot (if_stat).
 */
export async function* collectWanPorts(ctx: FamilyContext, from: Cursor | null): AsyncGenerator<FamilyPage<WanPortRecord>> {
  const gateways = await ctx.readRecords(StoredGateway);
  if (!gateways) ctx.log.info('no gateways snapshot yet: wan_name falls back to port_id');
  const names = wanNamesFrom(gateways ?? []);
  for await (const page of ctx.api.pages(searchGatewayPorts(ctx.orgId), { signal: ctx.signal, ...(from ? { from } : {}) })) {
    yield { records: page.records.map((p) => mapWanPort(p, names)), dropped: page.dropped, cursor: page.cursor };
  }
}

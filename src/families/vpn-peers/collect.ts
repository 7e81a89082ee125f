import { addDrops, type FamilyContext, type FamilyPage } from '../../collect/family.js';
import { searchVpnPeers } from '../../mist/endpoints.js';
import type { Cursor } from '../../mist/types.js';
import { narrowRecords } from '../define-records.js';
import { GatewayRecordSchema, gatewaysRecords } from '../gateways/records.js';
import { countUnresolved, resolvePath, wanInterfacesByMac, type PortsByMac, type Unresolved } from './ports.js';
import type { VpnPathRecord } from './records.js';

export interface PeerPathIn {
  readonly site_id?: string | null | undefined;
  readonly mac: string;
  readonly router_name?: string | null | undefined;
  readonly port_id: string;
  readonly peer_mac: string;
  readonly peer_router_name?: string | null | undefined;
  readonly peer_port_id: string;
  readonly peer_site_id?: string | null | undefined;
  readonly type?: string | null | undefined;
  readonly up?: boolean | null | undefined;
  readonly is_active?: boolean | null | undefined;
  readonly latency?: number | null | undefined;
  readonly jitter?: number | null | undefined;
  readonly loss?: number | null | undefined;
  readonly mos?: number | null | undefined;
  readonly mtu?: number | null | undefined;
  readonly uptime?: number | null | undefined;
  readonly last_seen?: number | null | undefined;
}

/**
 * An `uptime` this large cannot be a duration (over 31 years): the spec's own example carries an epoch there
 * (1527128046 beside last_seen 1619518709), so such a value is taken as the time the path came up.
 */
export const UPTIME_EPOCH_THRESHOLD = 1e9;

const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/**
 * When the path came up, Unix seconds: last_seen − uptime (floored, so it does not wobble with last_seen's
 * milliseconds), or uptime itself when it is an epoch. Unknown (null) when the path is down or Mist gives no
 * uptime or no last_seen to anchor it.
 */
export function upSince(p: Pick<PeerPathIn, 'up' | 'uptime' | 'last_seen'>): number | null {
  const uptime = num(p.uptime);
  if (p.up === false || uptime === null || uptime < 0) return null;
  if (uptime >= UPTIME_EPOCH_THRESHOLD) return Math.floor(uptime);
  const lastSeen = num(p.last_seen);
  return lastSeen === null ? null : Math.floor(lastSeen - uptime);
}

/**
 * A VPN peer path in base units: Mist's latency and jitter are ms (→ s), loss a percentage (→ ratio); MOS and
 * MTU as they are. Rows without quality (down paths, and some up ones) keep it absent: null, never 0.
 */
export function mapVpnPath(p: PeerPathIn): VpnPathRecord {
  const ms = (v: number | null | undefined): number | null => (num(v) === null ? null : (v as number) / 1000);
  return {
    site_id: p.site_id ?? null,
    mac: p.mac,
    port_id: p.port_id,
    wan_name: null,
    peer_mac: p.peer_mac,
    peer_port_id: p.peer_port_id,
    peer_wan_name: null,
    path_type: p.type ?? 'unknown',
    peer_site_id: p.peer_site_id ?? null,
    router_name: p.router_name ?? null,
    peer_router_name: p.peer_router_name ?? null,
    up: p.up ?? null,
    is_active: p.is_active ?? null,
    loss_ratio: num(p.loss) === null ? null : (p.loss as number) / 100,
    latency_seconds: ms(p.latency),
    jitter_seconds: ms(p.jitter),
    mos: num(p.mos),
    mtu_bytes: num(p.mtu),
    up_since_seconds: upSince(p),
  };
}

/**
 * Maps one page of rows, ports resolved to port ids through `ports` (see ports.ts; unresolved ones are added
 * to `unresolved`). Repeats of a path (the spec's own example has one; overlapping pages; a resumed walk; one
 * port reported by name and by id) are stored as they come: every reader of the snapshot removes them by one
 * rule, the first record of a series identity wins (src/metrics/identity.ts): the renderer, and ctx.readRecords
 * for the circuits family's join, so a repeated active path is never counted twice. Pure apart from adding to
 * `unresolved`.
 */
export function mapVpnPathRows(rows: readonly PeerPathIn[], ports: PortsByMac = new Map(), unresolved?: Unresolved): { records: VpnPathRecord[]; dropped: Record<string, number> } {
  const records: VpnPathRecord[] = [];
  for (const row of rows) {
    const resolved = resolvePath(mapVpnPath(row), ports);
    if (unresolved) countUnresolved(unresolved, resolved);
    records.push(resolved.record);
  }
  return { records, dropped: {} };
}

/**
 * VPN peer paths of every gateway (ipsec and svr) from stats/vpn_peers/search, walked page by page (resumable).
 * Ports are resolved to port ids through the gateways snapshot (collected before), so every path joins onto its
 * circuit by (org_id, site_id, mac, port_id); rows that cannot be resolved are logged with their count.
 */
const StoredGateway = narrowRecords(gatewaysRecords, GatewayRecordSchema.pick({ mac: true, wan_interfaces: true }));

export async function* collectVpnPeers(ctx: FamilyContext, from: Cursor | null): AsyncGenerator<FamilyPage<VpnPathRecord>> {
  const gateways = await ctx.readRecords(StoredGateway);
  if (!gateways) ctx.log.warn('no gateways snapshot: VPN path ports keep what Mist reports (a WAN name on svr rows) until the gateways family has run');
  const ports = wanInterfacesByMac(gateways ?? []);
  const unresolved: Unresolved = { port: 0, peerPort: 0, paths: 0 };
  for await (const page of ctx.api.pages(searchVpnPeers(ctx.orgId), { signal: ctx.signal, ...(from ? { from } : {}) })) {
    const { records, dropped } = mapVpnPathRows(page.records, ports, unresolved);
    addDrops(dropped, page.dropped);
    if (page.cursor === null && unresolved.paths > 0) {
      ctx.log.warn({ paths: unresolved.paths, port: unresolved.port, peer_port: unresolved.peerPort },
        'VPN paths whose port or peer port is not among the gateway\'s WAN interfaces: they keep what Mist reports and may not join onto a WAN port');
    }
    yield { records, dropped, cursor: page.cursor };
  }
}

import type { CircuitContract, Inventory, InventoryEntry } from './types.js';

/** A site as the sites snapshot knows it. */
export interface MatchSite {
  readonly site_id: string;
  readonly name: string;
}

/** A WAN port as the wan-ports snapshot knows it. */
export interface MatchPort {
  readonly site_id: string;
  readonly mac: string;
  readonly port_id: string;
  readonly wan_name: string;
}

export interface UnmatchedEntry {
  readonly entry: InventoryEntry;
  readonly reason: 'unknown site' | 'unknown port' | 'ambiguous site';
}

export interface InventoryMatch {
  /** Contract by `portKey(site_id, mac, port_id)`. */
  readonly byPort: ReadonlyMap<string, CircuitContract>;
  /** Entries that name a site or port this org's snapshots do not have: reported, never silently ignored. */
  readonly unmatched: readonly UnmatchedEntry[];
  /** Entries that apply to this org: those without an `org`, and those whose `org` is this org's id. */
  readonly applicable: number;
}

export const portKey = (siteId: string, mac: string, portId: string): string => `${siteId}|${mac}|${portId}`;

const norm = (s: string): string => s.trim().toLowerCase();

/**
 * Matches inventory entries onto the org's WAN ports. An entry's site is a site id (exact) or a site name
 * (case-insensitive; a name two sites share is ambiguous and matches none); its port is a port_id or a wan_name
 * (case-insensitive), on every gateway of the site (HA pairs carry the same circuit on both nodes). When two
 * entries name the same port, the later one in the file wins. Site ids are known from the sites snapshot and
 * from the ports themselves, so entries by site id match while the sites snapshot is missing (names need it).
 * With several orgs (several tokens), one file serves them all: an entry with an `org` applies to that org only;
 * one without applies to every org, so each org reports the unscoped entries it cannot place. `orgId` omitted:
 * every entry applies. Pure.
 */
export function matchInventory(inventory: Inventory | null, sites: readonly MatchSite[], ports: readonly MatchPort[], orgId?: string): InventoryMatch {
  const byPort = new Map<string, CircuitContract>();
  const unmatched: UnmatchedEntry[] = [];
  if (!inventory) return { byPort, unmatched, applicable: 0 };
  const siteIds = new Set([...sites.map((s) => s.site_id), ...ports.map((p) => p.site_id)]);
  const byName = new Map<string, string[]>();
  for (const s of sites) {
    const list = byName.get(norm(s.name)) ?? [];
    list.push(s.site_id);
    byName.set(norm(s.name), list);
  }
  const portsBySite = new Map<string, MatchPort[]>();
  for (const p of ports) {
    const list = portsBySite.get(p.site_id) ?? [];
    list.push(p);
    portsBySite.set(p.site_id, list);
  }
  let applicable = 0;
  for (const entry of inventory.entries) {
    if (entry.org !== null && orgId !== undefined && entry.org !== orgId.toLowerCase()) continue;
    applicable += 1;
    let siteId: string | undefined;
    if (siteIds.has(entry.site)) siteId = entry.site;
    else {
      const named = byName.get(norm(entry.site)) ?? [];
      if (named.length > 1) {
        unmatched.push({ entry, reason: 'ambiguous site' });
        continue;
      }
      siteId = named[0];
    }
    if (siteId === undefined) {
      unmatched.push({ entry, reason: 'unknown site' });
      continue;
    }
    const wanted = norm(entry.port);
    const hits = (portsBySite.get(siteId) ?? []).filter((p) => norm(p.port_id) === wanted || norm(p.wan_name) === wanted);
    if (hits.length === 0) {
      unmatched.push({ entry, reason: 'unknown port' });
      continue;
    }
    const contract: CircuitContract = {
      downBytesPerSecond: entry.downBytesPerSecond, upBytesPerSecond: entry.upBytesPerSecond,
      provider: entry.provider, circuitId: entry.circuitId, role: entry.role,
    };
    for (const p of hits) byPort.set(portKey(p.site_id, p.mac, p.port_id), contract);
  }
  return { byPort, unmatched, applicable };
}

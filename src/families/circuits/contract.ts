import { portKey, type InventoryMatch, type UnmatchedEntry } from '../../inventory/match.js';
import type { CircuitContract, Inventory, InventoryStatus } from '../../inventory/types.js';
import type { BandwidthSource, CircuitInventoryRecord, CircuitUnmatchedRecord } from './records.js';

/**
 * A circuit's contract: what the circuit inventory says about a WAN port, with the port's link speed where it
 * says nothing. Mist reports only link speed, but a 100 Mb/s broadband line on a 1 Gb/s port is 10 % utilised
 * at full load, so utilisation must divide by the contracted bandwidth. Pure functions.
 */

export interface CircuitTerms {
  readonly receive: number | null;
  readonly transmit: number | null;
  readonly source: BandwidthSource;
  readonly provider: string | null;
  readonly circuitId: string | null;
}

/**
 * Bandwidth per direction: the inventory's down (receive) and up (transmit) where given, else the port speed,
 * each direction on its own. `source` is `inventory` when both directions come from the inventory, `port_speed`
 * when both come from the speed (no entry, or an entry without bandwidth), `mixed` when the entry gives one.
 */
export function circuitTerms(speed: number | null, contract: CircuitContract | undefined): CircuitTerms {
  const down = contract?.downBytesPerSecond ?? null;
  const up = contract?.upBytesPerSecond ?? null;
  const fromInventory = (down !== null ? 1 : 0) + (up !== null ? 1 : 0);
  return {
    receive: down ?? speed,
    transmit: up ?? speed,
    source: fromInventory === 2 ? 'inventory' : fromInventory === 0 ? 'port_speed' : 'mixed',
    provider: contract?.provider ?? null,
    circuitId: contract?.circuitId ?? null,
  };
}

/** The inventory's role for each port of one gateway that has one (port_id → role), for assignRoles' `pinned`. */
export function pinnedRoles(contracts: ReadonlyMap<string, CircuitContract>, siteId: string, mac: string, portIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const portId of portIds) {
    const role = contracts.get(portKey(siteId, mac, portId))?.role;
    if (role != null) out.set(portId, role);
  }
  return out;
}

/**
 * The records reporting the inventory itself (none without an inventory): the entries that apply to this org,
 * when the inventory in use was read, the file loader's health where the source reports it (whether the last
 * read was accepted, reads rejected since the collector started, problems of the last rejected read), and
 * every unmatched entry.
 */
export function inventoryRecords(inventory: Inventory | null, match: InventoryMatch, status?: InventoryStatus): (CircuitInventoryRecord | CircuitUnmatchedRecord)[] {
  if (!inventory) return [];
  const health = status ? { load_ok: status.ok, load_failures: status.failures, load_problems: status.problems.length } : {};
  return [
    { kind: 'inventory', entries: match.applicable, loaded_seconds: Math.floor(inventory.loadedAt / 1000), ...health },
    ...match.unmatched.map((u): CircuitUnmatchedRecord => ({ kind: 'unmatched', site: u.entry.site, port: u.entry.port, line: u.entry.line, reason: u.reason })),
  ];
}

/** A stable signature of a set of unmatched entries: the circuits family warns once per distinct set. */
export function unmatchedSignature(unmatched: readonly UnmatchedEntry[]): string {
  return unmatched.map((u) => `${u.entry.line}|${u.entry.site}|${u.entry.port}|${u.reason}`).sort().join('\n');
}

/**
 * The circuit inventory (CIRCUIT_INVENTORY_FILE): what the operator knows about each WAN circuit and Mist does
 * not — contracted bandwidth per direction (asymmetric lines are common), provider, circuit id and role. Keyed by
 * site (id or name) and port (port_id or wan_name). Loaded and validated by ./load.ts, matched against the
 * collected circuits by ./match.ts (pure).
 */

/** What an entry says about one circuit; null where the file leaves a field empty. */
export interface CircuitContract {
  /** Contracted downstream bandwidth (what the port receives), bytes per second. */
  readonly downBytesPerSecond: number | null;
  /** Contracted upstream bandwidth (what the port transmits), bytes per second. */
  readonly upBytesPerSecond: number | null;
  readonly provider: string | null;
  readonly circuitId: string | null;
  /** Overrides CIRCUIT_ROLES for this port (a role name as CIRCUIT_ROLES uses: primary, secondary, …). */
  readonly role: string | null;
}

/** One entry of the file, with where it came from (for messages and the unmatched-entry metric). */
export interface InventoryEntry extends CircuitContract {
  /** The site as written: a Mist site id or a site name (names compare case-insensitively, trimmed). */
  readonly site: string;
  /** The port as written: a port_id (ge-0/0/0) or a wan_name (wan1), compared case-insensitively. */
  readonly port: string;
  /** 1-based line (CSV) or entry number (YAML) in the file. */
  readonly line: number;
  /** The Mist org id the entry is scoped to (lowercase), for a file shared by several orgs; null: every org. */
  readonly org: string | null;
}

export interface Inventory {
  /** The file it was read from. */
  readonly source: string;
  readonly entries: readonly InventoryEntry[];
  /** When it was (re-)read, Unix ms. */
  readonly loadedAt: number;
}

/** What the file watcher knows (for self-metrics and logs); see ./watch.ts. */
export interface InventoryStatus {
  readonly file: string;
  /** Whether the last read of the file was accepted (false: the last good inventory is still in use). */
  readonly ok: boolean;
  /** Entries of the inventory in use (the last good one). */
  readonly entries: number;
  /** When the inventory in use was read, Unix ms. */
  readonly loadedAt: number;
  /** When the file was last read or checked for a change, Unix ms. */
  readonly checkedAt: number;
  /** Reads accepted since start (the start-up read included). */
  readonly loads: number;
  /** Reads rejected since start (bad content or unreadable file). */
  readonly failures: number;
  /** Problems of the last rejected read while it is the latest; empty when ok. */
  readonly problems: readonly string[];
}

/**
 * The live inventory: the last good read of the file (null: no file configured, or none read yet). A watched
 * file's source also carries `status` (absent when there is no loader, e.g. `() => null`).
 */
export interface InventorySource {
  (): Inventory | null;
  readonly status?: () => InventoryStatus;
}

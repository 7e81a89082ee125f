import { ROLE_NAME } from '../collect/circuit-roles.js';
import type { InventoryEntry } from './types.js';

/** One entry as read from the file, before validation: column → text as written (trimmed). */
export interface RawEntry {
  /** CSV: the line; YAML: the entry number. Becomes InventoryEntry.line. */
  readonly line: number;
  /** How problems name the entry: "line 4", "entry #3 (line 12)". */
  readonly where: string;
  readonly fields: ReadonlyMap<string, string>;
}

/**
 * Every column (CSV) or key (YAML) the inventory knows; `notes` is for the operator and ignored; `org` (a Mist
 * org id) scopes an entry to one org when one file serves several.
 */
export const INVENTORY_COLUMNS = ['site', 'port', 'down_mbps', 'up_mbps', 'bandwidth_mbps', 'provider', 'circuit_id', 'role', 'notes', 'org'] as const;

/** Mb/s to bytes/s. */
export const MBPS_TO_BYTES_PER_SECOND = 1e6 / 8;
/** Above this (1 Tb/s) a value is a typo (kb/s or b/s written as Mb/s). */
const MAX_MBPS = 1_000_000;
const NUMBER = /^(\d+(\.\d*)?|\.\d+)$/;
/** A Mist org id: a UUID. */
const ORG_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT = 200;

const norm = (s: string): string => s.trim().toLowerCase();

/**
 * Validates raw entries into inventory entries, listing every problem (each naming its entry), never stopping
 * at the first. Pure. The caller rejects the whole file when any problem is found: a half-applied inventory
 * would silently misreport the circuits whose lines were dropped.
 */
export function validateEntries(raw: readonly RawEntry[]): { entries: InventoryEntry[]; problems: string[] } {
  const entries: InventoryEntry[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const r of raw) {
    const before = problems.length;
    const say = (message: string): void => void problems.push(`${r.where}: ${message}`);
    for (const key of r.fields.keys()) {
      if (!(INVENTORY_COLUMNS as readonly string[]).includes(key)) say(`unknown column "${key}" (columns: ${INVENTORY_COLUMNS.join(', ')})`);
    }
    const text = (key: string): string | null => {
      const v = r.fields.get(key) ?? '';
      if (v.length > MAX_TEXT) say(`${key} is longer than ${MAX_TEXT} characters`);
      return v === '' ? null : v;
    };
    const site = text('site');
    const port = text('port');
    if (site === null) say('site is missing (a Mist site id or site name)');
    if (port === null) say('port is missing (a port_id such as ge-0/0/0 or a wan_name such as wan1)');
    const mbps = (key: string): number | null => {
      const v = r.fields.get(key) ?? '';
      if (v === '') return null;
      const n = Number(v);
      if (!NUMBER.test(v)) say(Number.isFinite(n) && n <= 0 ? `${key} ${v} must be above 0` : `${key} "${v}" is not a number of Mb/s (e.g. 100 or 12.5)`);
      else if (n <= 0) say(`${key} ${v} must be above 0`);
      else if (n > MAX_MBPS) say(`${key} ${v} is above ${MAX_MBPS} Mb/s (1 Tb/s): written in kb/s or b/s?`);
      else return n;
      return null;
    };
    let down = mbps('down_mbps');
    let up = mbps('up_mbps');
    const both = mbps('bandwidth_mbps');
    if (both !== null) {
      if ((r.fields.get('down_mbps') ?? '') !== '' || (r.fields.get('up_mbps') ?? '') !== '') say('give bandwidth_mbps (symmetric) or down_mbps/up_mbps, not both');
      down = both;
      up = both;
    }
    const role = text('role');
    if (role !== null && !ROLE_NAME.test(role)) say(`role "${role}" must be lowercase letters, digits and _ starting with a letter, as in CIRCUIT_ROLES (e.g. primary, secondary, backup)`);
    const provider = text('provider');
    const circuitId = text('circuit_id');
    const org = text('org');
    if (org !== null && !ORG_ID.test(org)) say(`org "${org}" is not a Mist org id (a UUID such as 6748cfa6-4e12-11e6-9188-0242ac110007; see GET /api/v1/self)`);
    if (site !== null && port !== null) {
      const key = `${norm(org ?? '')}|${norm(site)}|${norm(port)}`;
      const first = seen.get(key);
      if (first !== undefined) say(`site "${site}" port "${port}"${org === null ? '' : ` of org ${org}`} is already given at ${first}`);
      else seen.set(key, r.where);
    }
    if (problems.length > before || site === null || port === null) continue;
    entries.push({
      site, port, line: r.line, provider, circuitId, role, org: org === null ? null : norm(org),
      downBytesPerSecond: down === null ? null : down * MBPS_TO_BYTES_PER_SECOND,
      upBytesPerSecond: up === null ? null : up * MBPS_TO_BYTES_PER_SECOND,
    });
  }
  if (raw.length === 0) problems.push('the file has no entries (an inventory needs at least one circuit; unset CIRCUIT_INVENTORY_FILE to run without one)');
  return { entries, problems };
}

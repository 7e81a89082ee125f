import type { FamilyCatalogue } from '../metrics/types.js';
import { alarms } from './alarms/index.js';
import { circuits } from './circuits/index.js';
import type { FamilyModule, SizeProbe } from './define.js';
import { events } from './events/index.js';
import { gateways } from './gateways/index.js';
import { org } from './org/index.js';
import { sites } from './sites/index.js';
import { sleDetails } from './sle-details/index.js';
import { sle } from './sle/index.js';
import { vpnPeers } from './vpn-peers/index.js';
import { wanPorts } from './wan-ports/index.js';

/**
 * THE list of families, in start-up and exposition order (a family that joins another comes after it).
 * Adding a family: its folder (records, collect, catalogue, index) and one line here. Everything else derives
 * from this list: the collector's jobs, the config's family names, the plan's size probes, the exporter's
 * catalogues, docs/metrics.md.
 */
export const FAMILIES: readonly FamilyModule[] = [
  org,
  sites,
  gateways,
  wanPorts,
  vpnPeers,
  circuits,
  sle,
  sleDetails,
  alarms,
  events,
] as readonly unknown[] as readonly FamilyModule[];

/** The family names: the config keys of COLLECTOR_INTERVALS, the `family` label values. */
export const FAMILY_NAMES: readonly string[] = FAMILIES.map((f) => f.name);

/** Every family's metrics, in exposition order. */
export const FAMILY_CATALOGUES: readonly FamilyCatalogue<never>[] = FAMILIES.map((f) => f.catalogue as unknown as FamilyCatalogue<never>);

/** Every count the plan needs, by key, from every family's sizeProbes (measureOrg makes one call each). */
export const SIZE_PROBES: ReadonlyMap<string, SizeProbe> = new Map(FAMILIES.flatMap((f) => Object.entries(f.sizeProbes)));

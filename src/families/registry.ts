import type { FamilyCatalogue } from '../metrics/types.js';
import { alarmsFamily } from './alarms/index.js';
import { circuitsFamily } from './circuits/index.js';
import type { FamilyModule, SizeProbe } from './define.js';
import { eventsFamily } from './events/index.js';
import { gatewaysFamily } from './gateways/index.js';
import { orgFamily } from './org/index.js';
import { sitesFamily } from './sites/index.js';
import { sleDetailsFamily } from './sle-details/index.js';
import { sleFamily } from './sle/index.js';
import { vpnPeersFamily } from './vpn-peers/index.js';
import { wanPortsFamily } from './wan-ports/index.js';

/**
 * THE list of families, in start-up and exposition order (a family that joins another comes after it).
 * Adding a family: its folder (records, collect, catalogue, index) and one line here. Everything else derives
 * from this list: the collector's jobs, the config's family names, the plan's size probes, the exporter's
 * catalogues, docs/metrics.md.
 */
export const FAMILIES: readonly FamilyModule[] = [
  orgFamily,
  sitesFamily,
  gatewaysFamily,
  wanPortsFamily,
  vpnPeersFamily,
  circuitsFamily,
  sleFamily,
  sleDetailsFamily,
  alarmsFamily,
  eventsFamily,
] as readonly unknown[] as readonly FamilyModule[];

/** The family names: the config keys of COLLECTOR_INTERVALS, the `family` label values. */
export const FAMILY_NAMES: readonly string[] = FAMILIES.map((f) => f.name);

/** Every family's metrics, in exposition order. */
export const FAMILY_CATALOGUES: readonly FamilyCatalogue<never>[] = FAMILIES.map((f) => f.catalogue as unknown as FamilyCatalogue<never>);

/** Every count the plan needs, by key, from every family's sizeProbes (measureOrg makes one call each). */
export const SIZE_PROBES: ReadonlyMap<string, SizeProbe> = new Map(FAMILIES.flatMap((f) => Object.entries(f.sizeProbes)));

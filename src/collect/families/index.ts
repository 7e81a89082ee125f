import type { Family } from '../family.js';
import { gatewaysFamily } from './gateways.js';
import { orgFamily } from './org.js';
import { sitesFamily } from './sites.js';
import { wanPortsFamily } from './wan-ports.js';

/** Every family, in start-up order (a family that joins another comes after it). */
export const FAMILIES: readonly Family[] = [orgFamily, sitesFamily, gatewaysFamily, wanPortsFamily] as Family[];

import type { Family } from '../family.js';
import { alarmsFamily } from './alarms.js';
import { circuitsFamily } from './circuits.js';
import { eventsFamily } from './events.js';
import { gatewaysFamily } from './gateways.js';
import { orgFamily } from './org.js';
import { sitesFamily } from './sites.js';
import { sleDetailsFamily } from './sle-details.js';
import { sleFamily } from './sle.js';
import { vpnPeersFamily } from './vpn-peers.js';
import { wanPortsFamily } from './wan-ports.js';

/** Every family, in start-up order (a family that joins another comes after it). */
export const FAMILIES: readonly Family[] = [orgFamily, sitesFamily, gatewaysFamily, wanPortsFamily, vpnPeersFamily, circuitsFamily, sleFamily, sleDetailsFamily, alarmsFamily, eventsFamily] as Family[];

import type { SimOrg } from '../model/types.js';
import type { AlarmBook } from './alarms.js';
import type { EventLog } from './events.js';
import type { History } from './history.js';
import type { IncidentBook } from './incidents.js';
import type { SleBuckets } from './sle.js';
import type { SimState } from './state.js';

/** What the engine's step functions share. Built once by SimEngine; the step modules never create state. */
export interface EngineContext {
  readonly org: SimOrg;
  readonly state: SimState;
  readonly seed: number;
  readonly incidents: IncidentBook;
  readonly events: EventLog;
  readonly alarms: AlarmBook;
  readonly history: History;
  /** wan-link-health per WAN port. */
  readonly portSle: SleBuckets;
  /** All three SLE metrics per site. */
  readonly siteSle: SleBuckets;
  readonly pathsByGateway: readonly (readonly number[])[];
  /** Spoke-side paths of each WAN port. */
  readonly pathsByPort: readonly (readonly number[])[];
  /** One-way propagation delay of each path from spoke-to-hub distance. */
  readonly pathPropagationMs: Float32Array;
  readonly pathsByHubGateway: ReadonlyMap<number, readonly number[]>;
}

/** Streams for keyed randomness: one per independent decision, so adding one never shifts another. */
export const STREAM = {
  outage: 1, outageLength: 2, reboot: 3, flap: 4, flapLength: 5, demand: 6, quality: 7, pathQuality: 8, cpu: 9, lte: 10, upload: 11,
} as const;

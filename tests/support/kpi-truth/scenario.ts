import type { TestSim } from '../sim-server.js';
import type { Truth, TruthSite } from '../truth.js';

/**
 * The forced incidents of the KPI truth run, at collection minutes (forced just before that minute's collection,
 * so the state a snapshot shows is the state of its whole minute). Each hits its own spoke site, so their effects
 * are told apart: long congestion (crosses 70/80/90 % for over an hour; a second, shorter one later makes
 * cumulative and continuous differ), two flaps of a primary, a site outage, a failover to the secondary, a
 * reboot (counters reset).
 */
export interface ForcedIncident {
  readonly minute: number;
  readonly kind: 'congestion' | 'flap' | 'outage' | 'failover' | 'reboot';
  /** Index into the chosen sites (see chooseSites). */
  readonly site: number;
  readonly minutes: number;
}

export const INCIDENTS: readonly ForcedIncident[] = [
  { minute: 150, kind: 'congestion', site: 0, minutes: 90 },
  { minute: 300, kind: 'flap', site: 1, minutes: 1 },
  { minute: 310, kind: 'flap', site: 1, minutes: 2 },
  { minute: 480, kind: 'outage', site: 2, minutes: 20 },
  { minute: 660, kind: 'failover', site: 3, minutes: 45 },
  { minute: 840, kind: 'reboot', site: 4, minutes: 3 },
  { minute: 1200, kind: 'congestion', site: 0, minutes: 30 },
  { minute: 1410, kind: 'failover', site: 3, minutes: 20 },
  { minute: 1470, kind: 'outage', site: 1, minutes: 10 },
];

/** Five spoke sites with a secondary circuit (a failover needs one), steady ones first. */
export function chooseSites(truth: Truth): TruthSite[] {
  const spokes = truth.sites.filter((s) => !s.is_hub && s.circuits.length >= 2);
  const steady = spokes.filter((s) => !s.circuits.some((c) => c.flappy_trait || c.congested_trait));
  const chosen = [...steady, ...spokes.filter((s) => !steady.includes(s))].slice(0, 5);
  if (chosen.length < 5) throw new Error(`the org has ${spokes.length} spoke sites with two circuits; the scenario needs 5`);
  return chosen;
}

export async function forceDue(sim: TestSim, sites: readonly TruthSite[], minute: number): Promise<void> {
  for (const i of INCIDENTS.filter((x) => x.minute === minute)) {
    const res = await sim.admin('POST', '/__sim/incidents', { kind: i.kind, site_id: sites[i.site]!.site_id, duration_seconds: i.minutes * 60 });
    if (res.status !== 201) throw new Error(`forcing ${i.kind} at minute ${minute}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

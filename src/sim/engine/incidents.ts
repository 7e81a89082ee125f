/** Incidents forced through the admin API: they override the random model for their duration. */

export const INCIDENT_KINDS = ['outage', 'flap', 'failover', 'congestion', 'reboot'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Kinds that affect the whole site (its gateway) rather than one WAN port. */
export const SITE_INCIDENT_KINDS: ReadonlySet<IncidentKind> = new Set(['outage', 'reboot']);

/** Default durations (simulated seconds) when the request gives none. */
export const DEFAULT_INCIDENT_SECONDS: Record<IncidentKind, number> = { outage: 900, flap: 60, failover: 600, congestion: 900, reboot: 180 };

export interface Incident {
  readonly id: string;
  readonly kind: IncidentKind;
  readonly siteIndex: number;
  /** The WAN port affected (flap, failover, congestion); undefined for a whole-site outage or reboot. */
  readonly portIndex?: number;
  readonly start: number;
  readonly end: number;
}

export class IncidentBook {
  private incidents: Incident[] = [];
  private created = 0;

  add(i: Omit<Incident, 'id'>): Incident {
    const incident = { ...i, id: `inc-${++this.created}` };
    this.incidents.push(incident);
    return incident;
  }

  active(at: number): Incident[] {
    return this.incidents.filter((i) => i.start <= at && at < i.end);
  }

  all(): readonly Incident[] {
    return this.incidents;
  }

  /** Is the port forced down at `at` (by a flap, a failover, or an outage of its site)? */
  portForcedDown(portIndex: number, siteIndex: number, at: number): boolean {
    return this.incidents.some((i) => i.start <= at && at < i.end &&
      ((i.kind === 'outage' && i.siteIndex === siteIndex) || ((i.kind === 'flap' || i.kind === 'failover') && i.portIndex === portIndex)));
  }

  siteOutage(siteIndex: number, at: number): boolean {
    return this.incidents.some((i) => i.kind === 'outage' && i.siteIndex === siteIndex && i.start <= at && at < i.end);
  }

  /** A reboot of the site's gateway that starts exactly at `at` (its counters reset then). */
  rebootStarting(siteIndex: number, at: number): Incident | undefined {
    return this.incidents.find((i) => i.kind === 'reboot' && i.siteIndex === siteIndex && i.start === at);
  }

  congested(portIndex: number, at: number): boolean {
    return this.incidents.some((i) => i.kind === 'congestion' && i.portIndex === portIndex && i.start <= at && at < i.end);
  }

  /** The earliest start or end strictly after `after`, or Infinity. */
  nextChangeAfter(after: number): number {
    let next = Infinity;
    for (const i of this.incidents) {
      if (i.start > after && i.start < next) next = i.start;
      if (i.end > after && i.end < next) next = i.end;
    }
    return next;
  }

  /** Sites touched by a change at exactly `at`. */
  sitesChangingAt(at: number): Set<number> {
    return new Set(this.incidents.filter((i) => i.start === at || i.end === at).map((i) => i.siteIndex));
  }

  prune(before: number): void {
    this.incidents = this.incidents.filter((i) => i.end >= before);
  }
}

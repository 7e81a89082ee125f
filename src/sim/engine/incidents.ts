/** Incidents forced through the admin API: they override the random model for their duration. */

export const INCIDENT_KINDS = ['outage', 'flap', 'failover', 'congestion'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Default durations (simulated seconds) when the request gives none. */
export const DEFAULT_INCIDENT_SECONDS: Record<IncidentKind, number> = { outage: 900, flap: 60, failover: 600, congestion: 900 };

export interface Incident {
  readonly id: string;
  readonly kind: IncidentKind;
  readonly siteIndex: number;
  /** The WAN port affected (flap, failover, congestion); undefined for a whole-site outage. */
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

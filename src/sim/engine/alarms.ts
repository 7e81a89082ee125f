/** Alarms raised and cleared by the engine, shaped like Mist's alarm rows. */

export interface AlarmDef {
  readonly group: 'infrastructure' | 'marvis';
  readonly severity: 'critical' | 'warn' | 'info';
}

/** The alarm types the simulator raises, and when (see docs/simulator.md). */
export const ALARM_DEFS = {
  gateway_down: { group: 'infrastructure', severity: 'critical' },
  gw_critical_port_down: { group: 'infrastructure', severity: 'warn' },
  bad_wan_uplink: { group: 'marvis', severity: 'warn' },
  port_flap: { group: 'marvis', severity: 'info' },
} as const satisfies Record<string, AlarmDef>;

export type AlarmType = keyof typeof ALARM_DEFS;
const TYPE_INDEX = new Map(Object.keys(ALARM_DEFS).map((t, i) => [t, i]));

function keyOf(type: AlarmType, siteIndex: number): number {
  return (TYPE_INDEX.get(type) ?? 0) * 1e8 + siteIndex;
}

export interface Alarm {
  readonly id: string;
  readonly type: AlarmType;
  readonly siteIndex: number;
  readonly gatewayIndex: number;
  readonly timestamp: number;
  lastSeen: number;
  count: number;
  status: 'open' | 'resolved';
  resolvedTime?: number;
}

export class AlarmBook {
  private readonly all: Alarm[] = [];
  private readonly open = new Map<number, Alarm>();
  private created = 0;

  constructor(private readonly idFor: (n: number) => string, private readonly retentionSeconds: number) {}

  /** Raises the alarm or, when it is already open, counts another incident in its window. */
  raise(type: AlarmType, siteIndex: number, gatewayIndex: number, now: number): Alarm {
    const key = keyOf(type, siteIndex);
    const existing = this.open.get(key);
    if (existing) {
      existing.lastSeen = now;
      existing.count += 1;
      return existing;
    }
    const alarm: Alarm = { id: this.idFor(this.created++), type, siteIndex, gatewayIndex, timestamp: now, lastSeen: now, count: 1, status: 'open' };
    this.all.push(alarm);
    this.open.set(key, alarm);
    return alarm;
  }

  /** Keeps an open alarm's last_seen current without counting a new incident. */
  touch(type: AlarmType, siteIndex: number, now: number): void {
    const alarm = this.open.get(keyOf(type, siteIndex));
    if (alarm) alarm.lastSeen = now;
  }

  clear(type: AlarmType, siteIndex: number, now: number): void {
    const key = keyOf(type, siteIndex);
    const alarm = this.open.get(key);
    if (!alarm) return;
    alarm.status = 'resolved';
    alarm.resolvedTime = Math.floor(now);
    alarm.lastSeen = now;
    this.open.delete(key);
  }

  isOpen(type: AlarmType, siteIndex: number): boolean {
    return this.open.has(keyOf(type, siteIndex));
  }

  /** Alarms whose life [timestamp, last_seen] overlaps [start, end), ordered by timestamp. */
  overlapping(start: number, end: number): Alarm[] {
    return this.all.filter((a) => a.timestamp < end && a.lastSeen >= start);
  }

  openAlarms(): Alarm[] {
    return [...this.open.values()];
  }

  get size(): number {
    return this.all.length;
  }

  trim(now: number): void {
    const cutoff = now - this.retentionSeconds;
    let drop = 0;
    while (drop < this.all.length && this.all[drop]!.status === 'resolved' && this.all[drop]!.lastSeen < cutoff) drop++;
    if (drop > 0) this.all.splice(0, drop);
  }
}

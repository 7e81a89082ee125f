/** The device event log: every transition the engine makes, in time order, as Mist's device_event rows. */

export interface DeviceEvent {
  readonly seq: number;
  readonly type: string;
  readonly timestamp: number;
  readonly siteIndex: number;
  readonly gatewayIndex: number;
  readonly portId?: string;
  readonly text: string;
}

export class EventLog {
  private events: DeviceEvent[] = [];
  private nextSeq = 1;

  constructor(private readonly retentionSeconds: number) {}

  add(e: Omit<DeviceEvent, 'seq'>): void {
    const event = { ...e, seq: this.nextSeq++ };
    // Forced incidents may land between minute steps; keep the log ordered by (timestamp, seq).
    const last = this.events[this.events.length - 1];
    if (!last || last.timestamp <= event.timestamp) {
      this.events.push(event);
      return;
    }
    const at = this.lowerBound(event.timestamp + 1e-9);
    this.events.splice(at, 0, event);
  }

  /** Events with start <= timestamp < end, oldest first. */
  range(start: number, end: number): DeviceEvent[] {
    return this.events.slice(this.lowerBound(start), this.lowerBound(end));
  }

  get size(): number {
    return this.events.length;
  }

  trim(now: number): void {
    const cut = this.lowerBound(now - this.retentionSeconds);
    if (cut > 0) this.events = this.events.slice(cut);
  }

  private lowerBound(ts: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.timestamp < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

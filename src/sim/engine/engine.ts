import { Rng, hashString } from '../random.js';
import type { SimOrg } from '../model/types.js';
import { AlarmBook } from './alarms.js';
import type { EngineContext } from './context.js';
import { EventLog } from './events.js';
import { drawRandomFaults, stepGateway } from './gateway-step.js';
import { History } from './history.js';
import { IncidentBook, type Incident, type IncidentKind } from './incidents.js';
import { finishMinute } from './minute.js';
import { stepPaths } from './paths.js';
import { SLE_METRIC_NAMES, SleBuckets } from './sle.js';
import { SimState } from './state.js';
import { BYTES_PER_PACKET } from './traffic.js';

export interface EngineOptions {
  readonly seed: string;
  readonly historyMinutes: number;
  /** Simulated epoch seconds at which the engine's state begins. */
  readonly start: number;
}

/** Event and alarm retention; Mist's search default window is one day. */
const RETENTION_SECONDS = 2 * 86_400;
/** 10-minute SLE buckets kept: a bit over a day, so `duration=1d` queries are fully covered. */
const SLE_SLOTS = 150;

/**
 * Advances the org through simulated time. State changes only at minute boundaries (random model) and at
 * incident starts and ends; between them rates are constant, so counters at any instant are exact.
 */
export class SimEngine {
  readonly ctx: EngineContext;
  private lastAccum: number;

  constructor(readonly org: SimOrg, opts: EngineOptions) {
    const seed = hashString(opts.seed);
    const idRng = new Rng(hashString(`${opts.seed}:alarm-ids`));
    const alarmIdPrefix = idRng.uuid().slice(0, 24);
    const pathsByGateway: number[][] = org.gateways.map(() => []);
    const pathsByPort: number[][] = org.wanPorts.map(() => []);
    const pathsByHubGateway = new Map<number, number[]>();
    const propagation = new Float32Array(org.peerPaths.length);
    for (const path of org.peerPaths) {
      const spoke = org.wanPorts[path.wanPortIndex]!;
      const hub = org.wanPorts[path.hubPortIndex]!;
      pathsByGateway[spoke.gatewayIndex]!.push(path.index);
      pathsByPort[spoke.index]!.push(path.index);
      const list = pathsByHubGateway.get(hub.gatewayIndex) ?? [];
      list.push(path.index);
      pathsByHubGateway.set(hub.gatewayIndex, list);
      const a = org.sites[spoke.siteIndex]!;
      const b = org.sites[hub.siteIndex]!;
      propagation[path.index] = distanceKm(a.lat, a.lng, b.lat, b.lng) / 100;
    }
    this.ctx = {
      org,
      seed,
      state: new SimState(org, opts.start),
      incidents: new IncidentBook(),
      events: new EventLog(RETENTION_SECONDS),
      alarms: new AlarmBook((n) => `${alarmIdPrefix}${n.toString(16).padStart(12, '0')}`, RETENTION_SECONDS),
      history: new History(org.wanPorts.length, opts.historyMinutes),
      portSle: new SleBuckets(org.wanPorts.length, SLE_SLOTS, ['wan-link-health']),
      siteSle: new SleBuckets(org.sites.length, SLE_SLOTS, SLE_METRIC_NAMES),
      pathsByGateway,
      pathsByPort,
      pathsByHubGateway,
      pathPropagationMs: propagation,
    };
    this.lastAccum = opts.start;
    this.stepAll(opts.start, false);
  }

  /** Simulated time up to which the state is current. */
  get now(): number {
    return this.lastAccum;
  }

  advanceTo(t: number): void {
    while (true) {
      const nextBoundary = (Math.floor(this.lastAccum / 60) + 1) * 60;
      const nextIncident = this.ctx.incidents.nextChangeAfter(this.lastAccum);
      const x = Math.min(nextBoundary, nextIncident);
      if (x > t) break;
      this.accumulate(x);
      if (x === nextBoundary) {
        finishMinute(this.ctx, x / 60 - 1);
        this.stepAll(x, true);
        if ((x / 60) % 60 === 0) this.housekeeping(x);
      } else {
        this.stepIncidentSites(x);
      }
    }
    if (t > this.lastAccum) this.accumulate(t);
  }

  /** Starts an incident now; its effect (and events) are immediate, its end is processed by advanceTo. */
  addIncident(kind: IncidentKind, siteIndex: number, portIndex: number | undefined, durationSeconds: number): Incident {
    const start = this.lastAccum;
    const incident = this.ctx.incidents.add({ kind, siteIndex, portIndex, start, end: start + durationSeconds });
    this.stepIncidentSites(start);
    return incident;
  }

  /** Counter value of a WAN port at the engine's current instant. */
  counters(p: number): { rxBytes: number; txBytes: number; rxPkts: number; txPkts: number } {
    const s = this.ctx.state;
    return { rxBytes: Math.floor(s.rxBytes[p]!), txBytes: Math.floor(s.txBytes[p]!), rxPkts: Math.floor(s.rxPkts[p]!), txPkts: Math.floor(s.txPkts[p]!) };
  }

  private accumulate(t: number): void {
    const dt = t - this.lastAccum;
    if (dt <= 0) return;
    const { org, state: s } = this.ctx;
    for (const port of org.wanPorts) {
      const p = port.index;
      const rx = (s.rxBps[p]! / 8) * dt;
      const tx = (s.txBps[p]! / 8) * dt;
      s.rxBytes[p] = s.rxBytes[p]! + rx;
      s.txBytes[p] = s.txBytes[p]! + tx;
      s.rxPkts[p] = s.rxPkts[p]! + rx / BYTES_PER_PACKET.rx;
      s.txPkts[p] = s.txPkts[p]! + tx / BYTES_PER_PACKET.tx;
      s.minRxBytes[p] = s.minRxBytes[p]! + rx;
      s.minTxBytes[p] = s.minTxBytes[p]! + tx;
      if (s.up[p] === 1) s.minUpSeconds[p] = s.minUpSeconds[p]! + dt;
      if (s.activePort[port.gatewayIndex] === p) s.minActiveSeconds[p] = s.minActiveSeconds[p]! + dt;
    }
    for (let g = 0; g < org.gateways.length; g++) {
      if (s.connected[g] === 0) s.minDisconnectedSeconds[g] = s.minDisconnectedSeconds[g]! + dt;
      for (let k = g * 2; k < g * 2 + 2; k++) {
        s.lanRxBytes[k] = s.lanRxBytes[k]! + (s.lanRxBps[k]! / 8) * dt;
        s.lanTxBytes[k] = s.lanTxBytes[k]! + (s.lanTxBps[k]! / 8) * dt;
      }
    }
    this.lastAccum = t;
  }

  private stepAll(at: number, drawFaults: boolean): void {
    const minute = Math.floor(at / 60);
    for (const gw of this.org.gateways) {
      if (drawFaults) drawRandomFaults(this.ctx, gw, at, minute);
      stepGateway(this.ctx, gw, at, minute);
    }
    stepPaths(this.ctx, this.org.peerPaths.keys(), at, minute);
  }

  private stepIncidentSites(at: number): void {
    const minute = Math.floor(at / 60);
    const paths = new Set<number>();
    for (const siteIndex of this.ctx.incidents.sitesChangingAt(at)) {
      const gw = this.org.gateways[this.org.sites[siteIndex]!.gatewayIndex]!;
      stepGateway(this.ctx, gw, at, minute);
      for (const v of this.ctx.pathsByGateway[gw.index]!) paths.add(v);
      for (const v of this.ctx.pathsByHubGateway.get(gw.index) ?? []) paths.add(v);
    }
    stepPaths(this.ctx, paths, at, minute);
  }

  private housekeeping(at: number): void {
    this.ctx.events.trim(at);
    this.ctx.alarms.trim(at);
    this.ctx.incidents.prune(at - RETENTION_SECONDS);
  }
}

function distanceKm(aLat: number, aLng: number, bLat: number, bLng: number): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((bLat - aLat) * rad) / 2) ** 2 +
    Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(((bLng - aLng) * rad) / 2) ** 2;
  return 12_742 * Math.asin(Math.sqrt(h));
}

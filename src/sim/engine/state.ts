import type { SimOrg } from '../model/types.js';

/** All mutable simulator state in flat typed arrays, indexed like org.wanPorts / org.gateways / org.peerPaths. */
export class SimState {
  // WAN ports
  readonly up: Uint8Array;
  readonly rxBps: Float64Array;
  readonly txBps: Float64Array;
  readonly rxBytes: Float64Array;
  readonly txBytes: Float64Array;
  readonly rxPkts: Float64Array;
  readonly txPkts: Float64Array;
  readonly demandRatio: Float32Array;
  readonly lossPct: Float32Array;
  readonly latencyMs: Float32Array;
  readonly jitterMs: Float32Array;
  readonly lastFlapped: Float64Array;
  readonly randomDownUntil: Float64Array;
  readonly transitions: Uint32Array;
  /** Exponentially decayed transitions per hour, for the port_flap alarm. */
  readonly flapRate: Float32Array;
  // Accumulators of the minute in progress
  readonly minRxBytes: Float64Array;
  readonly minTxBytes: Float64Array;
  readonly minUpSeconds: Float32Array;
  readonly minActiveSeconds: Float32Array;
  readonly minTransitions: Uint16Array;
  // Gateways
  readonly connected: Uint8Array;
  readonly bootTime: Float64Array;
  readonly rebootUntil: Float64Array;
  readonly outageUntil: Float64Array;
  readonly disconnectedSince: Float64Array;
  readonly lastSeen: Float64Array;
  readonly activePort: Int32Array;
  readonly failovers: Uint32Array;
  readonly cpuPct: Float32Array;
  readonly memPct: Float32Array;
  readonly badMinutes: Uint16Array;
  readonly goodMinutes: Uint16Array;
  readonly minDisconnectedSeconds: Float32Array;
  // LAN ports: two per gateway, index gateway*2+k
  readonly lanRxBps: Float64Array;
  readonly lanTxBps: Float64Array;
  readonly lanRxBytes: Float64Array;
  readonly lanTxBytes: Float64Array;
  // VPN peer paths
  readonly pathUp: Uint8Array;
  readonly pathActive: Uint8Array;
  readonly pathUpSince: Float64Array;
  readonly pathLossPct: Float32Array;
  readonly pathLatencyMs: Float32Array;
  readonly pathJitterMs: Float32Array;
  readonly pathMos: Float32Array;
  readonly pathTransitions: Uint32Array;

  constructor(org: SimOrg, start: number) {
    const p = org.wanPorts.length;
    const g = org.gateways.length;
    const v = org.peerPaths.length;
    this.up = new Uint8Array(p);
    this.rxBps = new Float64Array(p);
    this.txBps = new Float64Array(p);
    this.rxBytes = new Float64Array(p);
    this.txBytes = new Float64Array(p);
    this.rxPkts = new Float64Array(p);
    this.txPkts = new Float64Array(p);
    this.demandRatio = new Float32Array(p);
    this.lossPct = new Float32Array(p);
    this.latencyMs = new Float32Array(p);
    this.jitterMs = new Float32Array(p);
    this.lastFlapped = new Float64Array(p);
    this.randomDownUntil = new Float64Array(p);
    this.transitions = new Uint32Array(p);
    this.flapRate = new Float32Array(p);
    this.minRxBytes = new Float64Array(p);
    this.minTxBytes = new Float64Array(p);
    this.minUpSeconds = new Float32Array(p);
    this.minActiveSeconds = new Float32Array(p);
    this.minTransitions = new Uint16Array(p);
    this.connected = new Uint8Array(g);
    this.bootTime = new Float64Array(g);
    this.rebootUntil = new Float64Array(g);
    this.outageUntil = new Float64Array(g);
    this.disconnectedSince = new Float64Array(g);
    this.lastSeen = new Float64Array(g);
    this.activePort = new Int32Array(g).fill(-1);
    this.failovers = new Uint32Array(g);
    this.cpuPct = new Float32Array(g);
    this.memPct = new Float32Array(g);
    this.badMinutes = new Uint16Array(g);
    this.goodMinutes = new Uint16Array(g);
    this.minDisconnectedSeconds = new Float32Array(g);
    this.lanRxBps = new Float64Array(g * 2);
    this.lanTxBps = new Float64Array(g * 2);
    this.lanRxBytes = new Float64Array(g * 2);
    this.lanTxBytes = new Float64Array(g * 2);
    this.pathUp = new Uint8Array(v);
    this.pathActive = new Uint8Array(v);
    this.pathUpSince = new Float64Array(v);
    this.pathLossPct = new Float32Array(v);
    this.pathLatencyMs = new Float32Array(v);
    this.pathJitterMs = new Float32Array(v);
    this.pathMos = new Float32Array(v);
    this.pathTransitions = new Uint32Array(v);

    // Everything starts up and connected; gateways booted some days before the simulation began.
    this.up.fill(1);
    this.connected.fill(1);
    this.pathUp.fill(1);
    org.gateways.forEach((gw, i) => {
      this.bootTime[i] = start - 86_400 * (1 + (gw.index % 40));
      this.lastSeen[i] = start;
    });
    org.wanPorts.forEach((port, i) => {
      this.lastFlapped[i] = this.bootTime[port.gatewayIndex]!;
    });
    this.pathUpSince.fill(start - 86_400);
  }
}

/** The static shape of a simulated Mist org: built once from the seed; only POST /__sim/gateways/{mac}/move mutates it (site slots). */

export type CircuitKind = 'broadband' | 'mpls' | 'lte';
export type CircuitRole = 'primary' | 'secondary' | 'tertiary';
export type PlatformKind = 'srx' | 'ssr';

export interface SimSiteGroup {
  readonly id: string;
  readonly name: string;
  readonly siteIndexes: readonly number[];
}

export interface SimSite {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly countryCode: string;
  readonly timezone: string;
  /** Offset from UTC in minutes at the org's creation (no DST modelling). */
  readonly tzOffsetMinutes: number;
  readonly lat: number;
  readonly lng: number;
  readonly sitegroupIds: readonly string[];
  readonly region: string;
  readonly isHub: boolean;
  readonly gatewayIndex: number;
}

export interface SimGateway {
  readonly index: number;
  readonly siteIndex: number;
  readonly id: string;
  readonly mac: string;
  readonly serial: string;
  readonly name: string;
  readonly model: string;
  readonly platform: PlatformKind;
  readonly version: string;
  readonly isHa: boolean;
  readonly wanPortIndexes: readonly number[];
  readonly lanPorts: readonly SimLanPort[];
  readonly createdTime: number;
}

export interface SimLanPort {
  readonly portId: string;
  readonly portMac: string;
  readonly networkName: string;
  readonly vlan: number;
  readonly speedMbps: number;
}

/** Behaviour traits drawn at build time; the engine turns them into minute-by-minute state. */
export interface CircuitTraits {
  /** Typical busy-hour utilisation when this circuit carries the site's traffic (0–1). */
  readonly peakUtil: number;
  /** Chronically congested: busy hours run at or near capacity. */
  readonly congested: boolean;
  /** Flaps: short outages several times a day. */
  readonly flappy: boolean;
  /** Baseline loss in percent (an ISP with a bad last mile has more). */
  readonly baseLossPct: number;
  readonly baseLatencyMs: number;
  readonly baseJitterMs: number;
}

export interface SimWanPort {
  readonly index: number;
  readonly gatewayIndex: number;
  readonly siteIndex: number;
  readonly portId: string;
  /** Interface name as it appears in if_stat keys, e.g. ge-0/0/0.0 */
  readonly ifName: string;
  readonly portMac: string;
  readonly wanName: string;
  /** Mist's wan_type: broadband | lte (MPLS handoffs are broadband-typed ports in Mist). */
  readonly wanType: 'broadband' | 'lte';
  readonly kind: CircuitKind;
  readonly role: CircuitRole;
  /** The contracted downstream rate (Mbps): the line's capacity, what traffic and utilisation are bounded by. */
  readonly speedMbps: number;
  /** The contracted upstream rate (Mbps); below speedMbps on asymmetric lines (cable 100/20). */
  readonly upMbps: number;
  /** The port's link speed (Mbps), reported as its `speed`: above the contract on sub-rate lines (100 Mb/s on 1 Gb/s). */
  readonly linkSpeedMbps: number;
  /** The provider's circuit id, for the simulated inventory file (/__sim/inventory). */
  readonly circuitId: string;
  readonly isp: string;
  readonly publicIp: string;
  /** HA node that owns the port ('node0' | 'node1'), or '' for standalone gateways. */
  readonly node: string;
  readonly traits: CircuitTraits;
}

export interface SimPeerPath {
  readonly index: number;
  /** Spoke WAN port the path leaves from. */
  readonly wanPortIndex: number;
  /** Hub WAN port the path terminates on. */
  readonly hubPortIndex: number;
  readonly pathType: 'ipsec' | 'svr';
}

export interface SimOrg {
  readonly id: string;
  readonly name: string;
  readonly seed: string;
  readonly createdTime: number;
  readonly sites: readonly SimSite[];
  readonly sitegroups: readonly SimSiteGroup[];
  readonly regions: readonly string[];
  readonly gateways: readonly SimGateway[];
  readonly wanPorts: readonly SimWanPort[];
  readonly peerPaths: readonly SimPeerPath[];
  readonly hubSiteIndexes: readonly number[];
  /** Site index → sites of the same id for lookups. */
  readonly siteById: ReadonlyMap<string, SimSite>;
  readonly gatewayById: ReadonlyMap<string, SimGateway>;
  readonly gatewayByMac: ReadonlyMap<string, SimGateway>;
}

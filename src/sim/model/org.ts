import { Rng, hashString, mix, unit } from '../random.js';
import { REGIONS, STORE_FORMATS, STREETS } from './geo.js';
import { carrierFor, contractFor, planHubCircuits, planSpokeCircuits, portIdFor, traitsFor, type SiteTrouble } from './circuits.js';
import type { PlatformKind, SimGateway, SimLanPort, SimOrg, SimPeerPath, SimSite, SimSiteGroup, SimWanPort } from './types.js';

export const REGION_GROUP_PREFIX = 'Region - ';

const SRX_SPOKE_MODELS = [['SRX300', 3], ['SRX320', 4], ['SRX340', 2], ['SRX345', 1], ['SRX380', 1]] as const;
const SRX_VERSIONS = ['22.4R3-S2.11', '23.4R2-S3.9', '23.4R2-S4.11', '24.2R1-S1.4'];
const SSR_SPOKE_MODELS = [['SSR120', 3], ['SSR130', 2]] as const;
const SSR_VERSIONS = ['6.2.5-5.r2', '6.3.0-107.r1', '6.3.3-4.r2'];

/** Number of hub gateways per platform: a few hubs, never more than the org can spare. */
function hubsPerPlatform(sites: number): number {
  return sites >= 50 ? 2 : sites >= 4 ? 1 : 0;
}

/** Builds the whole org from (seed, size). Pure: the same inputs give the same org, byte for byte. */
export function buildOrg(seed: string, siteCount: number, createdTime = 1_600_000_000): SimOrg {
  const rng = new Rng(hashString(`${seed}:org:${siteCount}`));
  const orgId = rng.uuid();
  const macPrefix = `02${rng.hex(4)}`;
  const hubCount = hubsPerPlatform(siteCount) * 2;
  // Contracts are drawn from their own keyed stream so adding them did not move anything else in the org.
  const contractKey = hashString(`${seed}:contracts`);

  const regionGroups = REGIONS.map((r) => ({ id: rng.uuid(), name: `${REGION_GROUP_PREFIX}${r.name}`, sites: [] as number[] }));
  const formatGroups = STORE_FORMATS.map((f) => ({ id: rng.uuid(), name: `Format - ${f}`, sites: [] as number[] }));
  const pilotGroup = { id: rng.uuid(), name: 'Pilot - WAN Assurance', sites: [] as number[] };
  const hubGroup = { id: rng.uuid(), name: 'Hubs', sites: [] as number[] };

  const sites: SimSite[] = [];
  const gateways: SimGateway[] = [];
  const wanPorts: SimWanPort[] = [];
  const storeNumbers = new Set<number>();

  for (let i = 0; i < siteCount; i++) {
    const isHub = i < hubCount;
    const regionIndex = isHub ? (i * 3) % REGIONS.length : rng.weighted(REGIONS.map((_, k) => [k, 8 - (k % 4)] as const));
    const region = REGIONS[regionIndex] ?? REGIONS[0]!;
    const city = rng.pick(region.cities);
    const groupIds: string[] = [];
    const regionless = !isHub && rng.chance(0.01);
    if (!regionless) {
      regionGroups[regionIndex]!.sites.push(i);
      groupIds.push(regionGroups[regionIndex]!.id);
    }
    let name: string;
    if (isHub) {
      name = `DC${i + 1} ${city.name}`;
      hubGroup.sites.push(i);
      groupIds.push(hubGroup.id);
    } else {
      let store = rng.int(1, Math.max(9999, siteCount * 3));
      while (storeNumbers.has(store)) store = (store % 99_999) + 1;
      storeNumbers.add(store);
      name = `Store ${String(store).padStart(4, '0')} ${city.name}`;
      const format = rng.int(0, formatGroups.length - 1);
      formatGroups[format]!.sites.push(i);
      groupIds.push(formatGroups[format]!.id);
      if (rng.chance(0.1)) {
        pilotGroup.sites.push(i);
        groupIds.push(pilotGroup.id);
      }
    }
    const site: SimSite = {
      index: i,
      id: rng.uuid(),
      name,
      address: `${rng.int(1, 9999)} ${rng.pick(STREETS)}, ${city.name}, ${city.state}`,
      countryCode: region.countryCode,
      timezone: region.timezone,
      tzOffsetMinutes: region.tzOffsetMinutes,
      lat: round(city.lat + (rng.next() - 0.5) * 0.2, 6),
      lng: round(city.lng + (rng.next() - 0.5) * 0.2, 6),
      sitegroupIds: groupIds,
      region: regionless ? '' : region.name,
      isHub,
      gatewayIndex: i,
    };
    sites.push(site);
    const platform: PlatformKind = isHub ? (i % 2 === 0 ? 'srx' : 'ssr') : rng.chance(0.7) ? 'srx' : 'ssr';
    const trouble: SiteTrouble = isHub || !rng.chance(0.05) ? 'none' : rng.weighted([['congested', 45], ['lossy', 35], ['flappy', 20]]);
    gateways.push(buildGateway(rng, site, platform, macPrefix, createdTime, wanPorts, trouble, contractKey));
  }

  const sitegroups: SimSiteGroup[] = [...regionGroups, ...formatGroups, pilotGroup, hubGroup]
    .filter((g) => g.sites.length > 0)
    .map((g) => ({ id: g.id, name: g.name, siteIndexes: g.sites }));
  const hubSiteIndexes = sites.filter((s) => s.isHub).map((s) => s.index);
  const peerPaths = buildPeerPaths(gateways, wanPorts, hubSiteIndexes);

  return {
    id: orgId,
    name: `Simulated Retail (${seed})`,
    seed,
    createdTime,
    sites,
    sitegroups,
    regions: REGIONS.map((r) => r.name),
    gateways,
    wanPorts,
    peerPaths,
    hubSiteIndexes,
    siteById: new Map(sites.map((s) => [s.id, s])),
    gatewayById: new Map(gateways.map((g) => [g.id, g])),
    gatewayByMac: new Map(gateways.map((g) => [g.mac, g])),
  };
}

function buildGateway(
  rng: Rng, site: SimSite, platform: PlatformKind, macPrefix: string, createdTime: number,
  wanPorts: SimWanPort[], trouble: SiteTrouble, contractKey: number,
): SimGateway {
  const index = site.index;
  const macOf = (k: number): string => `${macPrefix}${(index * 16 + k).toString(16).padStart(6, '0')}`;
  const mac = macOf(0);
  const isHa = site.isHub || (platform === 'srx' && rng.chance(0.06));
  const model = site.isHub ? (platform === 'srx' ? 'SRX1500' : 'SSR1300')
    : platform === 'srx' ? rng.weighted(SRX_SPOKE_MODELS) : rng.weighted(SSR_SPOKE_MODELS);
  const version = rng.pick(platform === 'srx' ? SRX_VERSIONS : SSR_VERSIONS);
  const plans = site.isHub ? planHubCircuits() : planSpokeCircuits(rng);
  const portIndexes: number[] = [];
  plans.forEach((plan, slot) => {
    const node = isHa ? (slot % 2 === 0 ? 'node0' : 'node1') : '';
    const portId = portIdFor(platform, plan.kind, isHa ? Math.floor(slot / 2) : slot, node);
    const octet = (n: number): number => (index * 7 + slot * 13 + n) % 250 + 2;
    portIndexes.push(wanPorts.length);
    const contract = contractFor(plan, site.isHub, unit(contractKey, wanPorts.length));
    const isp = carrierFor(rng, plan.kind, site.countryCode);
    wanPorts.push({
      index: wanPorts.length,
      gatewayIndex: index,
      siteIndex: index,
      portId,
      ifName: `${portId}.0`,
      portMac: macOf(1 + slot),
      wanName: plan.wanName,
      wanType: plan.kind === 'lte' ? 'lte' : 'broadband',
      kind: plan.kind,
      role: plan.role,
      speedMbps: contract.downMbps,
      upMbps: contract.upMbps,
      linkSpeedMbps: contract.linkSpeedMbps,
      circuitId: `${isp.replace(/[^A-Za-z]/g, '').slice(0, 4).toUpperCase()}-${String(mix(contractKey, wanPorts.length, 1) % 100_000_000).padStart(8, '0')}`,
      isp,
      publicIp: plan.kind === 'lte' ? `100.${64 + (index % 64)}.${octet(1)}.${octet(2)}` : `198.${18 + (slot % 2)}.${octet(3)}.${octet(4)}`,
      node,
      traits: traitsFor(rng, plan, trouble, site.isHub),
    });
  });
  const lanPorts: SimLanPort[] = [0, 1].map((k) => ({
    portId: platform === 'srx' ? `ge-0/0/${4 + k}` : `ge-0/0/${3 + k}`,
    portMac: macOf(8 + k),
    networkName: k === 0 ? 'CORP' : 'POS',
    vlan: k === 0 ? 10 : 20,
    speedMbps: 1000,
  }));
  const serialPrefix = platform === 'srx' ? 'CW' : 'SSR';
  return {
    index,
    siteIndex: index,
    id: `00000000-0000-0000-1000-${mac}`,
    mac,
    serial: `${serialPrefix}${rng.hex(10).toUpperCase()}`,
    name: site.isHub ? `hub-${site.name.split(' ')[0]!.toLowerCase()}-gw` : `${site.name.split(' ').slice(0, 2).join('-').toLowerCase()}-gw`,
    model,
    platform,
    version,
    isHa,
    wanPortIndexes: portIndexes,
    lanPorts,
    createdTime: createdTime + index * 60,
  };
}

/** SRX spokes build one ipsec tunnel per WAN port to each SRX hub's matching port; SSR spokes a svr path to every SSR hub port. */
function buildPeerPaths(gateways: readonly SimGateway[], wanPorts: readonly SimWanPort[], hubSites: readonly number[]): SimPeerPath[] {
  const paths: SimPeerPath[] = [];
  for (const gw of gateways) {
    if (hubSites.includes(gw.siteIndex)) continue;
    const hubs = hubSites.map((h) => gateways[h]!).filter((h) => h.platform === gw.platform);
    for (const wanIndex of gw.wanPortIndexes) {
      const spokePort = wanPorts[wanIndex]!;
      for (const hub of hubs) {
        for (const hubPortIndex of hub.wanPortIndexes) {
          const hubPort = wanPorts[hubPortIndex]!;
          const matches = gw.platform === 'ssr' || (spokePort.kind === 'mpls') === (hubPort.kind === 'mpls');
          if (!matches) continue;
          paths.push({ index: paths.length, wanPortIndex: wanIndex, hubPortIndex, pathType: gw.platform === 'srx' ? 'ipsec' : 'svr' });
        }
      }
    }
  }
  return paths;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

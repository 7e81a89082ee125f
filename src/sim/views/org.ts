import type { SimGateway, SimOrg, SimSite } from '../model/types.js';

/** Mist JSON for the org's static inventory: /self, org, sites, sitegroups, inventory. */

export function selfView(org: SimOrg, tokenName: string): Record<string, unknown> {
  // An org token: Mist returns `name` (the token's name) and no email.
  return {
    name: tokenName,
    privileges: [{ scope: 'org', role: 'read', org_id: org.id, name: org.name, org_name: org.name }],
    session_expiry: 1440,
  };
}

export function orgView(org: SimOrg): Record<string, unknown> {
  return {
    id: org.id, name: org.name, created_time: org.createdTime, modified_time: org.createdTime,
    // No msp_id: the spec types it as a uuid string (not nullable); an org outside an MSP has none.
    allow_mist: false, orggroup_ids: [], session_expiry: 1440, alarmtemplate_id: null,
  };
}

export function siteView(org: SimOrg, site: SimSite): Record<string, unknown> {
  return {
    id: site.id,
    name: site.name,
    org_id: org.id,
    timezone: site.timezone,
    country_code: site.countryCode,
    address: site.address,
    latlng: { lat: site.lat, lng: site.lng },
    sitegroup_ids: site.sitegroupIds,
    notes: site.isHub ? 'WAN hub (data centre)' : null,
    tzoffset: site.tzOffsetMinutes,
    created_time: org.createdTime + site.index,
    modified_time: org.createdTime + site.index,
    alarmtemplate_id: null,
    aptemplate_id: null,
    gatewaytemplate_id: null,
    networktemplate_id: null,
    rftemplate_id: null,
    secpolicy_id: null,
    sitetemplate_id: null,
  };
}

export function sitegroupViews(org: SimOrg): Record<string, unknown>[] {
  return org.sitegroups.map((g) => ({
    id: g.id, name: g.name, org_id: org.id, site_ids: g.siteIndexes.map((i) => org.sites[i]!.id),
    created_time: org.createdTime, modified_time: org.createdTime,
  }));
}

export function inventoryView(org: SimOrg, gw: SimGateway, connected: boolean): Record<string, unknown> {
  return {
    id: gw.id,
    mac: gw.mac,
    serial: gw.serial,
    model: gw.model,
    sku: gw.model,
    hw_rev: 'A',
    type: 'gateway',
    name: gw.name,
    hostname: gw.name,
    site_id: org.sites[gw.siteIndex]!.id,
    org_id: org.id,
    connected,
    adopted: true,
    deviceprofile_id: null,
    created_time: gw.createdTime,
    modified_time: gw.createdTime,
    ...(gw.isHa ? { vc_mac: gw.mac } : {}),
  };
}

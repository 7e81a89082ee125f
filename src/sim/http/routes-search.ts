import type { FastifyInstance } from 'fastify';
import type { SimGateway } from '../model/types.js';
import type { Simulator } from '../simulator.js';
import { alarmRow, eventRow } from '../views/activity.js';
import { peerPathRow } from '../views/peers.js';
import { lanPortRows, wanPortRow } from '../views/ports.js';
import { searchForm, type SearchRequest } from './pagination.js';
import type { SimRequestFlags } from './types.js';
import { checkOrg, queryOf, type Query } from './route-kit.js';
import { BadRequest, listParam, parseLimit, resolveWindow } from './window.js';

/** The search endpoints (pagination form B): ports, VPN peer paths, alarms, device events. */
export function registerSearchRoutes(app: FastifyInstance, sim: Simulator): void {
  const org = sim.org;
  // Alarms and events are served back only so far (searchHistoryMinutes): an older start is moved up, and echoed.
  const served = (w: { start: number; end: number }) => {
    const start = Math.floor(Math.min(Math.max(w.start, sim.engine.now - sim.options.searchHistoryMinutes * 60), w.end));
    return { start, end: Math.floor(w.end) };
  };
  const request = (path: string, q: Query, start: number, end: number, flags: SimRequestFlags): SearchRequest => ({
    path, query: q, limit: parseLimit(q.limit, 100), pinned: { start: String(start), end: String(end) },
    descending: q.sort === '-timestamp', loop: flags.loop, overlap: flags.overlap ?? 0,
  });

  app.get('/api/v1/orgs/:org_id/stats/ports/search', async (req, reply) => {
    if (!checkOrg(sim, req, reply)) return reply;
    const q = queryOf(req);
    const now = sim.engine.now;
    const w = resolveWindow(q, now);
    // device_type since 2602; the older `type` is still honoured.
    const deviceTypes = listParam(q.device_type ?? q.type) ?? ['all'];
    const macs = listParam(q.mac);
    const portIds = listParam(q.port_id);
    if (q.up !== undefined && q.up !== 'true' && q.up !== 'false') throw new BadRequest('up must be true or false');
    const wantGateways = deviceTypes.includes('gateway') || deviceTypes.includes('all');
    type Ref = { gw: SimGateway; portId: string; wan: number };
    const refs: Ref[] = [];
    if (wantGateways) {
      for (const gw of org.gateways) {
        if ((macs && !macs.includes(gw.mac)) || !sim.gatewayLive(gw.index)) continue;
        const ports: Ref[] = [
          ...gw.wanPortIndexes.map((p) => ({ gw, portId: org.wanPorts[p]!.portId, wan: p })),
          ...gw.lanPorts.map((l) => ({ gw, portId: l.portId, wan: -1 })),
        ];
        ports.sort((a, b) => (a.portId < b.portId ? -1 : 1));
        for (const r of ports) {
          if (portIds && !portIds.includes(r.portId)) continue;
          if (q.up !== undefined) {
            const up = r.wan >= 0 ? sim.engine.ctx.state.up[r.wan] === 1 : sim.engine.ctx.state.connected[gw.index] === 1;
            if (String(up) !== q.up) continue;
          }
          refs.push(r);
        }
      }
    }
    const page = searchForm(refs, (r) => [r.gw.mac, r.portId], request(req.url.split('?')[0]!, q, Math.floor(w.start), Math.floor(w.end), req.simFlags));
    const results = page.results.map((r) => (r.wan >= 0 ? wanPortRow(sim.engine, org.wanPorts[r.wan]!)
      : lanPortRows(sim.engine, r.gw).find((row) => row.port_id === r.portId)!));
    return { start: Math.floor(w.start), end: Math.floor(w.end), limit: page.limit, total: page.total, ...(page.next ? { next: page.next } : {}), results };
  });

  app.get('/api/v1/orgs/:org_id/stats/vpn_peers/search', async (req, reply) => {
    if (!checkOrg(sim, req, reply)) return reply;
    const q = queryOf(req);
    const now = sim.engine.now;
    const w = resolveWindow(q, now);
    const macs = listParam(q.mac);
    const types = listParam(q.type);
    const paths = org.peerPaths.filter((p) => {
      const spoke = org.wanPorts[p.wanPortIndex]!;
      return sim.gatewayLive(spoke.gatewayIndex) && sim.gatewayLive(org.wanPorts[p.hubPortIndex]!.gatewayIndex) &&
        (!macs || macs.includes(org.gateways[spoke.gatewayIndex]!.mac)) &&
        (!types || types.includes(p.pathType)) &&
        (q.site_id === undefined || org.sites[spoke.siteIndex]!.id === q.site_id);
    });
    const keyOf = (i: number): [string, number] => [org.gateways[org.wanPorts[org.peerPaths[i]!.wanPortIndex]!.gatewayIndex]!.mac, i];
    const page = searchForm(paths.map((p) => p.index), keyOf, request(req.url.split('?')[0]!, q, w.start, w.end, req.simFlags));
    return {
      start: w.start, end: w.end, limit: page.limit, total: page.total, ...(page.next ? { next: page.next } : {}),
      results: page.results.map((i) => peerPathRow(sim.engine, org.peerPaths[i]!, now)),
    };
  });

  app.get('/api/v1/orgs/:org_id/alarms/search', async (req, reply) => {
    if (!checkOrg(sim, req, reply)) return reply;
    const q = queryOf(req);
    const { start, end } = served(resolveWindow(q, sim.engine.now));
    const siteIds = listParam(q.site_id);
    const types = listParam(q.type);
    const statuses = listParam(q.status);
    const rows = sim.engine.ctx.alarms.overlapping(start, end).filter((a) => sim.gatewayLive(a.gatewayIndex, a.timestamp)).map((a) => alarmRow(org, a)).filter((r) =>
      (!siteIds || siteIds.includes(String(r.site_id))) && (!types || types.includes(String(r.type))) &&
      (q.group === undefined || r.group === q.group) && (q.severity === undefined || r.severity === q.severity) &&
      (!statuses || statuses.includes(String(r.status))) && (q.acked === undefined || String(r.acked) === q.acked));
    const page = searchForm(rows, (r) => [Number(r.timestamp) * 1000, String(r.id)], request(req.url.split('?')[0]!, q, start, end, req.simFlags));
    return { start, end, limit: page.limit, total: page.total, ...(page.next ? { next: page.next } : {}), results: page.results };
  });

  app.get('/api/v1/orgs/:org_id/devices/events/search', async (req, reply) => {
    if (!checkOrg(sim, req, reply)) return reply;
    const q = queryOf(req);
    // The spec types this response's start/end as integers: whole seconds, pinned so every page sees the same window.
    const w = served(resolveWindow(q, sim.engine.now));
    // Mist's org-level default device_type is ap: without device_type=gateway there are no gateway events.
    const deviceTypes = listParam(q.device_type) ?? ['ap'];
    const types = listParam(q.type);
    const macs = listParam(q.mac);
    const events = deviceTypes.includes('gateway') || deviceTypes.includes('all')
      ? sim.engine.ctx.events.range(w.start, w.end).filter((e) => sim.gatewayLive(e.gatewayIndex, e.timestamp) &&
        (!types || types.includes(e.type)) && (!macs || macs.includes(org.gateways[e.gatewayIndex]!.mac)) &&
        (q.site_id === undefined || org.sites[e.siteIndex]!.id === q.site_id))
      : [];
    const page = searchForm(events, (e) => [Math.round(e.timestamp * 1000), e.seq], request(req.url.split('?')[0]!, q, w.start, w.end, req.simFlags));
    return {
      start: w.start, end: w.end, limit: page.limit, total: page.total, ...(page.next ? { next: page.next } : {}),
      results: page.results.map((e) => eventRow(org, e)),
    };
  });
}

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { R } from '../../src/rules/index.js';
import { startAlertingRig, type AlertingRig } from '../support/alerting-rig.js';
import { captureLog } from '../support/redis-store.js';
import { force, type Truth, type TruthSite } from '../support/truth.js';
import type { Notification } from '../support/webhook.js';

/**
 * Paging end to end, every part real and time-compressed 30×: the simulator over HTTP → the collector → Redis →
 * the exporter → Prometheus evaluating the shipped rules and alerts (generated with timeScale 1/30 from
 * prometheus/kpi-config.yml) → Alertmanager running the shipped alertmanager.yml (receiver URLs and route
 * timings replaced: see alerting-rig.ts) → a webhook receiver.
 *
 * 1. A site outage forced through /__sim/incidents pages the on-call receiver with MistSiteDown, while the
 *    site's circuit alerts, firing in Prometheus, are held back by the inhibition; the resolved page follows
 *    the recovery.
 * 2. During another site's outage (paged), Mist answers 503 to everything: the collector fails, every family goes
 *    stale, the circuits' data expires (unknown). MistCollectorFailing and MistDataStale are notified; the outage
 *    page holds through the unknown data (no resolved notification); no other outage alert fires, not even pending.
 */
const SCALE = 1 / 30;
/** Alerts MistSiteDown inhibits for the same site (F-DESIGN: circuit, path, congestion, secondary; and SLE as shipped). */
const SITE_SCOPED = ['MistCircuitDown', 'MistPathQualityDegraded', 'MistCircuitCongested', 'MistOnSecondaryTooLong', 'MistSiteSleDegraded'];
const OUTAGE = ['MistSiteDown', 'MistCircuitDown'];
const ONCALL = 'oncall';

const firing = (n: Notification, alertname: string, siteId?: string) => n.payload.alerts.some((a) =>
  a.status === 'firing' && a.labels.alertname === alertname && (siteId === undefined || a.labels.site_id === siteId));
const resolved = (n: Notification, alertname: string, siteId: string) => n.payload.alerts.some((a) =>
  a.status === 'resolved' && a.labels.alertname === alertname && a.labels.site_id === siteId);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('paging end to end (simulator → collector → exporter → Prometheus → Alertmanager → webhook, 30× faster)', () => {
  let rig: AlertingRig;
  /** The site of the outage in the first case, and of the outage that must hold through unknown data in the second. */
  let site: TruthSite;
  let held: TruthSite;
  const { log } = captureLog('error');
  const timings: Record<string, string> = {};

  beforeAll(async () => {
    rig = await startAlertingRig({ redisUrl: inject('redisUrl'), timeScale: SCALE, log, sim: { sites: 12 } });
    await rig.prom.waitForTargetsUp({ count: 2 });
    const truth = (await rig.pipeline.sim.admin<Truth>('GET', '/__sim/truth')).body;
    // A spoke (a hub outage would also take down every spoke's VPN paths) with two circuits, all up.
    const spokes = truth.sites.filter((s) => !s.is_hub && !s.outage && s.gateway.connected && s.circuits.length >= 2 && s.circuits.every((c) => c.up));
    expect(spokes.length, 'two spoke sites with two circuits up').toBeGreaterThanOrEqual(2);
    [site, held] = [spokes[0]!, spokes[1]!];
    // The rules run on collected data: the site is known and up (the recorded site-down flag reads 0).
    await rig.prom.waitFor(`${R.siteDown}{site_id="${site.site_id}"}`, (s) => s.length === 1 && s[0]!.value === 0, 60_000);
    console.log(`Alertmanager runs the shipped alertmanager.yml with these fields replaced:\n  ${rig.amOverrides.join('\n  ')}\n`
      + `Prometheus runs the shipped prometheus.yml with these fields replaced:\n  ${rig.promOverrides.join('\n  ')}`);
  }, 120_000);

  afterAll(async () => {
    console.log(`paging timings (wall; ×30 = simulated):\n${Object.entries(timings).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
    const t0 = rig?.hook.received[0]?.receivedAt ?? 0;
    console.log(`notifications received:\n${(rig?.hook.received ?? []).map((n) => `  +${secs(n.receivedAt - t0)} ${n.payload.receiver} ${n.payload.status}: ${
      n.payload.alerts.map((a) => `${a.labels.alertname}${a.labels.family ? `/${a.labels.family}` : ''}${a.labels.site_id ? `@${a.labels.site_id.slice(0, 8)}` : ''} ${a.status}`).join(', ')}`).join('\n')}`);
    await rig?.close();
  }, 60_000);

  it('pages on-call with MistSiteDown for a forced outage, not the site\'s inhibited circuit alerts, then sends the resolved page', async () => {
    const { hook, prom, am } = rig;
    const since = Date.now();
    // 1,200 simulated s = 40 s: the page (≈ 18 s) and the inhibited circuit alerts are seen well before the end.
    const incident = await force(rig.pipeline.sim, { kind: 'outage', site_id: site.site_id, duration_seconds: 1_200 });
    const endsAt = since + (incident.end - incident.start) * SCALE * 1000;

    const page = await hook.waitFor((n) => firing(n, 'MistSiteDown', site.site_id), 40_000);
    timings['outage start → MistSiteDown page'] = secs(page.receivedAt - since);
    expect(page.payload.receiver).toBe(ONCALL);
    const alert = page.payload.alerts.find((a) => a.labels.alertname === 'MistSiteDown')!;
    expect(alert.labels).toMatchObject({ severity: 'critical', site_id: site.site_id, site_name: site.name });
    expect(alert.labels.region).toBeDefined();
    expect(alert.annotations.runbook_url).toMatch(/#/);
    expect(page.receivedAt, 'paged before the outage ended').toBeLessThan(endsAt);

    // The site's circuits are down too: MistCircuitDown fires in Prometheus, and Alertmanager holds it back.
    const circuitAlerts = await prom.waitFor(`ALERTS{alertname="MistCircuitDown", alertstate="firing", site_id="${site.site_id}"}`,
      (s) => s.length === site.circuits.length, Math.max(1_000, endsAt - Date.now()));
    expect(circuitAlerts.map((s) => s.metric.port_id).sort()).toEqual(site.circuits.map((c) => c.port_id).sort());
    let inhibited: Awaited<ReturnType<typeof am.alerts>> = [];
    for (let i = 0; i < 20 && inhibited.length < site.circuits.length; i++) {
      inhibited = (await am.alerts()).filter((a) => a.labels.alertname === 'MistCircuitDown' && a.labels.site_id === site.site_id);
      if (inhibited.length < site.circuits.length) await sleep(500);
    }
    expect(inhibited).toHaveLength(site.circuits.length);
    for (const a of inhibited) expect(a.status, JSON.stringify(a.labels)).toMatchObject({ state: 'suppressed', inhibitedBy: [expect.any(String)] });

    const recovered = await hook.waitFor((n) => resolved(n, 'MistSiteDown', site.site_id), Math.max(0, endsAt - Date.now()) + 40_000);
    timings['outage end → resolved page'] = secs(recovered.receivedAt - endsAt);
    expect(recovered.payload.receiver).toBe(ONCALL);
    expect(recovered.receivedAt).toBeGreaterThan(endsAt);

    // Past one more group_interval: nothing for the site's circuits went out, on any receiver, firing or resolved.
    await sleep(rig.scaled('5m') * 1000 + 3_000); // the shipped group_interval, scaled
    const mine = hook.received.filter((n) => n.receivedAt >= since);
    const leaked = mine.flatMap((n) => n.payload.alerts.filter((a) => SITE_SCOPED.includes(a.labels.alertname!) && a.labels.site_id === site.site_id)
      .map((a) => `${n.payload.receiver} ${a.status} ${a.labels.alertname} ${a.labels.port_id ?? ''}`));
    expect(leaked, 'inhibited alerts that reached a receiver').toEqual([]);
    expect(mine.filter((n) => firing(n, 'MistSiteDown', site.site_id)), 'one page, not repeated').toHaveLength(1);
    expect(hook.invalid).toEqual([]);
  }, 150_000);

  it('when Mist fails during an outage: MistCollectorFailing and MistDataStale are raised, the outage page holds through the unknown data, no other outage alert fires', async () => {
    const { hook, prom, sim } = { ...rig, sim: rig.pipeline.sim };
    const outageAlerts = `ALERTS{alertname=~"${OUTAGE.join('|')}"}`;
    await prom.waitFor(outageAlerts, (s) => s.length === 0, 60_000);
    // An outage long enough to outlast this case (3,600 simulated s = 120 s), paged before Mist fails.
    await force(sim, { kind: 'outage', site_id: held.site_id, duration_seconds: 3_600 });
    const page = await hook.waitFor((n) => firing(n, 'MistSiteDown', held.site_id), 40_000);
    const since = Date.now();
    // Mist answers 503 to every call: each cycle fails, the last good snapshots expire after 3 intervals.
    expect((await sim.admin('POST', '/__sim/faults', { kind: 'error', status: 503 })).status).toBe(201);

    // Watch Prometheus while the data ages and expires. Long enough for an alert that (wrongly) took unknown for
    // down to fire: twice the longer outage `for:` after the circuits went unknown, plus a few evaluations, at
    // least 30 s (15 simulated minutes); shorter than hold_through_unknown, so the held page must not resolve.
    const outageFor = rig.scaled(Math.max(rig.kpi.alerts.site_down_for, rig.kpi.alerts.circuit_down_for)) * 1000;
    const holdFor = rig.scaled(rig.kpi.alerts.hold_through_unknown) * 1000;
    const others: string[] = [];
    const heldGaps: number[] = [];
    let unknownAt: number | undefined;
    let watchedUntil = since;
    const watching = (async () => {
      while (unknownAt === undefined ? Date.now() < since + 30_000 : Date.now() < Math.max(since + 30_000, unknownAt + 2 * outageFor + 5_000)) {
        for (const s of await prom.query(`${outageAlerts.slice(0, -1)}, site_id!="${held.site_id}"}`)) others.push(`${s.metric.alertname} ${s.metric.alertstate} ${s.metric.site_id}`);
        if ((await prom.query(`ALERTS{alertname="MistSiteDown", alertstate="firing", site_id="${held.site_id}"}`)).length !== 1) heldGaps.push(Date.now() - since);
        if (unknownAt === undefined && (await prom.query(`count(${R.circuitUp})`)).length === 0) unknownAt = Date.now();
        watchedUntil = Date.now();
        await sleep(500);
      }
    })();

    // wan-ports (collected every simulated minute) is the family the outage alerts read first.
    const about = (alertname: string) => (n: Notification) => n.receivedAt >= since && n.payload.alerts.some((a) =>
      a.status === 'firing' && a.labels.alertname === alertname && a.labels.family === 'wan-ports');
    const [stale, failing] = await Promise.all([hook.waitFor(about('MistDataStale'), 90_000), hook.waitFor(about('MistCollectorFailing'), 90_000)]);
    timings['Mist failing → MistDataStale (wan-ports) notification'] = secs(stale.receivedAt - since);
    timings['Mist failing → MistCollectorFailing (wan-ports) notification'] = secs(failing.receivedAt - since);
    await watching;
    expect(unknownAt, 'the circuits\' data expired (every circuit unknown)').toBeDefined();
    timings['Mist failing → every circuit unknown'] = secs(unknownAt! - since);
    timings['MistSiteDown held through unknown data for'] = secs(watchedUntil - unknownAt!);
    expect(watchedUntil - unknownAt!, 'watched within hold_through_unknown').toBeLessThan(holdFor);
    expect(others, 'outage alerts on unknown data').toEqual([]);
    expect(heldGaps, 'ms after the failure when the held MistSiteDown was not firing').toEqual([]);
    const after = hook.received.filter((n) => n.receivedAt >= page.receivedAt && n !== page);
    expect(after.filter((n) => OUTAGE.some((a) => firing(n, a))).map((n) => n.payload.groupKey), 'new outage notifications').toEqual([]);
    expect(after.filter((n) => resolved(n, 'MistSiteDown', held.site_id)), 'the held page resolved on unknown data').toEqual([]);
    for (const n of [stale, failing]) {
      const alert = n.payload.alerts.find((a) => a.labels.family === 'wan-ports')!;
      expect(alert.labels).toMatchObject({ org_id: sim.orgId });
      expect(alert.annotations.runbook_url).toMatch(/#/);
    }
  }, 150_000);
});

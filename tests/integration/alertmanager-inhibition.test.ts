import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointWebhooksAt, startAlertmanager, startWebhookReceiver, type Alertmanager, type AmAlert, type Notification, type PostedAlert, type WebhookReceiver } from '../support/alertmanager.js';

/**
 * The shipped prometheus/alertmanager.yml in a real Alertmanager: routing (critical → oncall, the rest → noc) and
 * inhibition (a site down silences that site's circuit, path, congestion, secondary and SLE alerts; a store down
 * silences stale data; a whole exporter job down silences its targets). Only the webhook URLs (to a local
 * receiver) and the group timers (1 s instead of 10–30 s) differ from the shipped file.
 */

const SHIPPED = fileURLToPath(new URL('../../prometheus/alertmanager.yml', import.meta.url));
const site = (siteId: string, name: string) => ({ org_id: 'o1', site_id: siteId, region: 'EMEA', site_name: name });
const circuit = { mac: 'aa', port_id: 'ge-0/0/0', wan_name: 'wan0', role: 'primary', provider: 'Orange', circuit_id: 'FR-1' };
const alert = (alertname: string, severity: string, labels: Record<string, string>, endsAt?: Date): PostedAlert => ({
  labels: { alertname, severity, ...labels },
  annotations: { summary: alertname, description: `${alertname} test`, runbook_url: `https://example.com/runbooks.md#${alertname.toLowerCase()}` },
  ...(endsAt ? { endsAt: endsAt.toISOString() } : {}),
});

const lyonDown = alert('MistSiteDown', 'critical', site('s1', 'Lyon'));
const lyonOthers = [
  alert('MistCircuitDown', 'warning', { ...site('s1', 'Lyon'), ...circuit }),
  alert('MistCircuitCongested', 'warning', { ...site('s1', 'Lyon'), ...circuit }),
  alert('MistPathQualityDegraded', 'warning', { ...site('s1', 'Lyon'), ...circuit, metric: 'loss' }),
  alert('MistOnSecondaryTooLong', 'warning', { ...site('s1', 'Lyon'), mac: 'aa' }),
  alert('MistSiteSleDegraded', 'warning', { ...site('s1', 'Lyon'), sle: 'wan-link-health' }),
];
const niceCircuitDown = alert('MistCircuitDown', 'warning', { ...site('s2', 'Nice'), ...circuit });

const alertsNamed = (n: readonly Notification[], path: string): string[] =>
  n.filter((x) => x.path === path).flatMap((x) => x.alerts.map((a) => `${x.status}:${a.labels.alertname}:${a.labels.site_id ?? ''}`));
const find = (list: AmAlert[], alertname: string, siteId?: string): AmAlert =>
  list.find((a) => a.labels.alertname === alertname && (siteId === undefined || a.labels.site_id === siteId))!;

describe('prometheus/alertmanager.yml in a real Alertmanager', () => {
  let hook: WebhookReceiver;
  let am: Alertmanager;

  beforeAll(async () => {
    hook = await startWebhookReceiver();
    const config = pointWebhooksAt(await readFile(SHIPPED, 'utf8'), hook.url, { group_wait: '1s', group_interval: '1s' });
    am = await startAlertmanager({ config });
  });
  afterAll(async () => {
    await am?.stop();
    await hook?.stop();
  });

  it('a site down pages on-call and silences that site\'s other alerts, not another site\'s', async () => {
    await am.post([lyonDown, ...lyonOthers, niceCircuitDown]);
    await hook.waitFor((n) => alertsNamed(n, '/oncall').includes('firing:MistSiteDown:s1') && alertsNamed(n, '/noc').includes('firing:MistCircuitDown:s2'));

    const list = await am.alerts();
    expect(list).toHaveLength(7);
    const down = find(list, 'MistSiteDown', 's1');
    expect(down.status.state).toBe('active');
    expect(down.receivers.map((r) => r.name)).toEqual(['oncall']);
    for (const other of lyonOthers) {
      const a = find(list, other.labels.alertname!, 's1');
      expect(a.status, other.labels.alertname).toEqual({ state: 'suppressed', inhibitedBy: [down.fingerprint], silencedBy: [] });
    }
    const nice = find(list, 'MistCircuitDown', 's2');
    expect(nice.status.state).toBe('active');
    expect(nice.receivers.map((r) => r.name)).toEqual(['noc']);

    // Give the inhibited groups time to be (wrongly) sent: several group_wait/group_interval periods.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(alertsNamed(hook.received, '/oncall')).toEqual(['firing:MistSiteDown:s1']);
    expect(alertsNamed(hook.received, '/noc')).toEqual(['firing:MistCircuitDown:s2']);
  });

  it('the site\'s recovery sends the resolved page and nothing for the inhibited alerts', async () => {
    const now = new Date();
    await am.post([lyonDown, ...lyonOthers].map((a) => ({ ...a, endsAt: now.toISOString() })));
    await hook.waitFor((n) => alertsNamed(n, '/oncall').includes('resolved:MistSiteDown:s1'));
    await new Promise((r) => setTimeout(r, 3_000));
    expect(alertsNamed(hook.received, '/oncall')).toEqual(['firing:MistSiteDown:s1', 'resolved:MistSiteDown:s1']);
    expect(alertsNamed(hook.received, '/noc').filter((s) => s.endsWith(':s1'))).toEqual([]);
  });

  it('a store down silences stale data; a whole exporter job down silences its targets\' alerts', async () => {
    const storeDown = alert('MistStoreDown', 'critical', { instance: 'exp-a:19730', job: 'mist-wan-exporter' });
    const stale = alert('MistDataStale', 'critical', { org_id: 'o1', family: 'wan-ports' });
    const jobDown = alert('MistExporterDown', 'critical', { job: 'mist-wan-exporter' });
    const targetDown = alert('MistExporterTargetDown', 'warning', { instance: 'exp-a:19730', job: 'mist-wan-exporter' });
    const otherJobTarget = alert('MistExporterTargetDown', 'warning', { instance: 'exp-c:19730', job: 'mist-wan-exporter-slow' });
    await am.post([storeDown, stale, jobDown, targetDown, otherJobTarget]);
    await hook.waitFor((n) => alertsNamed(n, '/oncall').includes('firing:MistStoreDown:') && alertsNamed(n, '/oncall').includes('firing:MistExporterDown:'));

    const list = await am.alerts();
    const byKey = (name: string, instance?: string) => list.find((a) => a.labels.alertname === name && (instance === undefined || a.labels.instance === instance))!;
    expect(byKey('MistDataStale').status.inhibitedBy).toEqual([byKey('MistStoreDown').fingerprint]);
    expect(byKey('MistExporterTargetDown', 'exp-a:19730').status.inhibitedBy).toEqual([byKey('MistExporterDown').fingerprint]);
    expect(byKey('MistExporterTargetDown', 'exp-c:19730').status.state).toBe('active');
    await hook.waitFor((n) => alertsNamed(n, '/noc').includes('firing:MistExporterTargetDown:'));
    await new Promise((r) => setTimeout(r, 3_000));
    const sent = hook.received.flatMap((n) => n.alerts.map((a) => `${a.labels.alertname}:${a.labels.instance ?? ''}`));
    expect(sent).not.toContain('MistDataStale:');
    expect(sent).not.toContain('MistExporterTargetDown:exp-a:19730');
    expect(sent).toContain('MistExporterTargetDown:exp-c:19730');
  });
});

import { redactSecrets } from '../config/index.js';
import { UID } from '../dashboards/uids.js';
import type { FamilyView, StoreState } from './exposition-cache.js';
import { ago, duration, findProblems, rateLimitedByToken, type Problem } from './landing-problems.js';

/** The page reloads itself this often (a meta refresh: no script). */
export const LANDING_REFRESH_SECONDS = 30;

/** The dashboards G provisions, by uid, with the name a NOC knows them by; every uid is listed (typed). */
export const DASHBOARDS: Readonly<Record<keyof typeof UID, string>> = {
  noc: 'NOC: what is down now',
  overview: 'Overview',
  region: 'Region',
  site: 'Site',
  circuit: 'Circuit',
  thresholds: 'Utilisation thresholds',
  availability: 'Availability',
  health: 'Exporter and collector health',
};

/** Docs under docs/ a NOC reaches for from this page (each must exist: tested). */
export const DOCS = [
  ['runbooks.md', 'Runbooks: what to do for each alert'],
  ['alerting.md', 'Alerts and the Alertmanager route'],
  ['kpis.md', 'KPIs: what each recorded series means'],
  ['metrics.md', 'Metrics served here'],
  ['collector.md', 'Collector: API budget, intervals, circuit inventory'],
  ['store.md', 'Store: Redis, stale and expired data'],
] as const;

export interface LandingView {
  readonly state: StoreState;
  readonly families: readonly Pick<FamilyView, 'family' | 'series'>[];
  readonly version: string;
  readonly now: number;
  /** org id → name (from mist_org_info). */
  readonly orgNames: ReadonlyMap<string, string>;
  readonly links?: { readonly grafanaUrl?: string | undefined; readonly docsUrl?: string | undefined };
  /** Values never to show (the exporter's own credentials, a Redis password): replaced if they ever appear. */
  readonly secrets?: readonly string[];
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (n: number): string => n.toLocaleString('en-US');

/**
 * The landing page: which org, what is wrong in plain language, where the dashboards and docs are, then the
 * families, their freshness and the API budget. Reloads itself every LANDING_REFRESH_SECONDS; no scripts, no
 * external assets. Orgs appear by name (the id only in a tooltip, or as a fallback before the org family is in).
 */
export function landingPage(v: LandingView): string {
  const { state, now } = v;
  const orgIds = [...new Set(state.metas.map((m) => m.key.orgId))];
  const name = (id: string): string => v.orgNames.get(id) ?? `org ${id}`;
  const orgCell = (id: string): string => `<span title="${esc(id)}">${esc(name(id))}</span>`;
  const several = orgIds.length > 1;
  const problems = findProblems({ state, now, orgName: name, severalOrgs: several });
  const title = orgIds.length === 0 ? 'No org collected yet' : orgIds.map(name).join(', ');
  const series = v.families.reduce((s, f) => s + f.series, 0);
  const seriesOf = new Map(v.families.map((f) => [f.family, f.series]));

  const rows = state.metas.map(({ key, meta, expiresAt }) => {
    const expired = expiresAt !== null && expiresAt <= now;
    const ok = meta.lastError === null && !expired;
    return `<tr>${several ? `<td>${orgCell(key.orgId)}</td>` : ''}<td><a href="/metrics?family=${encodeURIComponent(key.family)}">${esc(key.family)}</a></td>` +
      `<td>${ago(meta.lastSuccess, now)}</td><td>${meta.intervalSeconds === null ? '' : duration(meta.intervalSeconds * 1000)}</td>` +
      `<td>${meta.recordsKept === null ? '' : num(meta.recordsKept)}</td><td>${several ? '' : num(seriesOf.get(key.family) ?? 0)}</td>` +
      `<td class="${ok ? 'ok' : 'bad'}">${expired ? 'expired' : ok ? 'ok' : 'failing'}</td></tr>`;
  }).join('');
  const limited = rateLimitedByToken(state);
  const budget = state.usage.map((u) => `<tr><td><code>${esc(u.fingerprint)}</code></td>` +
    `<td>${num(u.used)} / ${num(u.limit)} (${u.limit > 0 ? Math.round((100 * u.used) / u.limit) : 0}%)</td><td>${num(limited.get(u.fingerprint) ?? 0)}</td>` +
    `<td>${u.coolingUntil > now ? `<span class="bad">cooling down ${duration(u.coolingUntil - now)} after HTTP 429</span>` : 'usable'}</td><td>${ago(u.at, now)}</td></tr>`).join('');

  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${LANDING_REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · mist-wan-exporter</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:75em;line-height:1.4}table{border-collapse:collapse}td,th{padding:.2em .8em;border-bottom:1px solid #ddd;text-align:left}
.ok{color:#1a7f37}.bad,.critical{color:#cf222e}.warning{color:#9a6700}h1 small{font-weight:normal;color:#666;font-size:.5em}ul.problems li{margin:.3em 0}footer{margin-top:2em;color:#666}</style></head>
<body><h1>${esc(title)} <small>mist-wan-exporter ${esc(v.version)}</small></h1>
<p>${problems.length === 0 ? `<span class="ok">All good</span>: ${num(state.metas.length)} ${several ? 'family collections' : 'families'} fresh, ${num(series)} series served, the store reachable, API budget with room.`
    : `<span class="${problems[0]!.severity}">${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}</span> (below). ${num(series)} series served.`}</p>
${problems.length === 0 ? '' : `<h2>Problems</h2><ul class="problems">${problems.map(problemItem).join('')}</ul>`}
<h2>Dashboards</h2>${dashboards(v.links?.grafanaUrl)}
<h2>Families</h2><table><tr>${several ? '<th>org</th>' : ''}<th>family</th><th>last success</th><th>every</th><th>records</th><th>series</th><th>status</th></tr>${rows || `<tr><td colspan="${several ? 7 : 6}">nothing collected yet</td></tr>`}</table>
<h2>Mist API budget (this hour)</h2><table><tr><th>token (fingerprint)</th><th>calls / limit</th><th>429s</th><th>state</th><th>reported</th></tr>${budget || '<tr><td colspan="5">no collector has reported yet</td></tr>'}</table>
<h2>Here and in the docs</h2><p><a href="/metrics">/metrics</a> (all) · <a href="/metrics?family=exporter">/metrics?family=exporter</a> (collector and exporter health) · <a href="/health">/health</a> · <a href="/ready">/ready</a></p>
${docs(v.links?.docsUrl)}
<footer>Store ${state.up ? '<span class="ok">reachable</span>' : '<span class="bad">unreachable</span>'}, last read ${ago(state.lastRefresh, now)}. This page refreshes every ${LANDING_REFRESH_SECONDS} s.</footer>
</body></html>`;
  return redactSecrets(html, v.secrets ?? []);
}

function problemItem(p: Problem): string {
  return `<li class="${p.severity}"><strong>${p.severity === 'critical' ? 'Critical' : 'Warning'}:</strong> ${esc(p.text)}</li>`;
}

function dashboards(grafanaUrl: string | undefined): string {
  const items = (Object.keys(DASHBOARDS) as (keyof typeof UID)[]).map((k) => {
    const label = esc(DASHBOARDS[k]);
    return grafanaUrl === undefined ? `<li>${label} <code>${UID[k]}</code></li>` : `<li><a href="${esc(`${grafanaUrl}/d/${UID[k]}`)}">${label}</a></li>`;
  }).join('');
  const hint = grafanaUrl === undefined ? '<p>Set <code>GRAFANA_URL</code> (e.g. http://grafana:3000) to link them; their uids are shown.</p>' : '';
  return `<ul>${items}</ul>${hint}`;
}

function docs(docsUrl: string | undefined): string {
  const items = DOCS.map(([file, label]) => (docsUrl === undefined
    ? `<li>${esc(label)}: <code>docs/${file}</code></li>`
    : `<li><a href="${esc(`${docsUrl}/${file}`)}">${esc(label)}</a></li>`)).join('');
  const hint = docsUrl === undefined ? '<p>In the repository under <code>docs/</code>; set <code>DOCS_URL</code> to link them.</p>' : '';
  return `<ul>${items}</ul>${hint}`;
}

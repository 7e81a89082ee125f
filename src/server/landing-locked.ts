import type { ExporterAuth } from './auth.js';
import type { StoreState } from './exposition-cache.js';
import { LANDING_REFRESH_SECONDS } from './landing.js';
import { findProblems } from './landing-problems.js';

/**
 * Headers of both landing pages: never cached, no script, style or frame from anywhere but the page's own
 * inline style (it has no script), not framed by another site, no referrer sent with its links.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/** What the landing page says without credentials when auth is on: one word, no org, family or error. */
export type LandingStatus = 'ok' | 'degraded' | 'critical';

/** The worst problem's severity as one word (a warning degrades, a critical problem is critical). Pure. */
export function landingStatus(state: StoreState, now: number): LandingStatus {
  const severities = findProblems({ state, now, orgName: () => '', severalOrgs: false }).map((p) => p.severity);
  return severities.includes('critical') ? 'critical' : severities.length > 0 ? 'degraded' : 'ok';
}

/**
 * The landing page for a visitor without credentials while /metrics needs them: the status word and how to
 * sign in. Org ids and names, family details, error messages and token fingerprints need the credentials
 * (then the full page, src/server/landing.ts). Same look and refresh as the full page; no scripts.
 */
export function lockedLandingPage(status: LandingStatus, auth: ExporterAuth): string {
  const css = status === 'ok' ? 'ok' : 'bad';
  const how = [
    ...(auth.basic ? ['<a href="/?login">sign in</a> with the user name and password <code>/metrics</code> takes (HTTP basic auth)'] : []),
    ...(auth.bearerToken ? ['send the bearer token <code>/metrics</code> takes (<code>Authorization: Bearer …</code>; a browser cannot, curl can)'] : []),
  ].join(', or ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${LANDING_REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${status} · mist-wan-exporter</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:75em;line-height:1.4}.ok{color:#1a7f37}.bad{color:#cf222e}</style></head>
<body><h1>mist-wan-exporter</h1>
<p>Status: <strong class="${css}">${status}</strong></p>
<p>The orgs, families, problems and API budget behind this status are shown with credentials: ${how}.</p>
<p><a href="/health">/health</a> · <a href="/ready">/ready</a></p>
</body></html>`;
}

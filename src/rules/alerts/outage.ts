import { R } from '../names.js';
import type { AlertingRule } from '../types.js';
import { alertRule, CIRCUIT_KEYS, GATEWAY_KEYS, heldWhile, SITE_KEYS, withCircuit, withSite, type AlertContext, where, circuit } from './common.js';

/**
 * Outages, from the recorded per-minute state (unknown = no sample: never fires, never resolves a firing alert
 * before hold_through_unknown). MistSiteDown pages and, in Alertmanager, silences the site's other alerts.
 */

export function siteDown(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  const alert = 'MistSiteDown';
  return alertRule(ctx, {
    alert,
    expr: withSite(ctx, heldWhile(ctx, alert, R.siteDown, '== 1', SITE_KEYS), R.siteDown),
    forSeconds: a.site_down_for,
    severity: 'critical',
    summary: 'A site has lost its WAN: every circuit is down or its gateway is disconnected from the Mist cloud.',
    description: `Every known WAN circuit of ${where} has been down, or its gateway disconnected from the Mist cloud, for at least ${ctx.d(a.site_down_for)}.`,
  });
}

export function circuitDown(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  const alert = 'MistCircuitDown';
  const expr = withCircuit(ctx, heldWhile(ctx, alert, R.circuitUp, '== 0', CIRCUIT_KEYS), R.circuitUp);
  return alertRule(ctx, {
    alert,
    expr: withSite(ctx, expr, R.circuitUp),
    forSeconds: a.circuit_down_for,
    severity: 'warning',
    summary: 'A WAN circuit is down.',
    description: `The ${circuit} at ${where} has been down for at least ${ctx.d(a.circuit_down_for)}.`,
  });
}

export function onSecondaryTooLong(ctx: AlertContext): AlertingRule {
  const a = ctx.config.alerts;
  const alert = 'MistOnSecondaryTooLong';
  return alertRule(ctx, {
    alert,
    expr: withSite(ctx, heldWhile(ctx, alert, R.onSecondary, '== 1', GATEWAY_KEYS), R.onSecondary),
    forSeconds: a.on_secondary_for,
    severity: 'warning',
    summary: 'A gateway has been running on a secondary circuit for too long.',
    description: `Gateway {{ $labels.mac }} at ${where} has carried its traffic on a circuit other than its primary for at least ${ctx.d(a.on_secondary_for)}.`,
  });
}

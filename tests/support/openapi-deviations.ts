/**
 * Where this project knowingly departs from the Mist OpenAPI spec 2511.1.5
 * (/work/shared/mist-openapi/mist.openapi.json), in one place.
 *
 * 1. SPEC_DEVIATIONS: exactly the "Known differences between the spec and live Mist" listed in
 *    the box at the top of /work/shared/docs/mist-api.md (details in its §1.8). Each patch is
 *    applied to a deep copy of the spec before any validator is compiled, and each checks that the
 *    spec still says what we patch away, so a new spec version makes it fail loudly, not silently.
 * 2. LOCAL_PATHS: two endpoints the simulator serves that are not in the 2511 spec; their schemas
 *    are derived from the 2606 Go SDK docs (tmunzer/mistapi-go, see mist-api.md §2.13 and §2.14).
 */

export type JsonObject = Record<string, unknown>;

export interface SpecDeviation {
  /** Stable id, handy for test names and docs. */
  readonly id: string;
  /** components/schemas names (or path templates) the deviation touches. */
  readonly targets: readonly string[];
  readonly description: string;
  /** Patch the (copied) spec document in place. */
  readonly apply: (doc: JsonObject) => void;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(parent: JsonObject, key: string, where: string): JsonObject {
  const v = parent[key];
  if (!isObject(v)) throw new Error(`OpenAPI spec: ${where}/${key} is missing or not an object`);
  return v;
}

export function componentSchemas(doc: JsonObject): JsonObject {
  return child(child(doc, 'components', '#'), 'schemas', '#/components');
}

/** components/schemas/<name>/properties/<prop> (or the schema itself when prop is omitted). */
function schemaAt(doc: JsonObject, name: string, prop?: string): JsonObject {
  const schema = child(componentSchemas(doc), name, '#/components/schemas');
  if (prop === undefined) return schema;
  return child(child(schema, 'properties', name), prop, `${name}/properties`);
}

function expectSpec(cond: boolean, id: string, what: string): void {
  if (!cond) throw new Error(`spec deviation '${id}' no longer applies: expected ${what}`);
}

const sameList = (v: unknown, want: readonly string[]): boolean =>
  Array.isArray(v) && v.length === want.length && want.every((w) => v.includes(w));

export const SPEC_DEVIATIONS: readonly SpecDeviation[] = [
  {
    id: 'ports-port-usage-wan',
    targets: ['stats_switch_port_port_usage'],
    // Live ports/search rows of gateway WAN ports carry port_usage "wan" (mist-api.md §1.8, [MCS]/[MWP]).
    description: 'ports search rows: port_usage may be "wan" (the 2511 enum only has "lan")',
    apply(doc) {
      const s = schemaAt(doc, 'stats_switch_port_port_usage');
      expectSpec(sameList(s.enum, ['lan']), this.id, 'stats_switch_port_port_usage.enum == ["lan"]');
      s.enum = ['lan', 'wan'];
    },
  },
  {
    id: 'ports-gateway-macs-optional',
    targets: ['stats_switch_port'],
    // The spec requires neighbor_mac and port_mac on every row; gateway rows (type "gateway") may lack
    // them. They stay required on every other row (type absent or not "gateway").
    description: 'ports search rows: neighbor_mac and port_mac are optional on gateway rows (type "gateway")',
    apply(doc) {
      const s = schemaAt(doc, 'stats_switch_port');
      const req = s.required;
      const moved = ['neighbor_mac', 'port_mac'];
      expectSpec(Array.isArray(req) && moved.every((m) => req.includes(m)), this.id,
        'stats_switch_port.required to contain neighbor_mac and port_mac');
      s.required = (req as unknown[]).filter((r) => typeof r !== 'string' || !moved.includes(r));
      expectSpec(s.if === undefined && s.then === undefined && s.else === undefined, this.id, 'no if/then/else');
      s.if = { properties: { type: { const: 'gateway' } }, required: ['type'] };
      s.else = { required: moved };
    },
  },
  {
    id: 'sites-sle-wan-application-health-hyphen',
    targets: ['org_site_sle_wan_result'],
    // Live org sites-sle (sle=wan) rows use "application-health"; the spec only names
    // "application_health" and has additionalProperties: false. Both spellings are accepted.
    description: 'org sites-sle (sle=wan) rows: accept "application-health" (hyphen) as well as "application_health"',
    apply(doc) {
      const s = schemaAt(doc, 'org_site_sle_wan_result');
      const props = child(s, 'properties', 'org_site_sle_wan_result');
      expectSpec(s.additionalProperties === false && isObject(props.application_health) &&
        props['application-health'] === undefined, this.id, 'closed schema with application_health only');
      props['application-health'] = structuredClone(props.application_health);
    },
  },
  {
    id: 'sle-impacted-interfaces-gateway-fields',
    targets: ['sle_impacted_interfaces_interface'],
    // Live WAN impacted-interfaces rows carry gateway_mac/gateway_name where the spec has switch_*.
    description: 'SLE impacted-interfaces rows: accept gateway_mac/gateway_name as well as switch_mac/switch_name',
    apply(doc) {
      const s = schemaAt(doc, 'sle_impacted_interfaces_interface');
      const props = child(s, 'properties', 'sle_impacted_interfaces_interface');
      expectSpec(s.additionalProperties === false && isObject(props.switch_mac) && isObject(props.switch_name) &&
        props.gateway_mac === undefined, this.id, 'closed schema with switch_mac/switch_name only');
      props.gateway_mac = structuredClone(props.switch_mac);
      props.gateway_name = structuredClone(props.switch_name);
    },
  },
  {
    id: 'sle-threshold-number',
    targets: ['sle_threshold'],
    // Live threshold responses carry a number ("threshold": 0); the spec says string ("-66").
    description: 'SLE threshold: "threshold" may be a number (live) or a string (spec)',
    apply(doc) {
      const t = schemaAt(doc, 'sle_threshold', 'threshold');
      expectSpec(t.type === 'string', this.id, 'sle_threshold.threshold.type == "string"');
      t.type = ['string', 'number'];
    },
  },
  {
    id: 'sle-summary-deprecated',
    targets: ['/api/v1/sites/{site_id}/sle/{scope}/{scope_id}/metric/{metric}/summary'],
    // No schema patch: /summary stays valid as in 2511; its 2606 replacement /summary-trend is not in
    // the 2511 spec and is added from LOCAL_PATHS below.
    description: '/summary is deprecated in 2606 in favour of /summary-trend (added as a local schema, not in 2511)',
    apply(doc) {
      const paths = child(doc, 'paths', '#');
      expectSpec(isObject(paths[this.targets[0] ?? '']), this.id, '/summary to exist in the spec');
    },
  },
];

export interface LocalPath {
  readonly template: string;
  /** An existing spec path whose non-200 responses (400/401/403/404/429) are reused. */
  readonly errorResponsesFrom: string;
  readonly schemaName: string;
  readonly schema: JsonObject;
  readonly source: string;
}

export const LOCAL_PATHS: readonly LocalPath[] = [
  {
    template: '/api/v1/sites/{site_id}/sle/{scope}/{scope_id}/metric/{metric}/summary-trend',
    errorResponsesFrom: '/api/v1/sites/{site_id}/sle/{scope}/{scope_id}/metric/{metric}/summary',
    schemaName: 'local_sle_summary_trend',
    source: 'mistapi-go (spec 2606.1.0) doc/models/sle-summary-trend.md + sle-trend-classifier.md; mist-api.md §2.13',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end', 'sle', 'classifiers'],
      properties: {
        start: { type: 'number' },
        end: { type: 'number' },
        // Same shape as /summary's `sle` (SleSummarySle in 2606), reused from the 2511 spec.
        sle: { $ref: '#/components/schemas/sle_summary_sle' },
        classifiers: {
          type: 'array',
          uniqueItems: true,
          items: {
            // SleTrendClassifier: like sle_classifier but without `impact`, and samples optional.
            type: 'object',
            additionalProperties: false,
            required: ['name', 'interval', 'x_label', 'y_label'],
            properties: {
              name: { type: 'string', minLength: 1 },
              interval: { type: 'number' },
              x_label: { type: 'string', minLength: 1 },
              y_label: { type: 'string', minLength: 1 },
              samples: { $ref: '#/components/schemas/sle_classifier_samples' },
            },
          },
        },
      },
    },
  },
  {
    template: '/api/v1/sites/{site_id}/insights/gateway/{device_id}/stats',
    errorResponsesFrom: '/api/v1/sites/{site_id}/insights/device/{device_mac}/{metric}',
    schemaName: 'local_response_gateway_insight_stats',
    source: 'mistapi-go (spec 2606.1.0) doc/models/response-device-metrics.md, ' +
      'doc/controllers/sites-insights.md; mist-api.md §2.14',
    schema: {
      // response_device_metrics, but open: one array per requested metric (e.g. rx_bps, tx_bps).
      type: 'object',
      required: ['start', 'end', 'interval', 'results'],
      properties: {
        start: { type: 'integer' },
        end: { type: 'integer' },
        interval: { type: 'integer' },
        limit: { type: 'integer' },
        page: { type: 'integer' },
        results: { $ref: '#/components/schemas/response_device_metrics_results' },
        rt: { $ref: '#/components/schemas/strings' },
      },
      additionalProperties: { type: 'array', items: { $ref: '#/components/schemas/number_or_null' } },
    },
  },
];

/** Add LOCAL_PATHS to the (copied) spec document: schemas under components/schemas, GET under paths. */
export function addLocalPaths(doc: JsonObject): void {
  const schemas = componentSchemas(doc);
  const paths = child(doc, 'paths', '#');
  for (const lp of LOCAL_PATHS) {
    if (paths[lp.template] !== undefined || schemas[lp.schemaName] !== undefined) {
      throw new Error(`local path ${lp.template} is now in the spec: drop it from LOCAL_PATHS`);
    }
    const donor = child(child(child(paths, lp.errorResponsesFrom, '#/paths'), 'get', lp.errorResponsesFrom),
      'responses', lp.errorResponsesFrom);
    const errors = Object.fromEntries(Object.entries(donor).filter(([code]) => !code.startsWith('2')));
    schemas[lp.schemaName] = structuredClone(lp.schema);
    const ok = {
      description: `local schema (not in 2511): ${lp.source}`,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${lp.schemaName}` } } },
    };
    paths[lp.template] = { get: { responses: { ...structuredClone(errors), '200': ok } } };
  }
}

/** Apply every SPEC_DEVIATIONS patch and add LOCAL_PATHS, in place. */
export function patchSpec(doc: JsonObject): void {
  for (const d of SPEC_DEVIATIONS) d.apply(doc);
  addLocalPaths(doc);
}

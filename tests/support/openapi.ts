/**
 * Validate JSON response bodies against the Mist OpenAPI spec 2511.1.5
 * (/work/shared/mist-openapi/mist.openapi.json), patched with the known spec-vs-live differences
 * and the two local (post-2511) endpoints from ./openapi-deviations.ts.
 *
 * The spec is read once (lazily, on first use). The whole document is registered with Ajv under the
 * id "mist", and a validator is compiled per response schema on first use and cached, so only the
 * schemas a test touches are ever compiled.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import { componentSchemas, isObject, patchSpec } from './openapi-deviations.js';
import type { JsonObject } from './openapi-deviations.js';

export { SPEC_DEVIATIONS, LOCAL_PATHS } from './openapi-deviations.js';
export type { SpecDeviation, LocalPath } from './openapi-deviations.js';

/** The spec file; override with MIST_OPENAPI_SPEC. */
export const SPEC_FILE =
  process.env.MIST_OPENAPI_SPEC ??
  fileURLToPath(new URL('../../../shared/mist-openapi/mist.openapi.json', import.meta.url));

export type HttpMethod = 'get';

export interface ValidationResult {
  ok: boolean;
  errors: string[];
}

export interface ValidateOptions {
  /** Validate against the spec exactly as published: no SPEC_DEVIATIONS, no LOCAL_PATHS. */
  unpatched?: boolean;
}

interface Context {
  ajv: Ajv2020;
  doc: JsonObject;
  paths: JsonObject;
  validators: Map<string, ValidateFunction>;
  /** Lazily built: schema object -> 'components/schemas/<name>/…' location, for error messages. */
  locations?: WeakMap<object, string>;
}

const SPEC_ID = 'mist';
const JSON_MEDIA_TYPE = 'application/json';

let specText: string | undefined;
const contexts = new Map<boolean, Context>();

// ajv-formats is CommonJS; depending on the loader its plugin is the namespace's default or default.default.
function formatsPlugin(): FormatsPlugin {
  const ns: unknown = ajvFormats;
  const d: unknown = isObject(ns) || typeof ns === 'function' ? (ns as { default?: unknown }).default : undefined;
  const fn: unknown = typeof d === 'function' ? d : (d as { default?: unknown } | undefined)?.default;
  if (typeof fn !== 'function') throw new Error('ajv-formats: plugin function not found');
  return fn as FormatsPlugin;
}

function context(patched: boolean): Context {
  const cached = contexts.get(patched);
  if (cached) return cached;
  specText ??= readFileSync(SPEC_FILE, 'utf8');
  const parsed: unknown = JSON.parse(specText); // a fresh (deep) copy of the spec every time
  if (!isObject(parsed) || !isObject(parsed.paths)) throw new Error(`${SPEC_FILE}: not an OpenAPI document`);
  if (patched) patchSpec(parsed);
  const ajv = new Ajv2020({
    strict: false, // OpenAPI keywords (example, discriminator, readOnly, x-*) are ignored, not errors
    allErrors: true,
    verbose: true, // keep the offending data and schema on each error, for readable messages
    validateSchema: false, // the document itself is OpenAPI, not a JSON Schema
    // Ajv's discriminator support throws "mapping is not supported" on this spec (stats_device etc.);
    // with it off the keyword is ignored and the oneOf beside it still decides.
    discriminator: false,
    logger: false,
  });
  formatsPlugin()(ajv);
  ajv.addFormat('stream', true); // OpenAPI binary-body marker, not a JSON Schema format
  ajv.addSchema(parsed, SPEC_ID);
  const ctx: Context = { ajv, doc: parsed, paths: parsed.paths, validators: new Map() };
  contexts.set(patched, ctx);
  return ctx;
}

function validatorFor(ctx: Context, ref: string): ValidateFunction {
  let v = ctx.validators.get(ref);
  if (!v) {
    v = ctx.ajv.compile({ $ref: `${SPEC_ID}${ref}` });
    ctx.validators.set(ref, v);
  }
  return v;
}

function pointerRef(segments: readonly string[]): string {
  return '#/' + segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
}

function schemaLocations(ctx: Context): WeakMap<object, string> {
  if (ctx.locations) return ctx.locations;
  const map = new WeakMap<object, string>();
  const walk = (node: unknown, at: string): void => {
    if (typeof node !== 'object' || node === null || map.has(node)) return;
    map.set(node, at);
    for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
  };
  for (const [name, schema] of Object.entries(componentSchemas(ctx.doc))) walk(schema, name);
  ctx.locations = map;
  return map;
}

/** JSON of an offending value, shortened so one bad object cannot flood the message. */
function show(v: unknown): string {
  const json = JSON.stringify(v) ?? String(v);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** "<instancePath> <message>[: detail] [<schema name>/<keyword path>]" */
function formatError(ctx: Context, e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath;
  let text = `${where} ${e.message ?? e.keyword}`;
  const p: Record<string, unknown> = e.params;
  if (e.keyword === 'additionalProperties') text += `: '${String(p.additionalProperty)}'`;
  else if (e.keyword === 'enum') text += ` ${show(p.allowedValues)}, got ${show(e.data)}`;
  else if (e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'format') {
    text += `, got ${show(e.data)}`;
  }
  const parent: unknown = e.parentSchema;
  const loc = isObject(parent) ? schemaLocations(ctx).get(parent) : undefined;
  return `${text} [${loc === undefined ? e.schemaPath : `${loc}/${e.keyword}`}]`;
}

function run(ctx: Context, validate: ValidateFunction, body: unknown): ValidationResult {
  if (validate(body)) return { ok: true, errors: [] };
  const errors = [...new Set((validate.errors ?? []).map((e) => formatError(ctx, e)))];
  return { ok: false, errors };
}

/** Validate against a named schema under components/schemas, e.g. 'vpn_peer_stat'. */
export function validateSchema(name: string, body: unknown, opts: ValidateOptions = {}): ValidationResult {
  const ctx = context(!opts.unpatched);
  if (!isObject(componentSchemas(ctx.doc)[name])) throw new Error(`no schema components/schemas/${name}`);
  return run(ctx, validatorFor(ctx, pointerRef(['components', 'schemas', name])), body);
}

/** Thrown by responseSchemaRef when the spec documents no JSON body for that status. */
class ResponseLookupError extends Error {}

/** The JSON schema $ref ('#/…' inside the spec) for a response. */
function responseSchemaRef(ctx: Context, method: HttpMethod, template: string, status: number): string {
  const item = ctx.paths[template];
  const op = isObject(item) ? item[method] : undefined;
  if (!isObject(op)) throw new Error(`no ${method.toUpperCase()} ${template} in the spec`);
  const responses = isObject(op.responses) ? op.responses : {};
  const code = [String(status), `${String(status).charAt(0)}XX`, 'default'].find((c) => c in responses);
  if (code === undefined) {
    throw new ResponseLookupError(`no ${status} response for ${method.toUpperCase()} ${template}`);
  }
  let resp: unknown = responses[code];
  let at = ['paths', template, method, 'responses', code];
  if (isObject(resp) && typeof resp.$ref === 'string') {
    const name = /^#\/components\/responses\/([^/]+)$/.exec(resp.$ref)?.[1];
    const comps = ctx.doc.components;
    resp = name !== undefined && isObject(comps) && isObject(comps.responses) ? comps.responses[name] : undefined;
    at = ['components', 'responses', name ?? ''];
  }
  const content = isObject(resp) && isObject(resp.content) ? resp.content[JSON_MEDIA_TYPE] : undefined;
  const schema = isObject(content) ? content.schema : undefined;
  if (!isObject(schema)) throw new ResponseLookupError(`no ${JSON_MEDIA_TYPE} schema for ${status} on ${template}`);
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/') && Object.keys(schema).length === 1) {
    return schema.$ref;
  }
  return pointerRef([...at, 'content', JSON_MEDIA_TYPE, 'schema']);
}


/**
 * Validate a response body against paths[pathTemplate][method].responses[status] (falling back to
 * "4XX"/"default"), application/json. Throws if the path/method is not in the spec; returns
 * ok:false if the status is not documented for it.
 */
export function validateResponse(
  method: HttpMethod,
  pathTemplate: string,
  status: number,
  body: unknown,
  opts: ValidateOptions = {},
): ValidationResult {
  const ctx = context(!opts.unpatched);
  let ref: string;
  try {
    ref = responseSchemaRef(ctx, method, pathTemplate, status);
  } catch (e) {
    if (e instanceof ResponseLookupError) return { ok: false, errors: [e.message] };
    throw e;
  }
  return run(ctx, validatorFor(ctx, ref), body);
}

/** Like validateResponse, but throws an Error listing every validation error. */
export function assertValidResponse(
  method: HttpMethod,
  pathTemplate: string,
  status: number,
  body: unknown,
  opts: ValidateOptions = {},
): void {
  const r = validateResponse(method, pathTemplate, status, body, opts);
  if (!r.ok) {
    throw new Error(`${method.toUpperCase()} ${pathTemplate} ${status}: response does not match the spec:\n  ` +
      r.errors.join('\n  '));
  }
}

/** Like validateSchema, but throws an Error listing every validation error. */
export function assertValidSchema(name: string, body: unknown, opts: ValidateOptions = {}): void {
  const r = validateSchema(name, body, opts);
  if (!r.ok) throw new Error(`components/schemas/${name}: value does not match:\n  ${r.errors.join('\n  ')}`);
}

interface CompiledTemplate {
  template: string;
  /** Per segment: a literal string, or a RegExp for a segment containing {params}. */
  segments: (string | RegExp)[];
  /** Per segment: 2 = literal, 1 = literal text plus a param, 0 = a whole-segment param. */
  rank: number[];
}

let templateIndex: Map<number, CompiledTemplate[]> | undefined;

function compileTemplate(template: string): CompiledTemplate {
  const parts = template.split('/');
  const segments = parts.map((s) => {
    if (!s.includes('{')) return s;
    const rx = s.split(/\{[^}]+\}/).map((lit) => lit.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+');
    return new RegExp(`^${rx}$`);
  });
  const rank = parts.map((s) => (!s.includes('{') ? 2 : /^\{[^}]+\}$/.test(s) ? 0 : 1));
  return { template, segments, rank };
}

/**
 * Map a concrete URL path ('/api/v1/orgs/abc/stats/ports/search', query string allowed) to its
 * spec path key. Literal segments win over {params}, leftmost first. Includes LOCAL_PATHS.
 */
export function pathTemplateFor(urlPath: string): string | undefined {
  if (!templateIndex) {
    templateIndex = new Map();
    for (const t of Object.keys(context(true).paths)) {
      const c = compileTemplate(t);
      const list = templateIndex.get(c.segments.length) ?? [];
      list.push(c);
      templateIndex.set(c.segments.length, list);
    }
  }
  const path = urlPath.replace(/[?#].*$/, '').replace(/(.)\/+$/, '$1');
  const parts = path.split('/');
  let best: CompiledTemplate | undefined;
  for (const c of templateIndex.get(parts.length) ?? []) {
    const matches = c.segments.every((seg, i) => {
      const part = parts[i] ?? '';
      return typeof seg === 'string' ? seg === part : part !== '' && seg.test(part);
    });
    if (matches && (!best || compareRank(c.rank, best.rank) > 0)) best = c;
  }
  return best?.template;
}

function compareRank(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

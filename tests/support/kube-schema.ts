import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Prometheus } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Prometheus';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';

/**
 * Schema check of Kubernetes objects with the npm kubernetes-models packages (Kubernetes' OpenAPI schemas and the
 * Prometheus Operator's CRDs, compiled to validators), made strict: those validators ignore fields they do not
 * know, as the API server's non-strict decoding would (a typo like `imagePullPolcy` is then silently dropped). Every
 * object is validated through a proxy that records which fields the validator reads; the validator reads every
 * field its schema declares, so a field present and never read is unknown to the schema. Maps (labels, data,
 * resources) are enumerated by the validator and count as read.
 */

interface Model { validate(): void }
type ModelClass = new (data: Record<string, unknown>) => Model;

const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'v1/Namespace': Namespace as unknown as ModelClass,
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
  'v1/ServiceAccount': ServiceAccount as unknown as ModelClass,
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as ModelClass,
  'monitoring.coreos.com/v1/Prometheus': Prometheus as unknown as ModelClass,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule as unknown as ModelClass,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor as unknown as ModelClass,
};

type Json = Record<string, unknown>;

/** Wraps `value` so every property read (and every enumeration) is recorded against its path. */
function tracked(value: unknown, path: string, read: Set<string>, enumerated: Set<string>): unknown {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value as object, {
    get(target, key, receiver) {
      const child: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return child;
      read.add(`${path}/${key}`);
      return tracked(child, `${path}/${key}`, read, enumerated);
    },
    ownKeys(target) {
      enumerated.add(path);
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(value: unknown, path: string, read: Set<string>, enumerated: Set<string>): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, `${path}/${i}`, read, enumerated));
  return Object.entries(value as Json).flatMap(([k, v]) => {
    const p = `${path}/${k}`;
    if (!enumerated.has(path) && !read.has(p)) return [`${p || '/'}: unknown field "${k}"`];
    return unknownFields(v, p, read, enumerated);
  });
}

/** Problems of one object: no model for its kind, a schema violation, or fields its schema does not have. */
export function schemaProblems(obj: Json): string[] {
  const kind = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const name = `${String(obj.kind)}/${String((obj.metadata as Json | undefined)?.name)}`;
  const Model = MODELS[kind];
  if (!Model) return [`${name}: no schema for ${kind}`];
  const model = new Model(structuredClone(obj));
  const read = new Set<string>();
  const enumerated = new Set<string>();
  try {
    // The model's own validate, run on a tracking view of the model (Model.validate passes `this` to the validator).
    model.validate.call(tracked(model, '', read, enumerated) as Model);
  } catch (err) {
    return [`${name}: ${err instanceof Error ? err.message : String(err)}`];
  }
  return unknownFields(model, '', read, enumerated).map((p) => `${name}: ${p}`);
}

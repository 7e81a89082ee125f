import type { Config } from './schema.js';

export const REDACTED = '[REDACTED]';

/**
 * Replaces every occurrence of every secret. Longest first, so a secret that contains
 * another is not left half-redacted. Plain split/join: secrets are data, not patterns.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const ordered = [...new Set(secrets)].filter((s) => s !== '').sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of ordered) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * Every secret value in a Config, in the forms it may show up in text: a Redis password
 * both as written in the URL (percent-encoded) and decoded.
 * A new secret field must be added here; a unit test checks every secret variable.
 */
export function secretsOf(config: Config): string[] {
  const secrets: string[] = [...config.mist.tokens];
  if (config.redis.url) secrets.push(...urlPasswords(config.redis.url));
  if (config.redis.sentinel?.password) secrets.push(config.redis.sentinel.password);
  if (config.exporter.auth.bearerToken) secrets.push(config.exporter.auth.bearerToken);
  if (config.exporter.auth.basic) secrets.push(config.exporter.auth.basic.password);
  return [...new Set(secrets)].filter((s) => s !== '');
}

function urlPasswords(raw: string): string[] {
  const url = URL.parse(raw);
  if (!url?.password) return [];
  try {
    return [url.password, decodeURIComponent(url.password)];
  } catch {
    return [url.password];
  }
}

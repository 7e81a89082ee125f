import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

/** An empty env file (docker-compose 1.29 wants a regular file, not /dev/null). */
const EMPTY_ENV = join(mkdtempSync(join(tmpdir(), 'compose-env-')), 'empty.env');
writeFileSync(EMPTY_ENV, '');

/**
 * Debian's docker-compose (1.29; scripts/ensure-test-services.sh installs it). `config` validates and resolves a
 * compose file without a Docker engine. A missing binary is a failure, never a skip.
 */
export function runCompose(args: readonly string[], cwd: string, env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  // An empty --env-file: a developer's own .env (which compose would read) must not change what is checked.
  const r = spawnSync('docker-compose', ['--env-file', EMPTY_ENV, ...args], {
    cwd,
    encoding: 'utf8',
    // Only PATH: the machine's own variables (a MIST_API_TOKENS, say) must not leak into what is checked.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  if (r.error) throw new Error(`cannot run docker-compose (${r.error.message}); install it with scripts/ensure-test-services.sh (Debian: apt-get install docker-compose)`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: string[];
  ports?: string[];
  user?: string;
  read_only?: boolean;
}

export interface ComposeConfig {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The resolved configuration (`docker-compose config`), with the given profiles and environment. */
export function resolvedCompose(cwd: string, profiles: readonly string[], env: Record<string, string> = {}): ComposeConfig {
  const r = runCompose([...profiles.flatMap((p) => ['--profile', p]), 'config'], cwd, env);
  if (r.code !== 0) throw new Error(`docker-compose config failed:\n${r.stderr}`);
  return parse(r.stdout) as ComposeConfig;
}

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile } from '../support/dockerfile.js';
import { versionCheck } from '../support/dockerfile-lint.js';
import { freePort } from '../support/redis.js';

/**
 * The image without a Docker engine: the runtime stage's /app laid out as the Dockerfile makes it (tsc's dist,
 * package.json with the build's version written in, the production modules), then its ENTRYPOINT and HEALTHCHECK
 * run for real: `--help`, `all` against the simulator, the health probe on a live and a dead port.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = '26.12.02.23.45';
const app = mkdtempSync(join(tmpdir(), 'image-app-'));
const runtime = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).stages.at(-1)!.instructions;
const entrypoint = JSON.parse(runtime.find((i) => i.keyword === 'ENTRYPOINT')!.args) as string[];
const probe = JSON.parse(/CMD\s+(\[.*\])$/.exec(runtime.find((i) => i.keyword === 'HEALTHCHECK')!.args)![1]!) as string[];
/** `node` of the image is the Node 24 running this test. */
const node = (argv: readonly string[]) => [process.execPath, ...argv.slice(1)] as const;

beforeAll(() => {
  // build stage: tsc -p tsconfig.build.json (into the layout's dist/ instead of the repository's)
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  // runtime stage: COPY package.json, then the version RUN
  writeFileSync(join(app, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  const run = spawnSync('sh', ['-c', versionCheck(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))!], { cwd: app, env: { PATH: process.env.PATH ?? '', VERSION }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`version RUN failed: ${run.stderr}`);
  // deps stage: production modules (the repository's are a superset)
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
}, 240_000);
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('the image\'s /app, run as its ENTRYPOINT and HEALTHCHECK run it', () => {
  it('ENTRYPOINT --help lists every subcommand', () => {
    const [bin, ...args] = node(entrypoint);
    const r = spawnSync(bin, [...args, '--help'], { cwd: app, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(r.status).toBe(0);
    for (const c of ['all', 'collector', 'exporter', 'plan', 'sim']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\s`, 'm'));
  });

  it('`all` serves /health and the image version; the probe passes on it and fails on a dead port', async () => {
    const [port, simPort, deadPort] = [await freePort(), await freePort(), await freePort()];
    const env = { PATH: process.env.PATH ?? '', EXPORTER_PORT: String(port), SIM_PORT: String(simPort), SIM_SITES: '20', LOG_LEVEL: 'warn', LOG_FORMAT: 'json' };
    const [bin, ...args] = node(entrypoint);
    const child = spawn(bin, [...args, 'all'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      const deadline = Date.now() + 60_000;
      let healthy = false;
      while (!healthy && Date.now() < deadline && child.exitCode === null) {
        healthy = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
        if (!healthy) await new Promise((r) => setTimeout(r, 250));
      }
      expect(healthy, output).toBe(true);
      // The probe reads PID 1's command line in a container; here it is given the same arguments.
      const [pbin, ...pargs] = node(probe);
      const live = spawnSync(pbin, [...pargs, ...entrypoint, 'all'], { cwd: app, env, encoding: 'utf8' });
      expect(live.stdout).toBe(`http://127.0.0.1:${port}/health: HTTP 200\n`);
      expect(live.status).toBe(0);
      const dead = spawnSync(pbin, [...pargs, ...entrypoint, 'exporter'], { cwd: app, env: { ...env, EXPORTER_PORT: String(deadPort) }, encoding: 'utf8' });
      expect(dead.status).toBe(1);
      expect(dead.stdout).toContain(`http://127.0.0.1:${deadPort}/health: `);
      const collector = spawnSync(pbin, [...pargs, ...entrypoint, 'collector'], { cwd: app, env, encoding: 'utf8' });
      expect(collector.status).toBe(0);
      const self = await fetch(`http://127.0.0.1:${port}/metrics?family=exporter`).then((r) => r.text());
      expect(self).toMatch(new RegExp(`mist_exporter_build_info\\{[^}]*version="${VERSION.replace(/\./g, '\\.')}"`));
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 90_000);
});

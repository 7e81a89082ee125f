/**
 * What the README says about commands and settings, checked against what exists: npm scripts, CLI subcommands,
 * the config module's variables and defaults, the compose stack's own variables and profiles. Pure: texts in,
 * one line per disagreement out.
 */
export interface DriftContext {
  readonly scripts: readonly string[];
  readonly commands: readonly string[];
  /** name → default (undefined: none) of every variable the program reads (src/config/vars.ts). */
  readonly vars: ReadonlyMap<string, string | undefined>;
  /** name → default of the compose stack's own variables (`${STACK_X:-default}` in docker-compose.yml). */
  readonly stackVars: ReadonlyMap<string, string>;
  readonly profiles: readonly string[];
  exists(path: string): boolean;
}

/** Prefixes that mark a name as one of ours: each program variable's first word, and the stack's STACK_. */
export function ourPrefixes(vars: Iterable<string>): string[] {
  return [...new Set([...[...vars].map((n) => `${n.split('_')[0]}_`), 'STACK_'])];
}

/** `${NAME:-default}` / `${NAME}` references of a compose file → name → default ('' when none). */
export function composeVariables(compose: string): Map<string, string> {
  return new Map([...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*)(?::?-([^}]*))?\}/g)].map((m) => [m[1]!, m[2] ?? '']));
}

const codeBlocks = (md: string): string[] => [...md.matchAll(/^```\w*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);

export function readmeProblems(readme: string, ctx: DriftContext): string[] {
  const problems: string[] = [];
  for (const m of readme.matchAll(/\bnpm run ([\w:-]+)/g)) {
    if (!ctx.scripts.includes(m[1]!)) problems.push(`npm run ${m[1]}: no such script in package.json`);
  }
  for (const m of readme.matchAll(/(?:npm run cli --|mist-wan-exporter|docker run [^\n`]*?mist-wan-exporter) ([a-z][\w-]*)/g)) {
    if (!ctx.commands.includes(m[1]!)) problems.push(`subcommand ${m[1]}: the CLI has no such command`);
  }
  const prefixes = ourPrefixes(ctx.vars.keys());
  const named = new Set([...readme.matchAll(/\b([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])\b/g)].map((m) => m[1]!).filter((n) => prefixes.some((p) => n.startsWith(p))));
  for (const n of named) {
    if (!ctx.vars.has(n) && !ctx.stackVars.has(n)) problems.push(`${n}: neither a variable of the config module nor one of docker-compose.yml`);
  }
  // "`NAME`, default 10 s" / "(`NAME`, default 60 s)": the stated default is the config module's.
  for (const m of readme.matchAll(/`([A-Z][A-Z0-9_]+)`,? default ([\w.:/-]+)/g)) {
    const known = ctx.vars.get(m[1]!);
    if (ctx.vars.has(m[1]!) && known !== m[2]) problems.push(`${m[1]}: README says default ${m[2]}, the config module ${known ?? 'none'}`);
  }
  // The compose variables table: | `STACK_X` | `default` or none | …
  for (const m of readme.matchAll(/^\| `(STACK_[A-Z_]+)` \| (?:`([^`]*)`|none)[^|]*\|/gm)) {
    const actual = ctx.stackVars.get(m[1]!);
    if (actual === undefined) problems.push(`${m[1]}: in README's table, not in docker-compose.yml`);
    else if ((m[2] ?? '') !== actual) problems.push(`${m[1]}: README's table says default ${m[2] ?? 'none'}, docker-compose.yml ${actual || 'none'}`);
  }
  for (const n of ctx.stackVars.keys()) {
    if (n.startsWith('STACK_') && !new RegExp(`^\\| \`${n}\` \\|`, 'm').test(readme)) problems.push(`${n}: a docker-compose.yml setting missing from README's table`);
  }
  for (const m of readme.matchAll(/--profile (\w+)/g)) if (!ctx.profiles.includes(m[1]!)) problems.push(`--profile ${m[1]}: docker-compose.yml has no such profile`);
  // Paths in commands (code blocks) exist.
  for (const block of codeBlocks(readme)) {
    for (const m of block.matchAll(/(?:^|\s)(-k |-f |--config )?((?:deploy|prometheus|grafana|scripts|tests|docs)\/[\w./-]*)/gm)) {
      const path = m[2]!.replace(/[.,;:]$/, '');
      if (!path.includes('<') && !ctx.exists(path)) problems.push(`${path}: in a README command, does not exist`);
    }
  }
  // In-page links (#anchor) lead to a heading (GitHub's anchors: lower case, punctuation dropped, spaces to dashes).
  const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
  for (const m of readme.matchAll(/\]\(#([\w-]+)\)/g)) if (!anchors.has(m[1]!)) problems.push(`#${m[1]}: no such heading in README`);
  return problems;
}

/** Variable-looking names of ours in .env.example's comments that the program does not read. */
export function envExampleProblems(example: string, vars: ReadonlyMap<string, string | undefined>): string[] {
  const prefixes = ourPrefixes(vars.keys()).filter((p) => p !== 'STACK_');
  const named = new Set([...example.matchAll(/\b([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])\b/g)].map((m) => m[1]!).filter((n) => prefixes.some((p) => n.startsWith(p))));
  return [...named].filter((n) => !vars.has(n)).map((n) => `${n}: named in .env.example, not read by the program`);
}

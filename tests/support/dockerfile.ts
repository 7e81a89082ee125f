/**
 * A small Dockerfile reader for the lint test (no Docker engine or hadolint here): instructions with their
 * line, line continuations joined, comments and parser directives dropped, split into build stages, and global
 * ARG defaults substituted where `${NAME}` / `$NAME` is used in FROM.
 */

export interface Instruction {
  readonly line: number;
  /** Upper-case keyword: FROM, RUN, COPY, … */
  readonly keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  readonly args: string;
}

export interface Stage {
  readonly name: string | undefined;
  /** The FROM's image with global ARG defaults substituted. */
  readonly image: string;
  /** --platform=… of the FROM, if any. */
  readonly platform: string | undefined;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  readonly globalArgs: ReadonlyMap<string, string | undefined>;
  readonly stages: readonly Stage[];
  readonly all: readonly Instruction[];
}

export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let current = lines[i]!;
    if (/^\s*(#.*)?$/.test(current)) continue;
    while (/\\\s*$/.test(current) && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue; // comment lines inside a continuation are dropped, as Docker does
      current = `${current.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(current);
    if (!m) throw new Error(`line ${start + 1}: not an instruction: ${current}`);
    out.push({ line: start + 1, keyword: m[1]!.toUpperCase(), args: m[2]!.trim() });
  }
  return out;
}

export function substitute(text: string, args: ReadonlyMap<string, string | undefined>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => args.get((a ?? b)!) ?? whole);
}

export function parseDockerfile(text: string): Dockerfile {
  const all = parseInstructions(text);
  const globalArgs = new Map<string, string | undefined>();
  const stages: { name: string | undefined; image: string; platform: string | undefined; instructions: Instruction[] }[] = [];
  for (const ins of all) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=(\S+)\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ platform: m[1], image: substitute(m[2]!, globalArgs), name: m[3], instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`line ${ins.line}: only ARG may come before the first FROM`);
      const [name, value] = ins.args.split('=', 2) as [string, string | undefined];
      globalArgs.set(name.trim(), value);
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages, all };
}

/** The JSON array of an exec-form instruction (CMD ["a", "b"]), or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error(`not a JSON string array: ${args}`);
  return parsed as string[];
}

/** LABEL k="v" k2=v2 … → map (values unquoted, ${ARG} left as written). */
export function labelsOf(args: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of args.matchAll(/([\w.-]+)=("((?:[^"\\]|\\.)*)"|\S+)/g)) out.set(m[1]!, m[3] ?? m[2]!);
  return out;
}

/** COPY/ADD sources (everything but the last word and --flags), or [] for COPY --from=… (another stage). */
export function copySources(args: string): { from: string | undefined; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const rest = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: rest.slice(0, -1), dest: rest.at(-1)! };
}

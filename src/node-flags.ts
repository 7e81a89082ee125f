/**
 * Node flags the long-running commands are meant to run with. The bin's shebang (src/cli.ts), the npm scripts
 * and bench:scrape all use these; a test keeps them in step.
 *
 * --max-semi-space-size=4: V8 otherwise grows the main thread's young generation to 3 × 32 MiB and keeps it.
 * The serving thread allocates little per scrape (rendering happens in a worker), so a 4 MiB semi-space costs
 * nothing measurable and keeps about 50–100 MiB out of the resident set (docs/performance.md).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/** The recommended flags this process was started without (on its command line or in NODE_OPTIONS). */
export function missingNodeFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  return NODE_FLAGS.filter((flag) => {
    const name = flag.split('=')[0]!;
    return !given.some((g) => g === flag || g.startsWith(`${name}=`) || g === name);
  });
}

import { parser } from '@prometheus-io/lezer-promql';

/**
 * Static checks of the PromQL a dashboard holds, without a Prometheus: Grafana's variables are substituted with
 * syntactically neutral values, the result is parsed with @prometheus-io/lezer-promql (the parser of Prometheus'
 * own query editor), and the tree answers what the lint asks (metric names read, what rate/irate/increase range
 * over, where a counter is read). Running the queries for real is tests/integration's job.
 */

/** Durations Grafana's range variables become, distinct so the tree still tells them apart. */
export const SUBSTITUTED = {
  rateInterval: '33333ms',
  interval: '44444ms',
  range: '55555ms',
} as const;

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

const BUILTIN_DURATIONS: Readonly<Record<string, string>> = {
  __rate_interval: SUBSTITUTED.rateInterval,
  __interval: SUBSTITUTED.interval,
  __range: SUBSTITUTED.range,
};
const BUILTIN_NUMBERS = new Set(['__range_s', '__range_ms', '__interval_ms', '__from', '__to']);

/** `$name`, `${name}`, `${name:format}`, `${__data.fields.x}`, `[[name]]`. */
export const VARIABLE_REF = /\$\{([^}]+)\}|\$([A-Za-z_]\w*)|\[\[([^\]]+)\]\]/g;

/** The variable name of a reference (format and field path cut: `${site_id:regex}` → site_id, `${__data.fields.x}` → __data). */
export function variableName(ref: string): string {
  return ref.split(':')[0]!.split('.')[0]!;
}

/** Every variable name a text refers to. */
export function variableRefs(text: string): string[] {
  return [...text.matchAll(VARIABLE_REF)].map((m) => variableName(m[1] ?? m[2] ?? m[3]!));
}

/** Positions inside string literals ("…", '…', `…`) of a PromQL text. */
function inString(expr: string): boolean[] {
  const out: boolean[] = new Array<boolean>(expr.length).fill(false);
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      out[i] = true;
      if (c === '\\' && quote !== '`') { out[++i] = true; continue; }
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out[i] = true;
    }
  }
  return out;
}

/**
 * The expression with Grafana's variables replaced: inside a string (a label matcher) by `x`; outside, the range
 * variables by the SUBSTITUTED durations, `$__range_s`-like ones by a number, a user variable in a range or after
 * `offset` by `1m`, elsewhere by `1`.
 */
export function substituteVariables(expr: string): string {
  const quoted = inString(expr);
  return expr.replace(VARIABLE_REF, (whole: string, a: string | undefined, b: string | undefined, c: string | undefined, at: number) => {
    if (quoted[at]) return 'x';
    const name = variableName(a ?? b ?? c!);
    if (BUILTIN_DURATIONS[name]) return BUILTIN_DURATIONS[name];
    if (BUILTIN_NUMBERS.has(name)) return '1';
    const before = expr.slice(0, at);
    const inRange = before.lastIndexOf('[') > before.lastIndexOf(']');
    return inRange || /\boffset\s*-?\s*$/.test(before) ? '1m' : '1';
  });
}

/**
 * The PromQL inside a query variable's query: `label_values(expr, label)` and `query_result(expr)` unwrapped;
 * null when there is none (`label_values(label)`, `label_names()`, `metrics(re)`). Anything else is PromQL itself.
 */
export function variableQueryPromql(query: string): string | null {
  const q = query.trim();
  const call = /^(label_values|query_result|label_names|metrics)\s*\(([\s\S]*)\)$/.exec(q);
  if (!call) return q;
  const [, fn, inner] = call;
  if (fn === 'query_result') return inner!.trim();
  if (fn !== 'label_values') return null;
  const comma = topLevelLastComma(inner!);
  return comma < 0 ? null : inner!.slice(0, comma).trim();
}

function topLevelLastComma(s: string): number {
  const quoted = inString(s);
  let depth = 0;
  let last = -1;
  for (let i = 0; i < s.length; i++) {
    if (quoted[i]) continue;
    const c = s[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) last = i;
  }
  return last;
}

export interface ParsedPromql {
  /** The substituted text that was parsed. */
  readonly text: string;
  readonly top: SyntaxNode;
  /** One line per syntax error: position and the text around it. */
  readonly errors: string[];
}

export function parsePromql(expr: string): ParsedPromql {
  const text = substituteVariables(expr);
  const top = parser.parse(text).topNode;
  const errors: string[] = [];
  if (text.trim() === '') errors.push('empty expression');
  walk(top, (n) => {
    if (n.type.isError) errors.push(`syntax error at ${n.from}: …${text.slice(Math.max(0, n.from - 20), n.from)}⟨here⟩${text.slice(n.from, n.from + 20)}…`);
  });
  return { text, top, errors };
}

function walk(node: SyntaxNode, visit: (n: SyntaxNode) => void): void {
  visit(node);
  for (let c = node.firstChild; c; c = c.nextSibling) walk(c, visit);
}

const nodesNamed = (p: ParsedPromql, name: string): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  walk(p.top, (n) => { if (n.name === name) out.push(n); });
  return out;
};

const textOf = (p: ParsedPromql, n: SyntaxNode): string => p.text.slice(n.from, n.to);

/** The metric name of a vector selector: `foo{…}` or `{__name__="foo"}`; null for a name-less (regex) selector. */
function selectorName(p: ParsedPromql, selector: SyntaxNode): string | null {
  const id = selector.getChild('Identifier');
  if (id) return textOf(p, id);
  for (const m of nodesUnder(selector, 'UnquotedLabelMatcher')) {
    const label = m.getChild('LabelName');
    const op = m.getChild('MatchOp');
    const value = m.getChild('StringLiteral');
    if (label && op && value && textOf(p, label) === '__name__' && textOf(p, op) === '=') return textOf(p, value).slice(1, -1);
  }
  return null;
}

function nodesUnder(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  walk(node, (n) => { if (n.name === name) out.push(n); });
  return out;
}

/** Every metric name the expression selects (name-less selectors are reported as `{…}`). */
export function metricNames(p: ParsedPromql): string[] {
  return [...new Set(nodesNamed(p, 'VectorSelector').map((s) => selectorName(p, s) ?? textOf(p, s)))];
}

const RATE_FUNCTIONS = new Set(['rate', 'irate', 'increase']);

/** The function a call node calls (`rate`, `sum_over_time`, …). */
const functionOf = (p: ParsedPromql, call: SyntaxNode): string => {
  const id = call.getChild('FunctionIdentifier');
  return id ? textOf(p, id) : '';
};

/** Nodes that wrap a range selector without changing what it selects: `x[5m] offset 1d`, `x[5m] @ end()`. */
const MODIFIERS = new Set(['OffsetExpr', 'StepInvariantExpr']);

function unwrapModifiers(node: SyntaxNode | null): SyntaxNode | null {
  let n = node;
  while (n && MODIFIERS.has(n.name)) n = n.firstChild;
  return n;
}

/** rate/irate/increase calls whose range is not `$__rate_interval` (the call's text, substituted). */
export function rateWithoutRateInterval(p: ParsedPromql): string[] {
  const bad: string[] = [];
  for (const call of nodesNamed(p, 'FunctionCall')) {
    if (!RATE_FUNCTIONS.has(functionOf(p, call))) continue;
    const arg = unwrapModifiers(call.getChild('FunctionCallBody')?.firstChild ?? null);
    const range = arg?.name === 'MatrixSelector' ? arg.getChild('DurationExpr') : null;
    if (!range || textOf(p, range) !== SUBSTITUTED.rateInterval) bad.push(textOf(p, call).replace(SUBSTITUTED.rateInterval, '$__rate_interval'));
  }
  return bad;
}

/** Counter (`…_total`) selectors not read directly by rate/irate/increase. */
export function countersOutsideRate(p: ParsedPromql): string[] {
  const bad: string[] = [];
  for (const s of nodesNamed(p, 'VectorSelector')) {
    const name = selectorName(p, s);
    if (!name?.endsWith('_total')) continue;
    let up = s.parent?.name === 'MatrixSelector' ? s.parent.parent : null;
    while (up && MODIFIERS.has(up.name)) up = up.parent;
    const call = up?.name === 'FunctionCallBody' ? up.parent : null;
    if (!call || call.name !== 'FunctionCall' || !RATE_FUNCTIONS.has(functionOf(p, call))) bad.push(name);
  }
  return bad;
}

// ---------------------------------------------------------------- output labels

/** The labels a query's result carries; null when they cannot be told (a selector of an unknown series, `without`). */
export type OutputLabels = ReadonlySet<string> | null;

const EXPR_NODES = new Set(['AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'NumberLiteral',
  'OffsetExpr', 'ParenExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr']);
const LITERALS = new Set(['NumberDurationLiteral', 'NumberLiteral', 'StringLiteral']);
/** Functions returning a scalar. */
const SCALAR_FUNCTIONS = new Set(['time', 'scalar', 'pi']);
/** Aggregations that keep their input's series (and labels). */
const SELECTING = new Set(['topk', 'bottomk', 'limitk', 'limit_ratio']);

const children = (n: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
};
const exprChildren = (n: SyntaxNode | null | undefined): SyntaxNode[] => (n ? children(n).filter((c) => EXPR_NODES.has(c.name)) : []);
const labelList = (p: ParsedPromql, n: SyntaxNode | null | undefined): string[] => (n ? nodesUnder(n, 'LabelName').map((l) => textOf(p, l)) : []);
const union = (a: OutputLabels, b: OutputLabels): OutputLabels => (a === null || b === null ? null : new Set([...a, ...b]));
const unquote = (s: string): string => s.slice(1, -1);

/**
 * The labels the result of a (parsed) query carries, as far as the expression says: `by (…)` lists them,
 * `group_left (…)` adds to the left side's, `label_replace` adds its destination, `or` unites, a number has none;
 * a selector carries its metric's labels when `labelsOf` knows them (plus job and instance), else any (null).
 */
export function outputLabels(p: ParsedPromql, labelsOf: (metric: string) => readonly string[] | undefined): OutputLabels {
  /** A scalar side of a binary operation: its result takes the other side's labels. */
  const isScalar = (n: SyntaxNode): boolean => {
    if (LITERALS.has(n.name)) return true;
    if (n.name === 'FunctionCall') return SCALAR_FUNCTIONS.has(functionOf(p, n));
    if (n.name === 'ParenExpr' || n.name === 'UnaryExpr') return exprChildren(n).every(isScalar);
    if (n.name === 'BinaryExpr') return exprChildren(n).every(isScalar);
    return false;
  };
  const of = (n: SyntaxNode | undefined): OutputLabels => {
    if (!n) return new Set();
    if (LITERALS.has(n.name)) return new Set();
    switch (n.name) {
      case 'VectorSelector': {
        const name = selectorName(p, n);
        const known = name === null ? undefined : labelsOf(name);
        return known ? new Set([...known, 'job', 'instance']) : null;
      }
      case 'AggregateExpr': {
        const op = textOf(p, n.getChild('AggregateOp')!);
        const args = exprChildren(n.getChild('FunctionCallBody'));
        if (SELECTING.has(op)) return of(args.at(-1));
        const modifier = n.getChild('AggregateModifier');
        let base: OutputLabels = new Set();
        if (modifier?.getChild('By')) base = new Set(labelList(p, modifier));
        else if (modifier?.getChild('Without')) {
          const inner = of(args.at(-1));
          const drop = new Set(labelList(p, modifier));
          base = inner === null ? null : new Set([...inner].filter((l) => !drop.has(l)));
        }
        return op === 'count_values' && args[0]?.name === 'StringLiteral' ? union(base, new Set([unquote(textOf(p, args[0]))])) : base;
      }
      case 'FunctionCall': {
        const fn = functionOf(p, n);
        const args = exprChildren(n.getChild('FunctionCallBody'));
        if (fn === 'vector' || fn === 'time' || fn === 'scalar') return new Set();
        if (fn === 'absent' || fn === 'absent_over_time') return null;
        if ((fn === 'label_replace' || fn === 'label_join') && args[1]?.name === 'StringLiteral') return union(of(args[0]), new Set([unquote(textOf(p, args[1]))]));
        return of(args.find((a) => !LITERALS.has(a.name)));
      }
      case 'BinaryExpr': {
        const [left, right] = [exprChildren(n)[0], exprChildren(n).at(-1)];
        if (left && isScalar(left)) return of(right);
        if (right && isScalar(right)) return of(left);
        const matching = n.getChild('MatchingModifierClause');
        const groupLeft = matching?.getChild('GroupLeft');
        const groupRight = matching?.getChild('GroupRight');
        const extra = (g: SyntaxNode): Set<string> => {
          const lists = matching!.getChildren('GroupingLabels');
          const after = lists.filter((l) => l.from > g.from);
          return new Set(labelList(p, after[0]));
        };
        if (groupLeft) return union(of(left), extra(groupLeft));
        if (groupRight) return union(of(right), extra(groupRight));
        if (n.getChild('Or')) return union(of(left), of(right));
        return of(left);
      }
      default:
        return of(exprChildren(n)[0]);
    }
  };
  return of(exprChildren(p.top)[0]);
}

/**
 * The metric names a PromQL expression reads (selectors), found by removing what is not a selector: strings,
 * label matchers, label lists of by/without/on/ignoring/group_*, ranges, subqueries and offsets, then the words
 * followed by "(" (functions, aggregations), keywords and aggregation operators, and the exponent of numbers.
 * Enough for the generated rules and alerts (tested against hand-written expressions in tests/unit/rules-*.test.ts);
 * not a PromQL parser.
 */
const KEYWORDS = new Set([
  'and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'atan2',
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile',
  'Inf', 'inf', 'NaN', 'nan',
]);

export function selectorNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' $1 ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+-?[0-9a-zA-Z]+/g, ' ')
    .replace(/@\s*[0-9.]+/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const before = s.slice(0, m.index);
    const after = s.slice(m.index + word.length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(word) || /[0-9.]$/.test(before)) continue;
    names.add(word);
  }
  return [...names];
}

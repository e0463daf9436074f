/**
 * A compact text form for per-code-point collation weights over the Basic Multilingual Plane, so the
 * tables can live in source as short data strings. Each code point either keeps the collation's
 * default weights (identity for the "general" collations, UCA implicit weights for unicode_ci), has no
 * weights (ignorable), or has an explicit list of weights.
 *
 * Tokens, separated by white space, hex numbers, applied to a cursor that starts at U+0000:
 *   i<n>       the next n code points keep their default weights
 *   z<n>       the next n code points are ignorable (no weights)
 *   s<n>:<w>   the next n code points each weigh w
 *   q<n>:<w>   the next n code points weigh w, w+1, w+2, ...
 *   <w>.<w>..  the next code point has these weights
 * Code points after the last token keep their defaults.
 *
 * The tables were read from MariaDB with WEIGHT_STRING() for every BMP code point; the integration
 * test test/integration/collation-differential.test.ts re-reads them and prints a fresh encoding when
 * they differ.
 */

export const BMP_SIZE = 0x10000;

/** Calls `visit` for every code point whose weights differ from the default, in order. */
export function forEachExplicitWeight(data: string, visit: (cp: number, weights: readonly number[]) => void): void {
  let cp = 0;
  for (const token of data.split(/\s+/)) {
    if (token === "") continue;
    const kind = token[0]!;
    if (kind === "i") {
      cp += parseHex(token.slice(1), token);
    } else if (kind === "z") {
      const n = parseHex(token.slice(1), token);
      for (let k = 0; k < n; k++) visit(cp++, []);
    } else if (kind === "s" || kind === "q") {
      const [count, weight] = token.slice(1).split(":");
      const n = parseHex(count, token);
      const w = parseHex(weight, token);
      for (let k = 0; k < n; k++) visit(cp++, [kind === "s" ? w : w + k]);
    } else {
      visit(cp++, token.split(".").map((part) => parseHex(part, token)));
    }
    if (cp > BMP_SIZE) throw new Error(`weight table runs past U+FFFF at ${token}`);
  }
}

function parseHex(text: string | undefined, token: string): number {
  if (text === undefined || !/^[0-9a-f]+$/.test(text)) throw new Error(`bad weight table token ${JSON.stringify(token)}`);
  return parseInt(text, 16);
}

/**
 * Encodes a table for `forEachExplicitWeight`: `weightsOf(cp)` gives each BMP code point's weights,
 * `isDefault(cp, weights)` says whether they are the collation's default for that code point.
 */
export function encodeWeightTable(
  weightsOf: (cp: number) => readonly number[],
  isDefault: (cp: number, weights: readonly number[]) => boolean,
  lineWidth = 110,
): string {
  const tokens: string[] = [];
  const hex = (n: number) => n.toString(16);
  const single = (cp: number): number | undefined => {
    const weights = weightsOf(cp);
    return weights.length === 1 && !isDefault(cp, weights) ? weights[0] : undefined;
  };
  let last = BMP_SIZE;
  while (last > 0 && isDefault(last - 1, weightsOf(last - 1))) last--;
  let cp = 0;
  while (cp < last) {
    const weights = weightsOf(cp);
    let run = 1;
    if (isDefault(cp, weights)) {
      while (cp + run < last && isDefault(cp + run, weightsOf(cp + run))) run++;
      tokens.push(`i${hex(run)}`);
    } else if (weights.length === 0) {
      while (cp + run < last && weightsOf(cp + run).length === 0 && !isDefault(cp + run, [])) run++;
      tokens.push(`z${hex(run)}`);
    } else if (weights.length === 1) {
      const w = weights[0]!;
      let same = 1;
      while (cp + same < last && single(cp + same) === w) same++;
      let step = 1;
      while (cp + step < last && single(cp + step) === w + step) step++;
      if (same > 1 && same >= step) tokens.push(`s${hex(same)}:${hex(w)}`);
      else if (step > 1) tokens.push(`q${hex(step)}:${hex(w)}`);
      else tokens.push(hex(w));
      run = Math.max(same, step);
    } else {
      tokens.push(weights.map(hex).join("."));
    }
    cp += run;
  }
  const lines: string[] = [];
  let line = "";
  for (const token of tokens) {
    if (line !== "" && line.length + 1 + token.length > lineWidth) {
      lines.push(line);
      line = token;
    } else line = line === "" ? token : `${line} ${token}`;
  }
  if (line !== "") lines.push(line);
  return lines.join("\n");
}

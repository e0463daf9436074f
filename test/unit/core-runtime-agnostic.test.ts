import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * CONTRIBUTING.md: src/core is runtime-agnostic. This checker scans TypeScript source with comments,
 * string literals, template text and regular expression literals blanked out (newlines kept, so line
 * numbers stay right), then looks for Node-only imports and globals in what is left.
 */

const FORBIDDEN_MODULES = ["net", "tls", "fs", "crypto", "os", "path", "child_process", "buffer", "events", "stream", "util"];
const FORBIDDEN_GLOBALS: Array<[string, RegExp]> = [
  ["Buffer", /(?<![\w$.])Buffer(?![\w$])/g],
  ["process", /(?<![\w$.])process(?![\w$])/g],
  ["require(", /(?<![\w$.])require\s*\(/g],
  ["__dirname", /(?<![\w$.])__dirname(?![\w$])/g],
  ["__filename", /(?<![\w$.])__filename(?![\w$])/g],
  ["setImmediate", /(?<![\w$.])setImmediate(?![\w$])/g],
];
/** After these words a `/` starts a regular expression, not a division. */
const REGEX_AFTER_WORDS = new Set(["return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "instanceof", "yield", "await"]);

interface Scanned {
  /** The source with comments, string contents and regex bodies replaced by spaces (quotes kept). */
  code: string;
  /** String literal values by the offset of their opening quote. */
  strings: Map<number, string>;
}

function blankNonCode(source: string): Scanned {
  const out = source.split("");
  const strings = new Map<number, string>();
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  /** Open template literals: the brace depth inside each `${`. */
  const templates: number[] = [];
  let i = 0;
  const scanTemplateText = () => {
    // At the character after "`" or after the "}" closing a substitution; stops after "`" or "${".
    const start = i;
    while (i < source.length) {
      const c = source[i]!;
      if (c === "\\") i += 2;
      else if (c === "`") {
        blank(start, i);
        i++;
        return;
      } else if (c === "$" && source[i + 1] === "{") {
        blank(start, i);
        i += 2;
        templates.push(0);
        return;
      } else i++;
    }
    blank(start, i);
  };
  const lastSignificant = (): string => {
    let k = i - 1;
    while (k >= 0 && /\s/.test(out[k]!)) k--;
    if (k < 0) return "";
    if (!/[\w$]/.test(out[k]!)) return out[k]!;
    let s = k;
    while (s > 0 && /[\w$]/.test(out[s - 1]!)) s--;
    return out.slice(s, k + 1).join("");
  };
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end < 0 ? source.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? source.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      let k = i + 1;
      let value = "";
      while (k < source.length && source[k] !== c && source[k] !== "\n") {
        if (source[k] === "\\") {
          value += source[k + 1] ?? "";
          k += 2;
        } else value += source[k++];
      }
      strings.set(i, value);
      blank(i + 1, k);
      i = k + 1;
    } else if (c === "`") {
      i++;
      scanTemplateText();
    } else if (templates.length > 0 && c === "{") {
      templates[templates.length - 1]!++;
      i++;
    } else if (templates.length > 0 && c === "}") {
      if (templates[templates.length - 1] === 0) {
        templates.pop();
        i++;
        scanTemplateText();
      } else {
        templates[templates.length - 1]!--;
        i++;
      }
    } else if (c === "/") {
      const before = lastSignificant();
      const isRegex = before === "" || REGEX_AFTER_WORDS.has(before) || !/^[\w$)\]}]/.test(before);
      if (!isRegex) {
        i++;
        continue;
      }
      let k = i + 1;
      let inClass = false;
      while (k < source.length && source[k] !== "\n") {
        const r = source[k]!;
        if (r === "\\") k++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        k++;
      }
      blank(i + 1, k);
      i = k + 1;
    } else i++;
  }
  return { code: out.join(""), strings };
}

interface Violation {
  line: number;
  what: string;
}

function findViolations(source: string): Violation[] {
  const { code, strings } = blankNonCode(source);
  const lineOf = (offset: number) => code.slice(0, offset).split("\n").length;
  const violations: Violation[] = [];
  const specifier = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*(?=["'])/g;
  for (const match of code.matchAll(specifier)) {
    const quote = match.index + match[0].length;
    const name = strings.get(quote);
    if (name === undefined) continue;
    const bare = name.startsWith("node:") ? name : name.split("/")[0]!;
    if (name.startsWith("node:") || FORBIDDEN_MODULES.includes(bare)) violations.push({ line: lineOf(quote), what: `imports "${name}"` });
  }
  for (const [name, pattern] of FORBIDDEN_GLOBALS) {
    for (const match of code.matchAll(pattern)) violations.push({ line: lineOf(match.index), what: `uses ${name}` });
  }
  return violations.sort((a, b) => a.line - b.line || a.what.localeCompare(b.what));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return tsFiles(path);
      return name.endsWith(".ts") ? [path] : [];
    });
}

describe("src/core is runtime-agnostic", () => {
  it("no file under src/core imports a Node module or uses a Node global", () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const files = tsFiles(join(root, "src/core"));
    assert.ok(files.length >= 30, `expected the whole core, found ${files.length} files`);
    assert.ok(files.some((f) => f.endsWith(join("protocol", "bytes.ts"))));
    const problems = files.flatMap((file) => {
      const source = readFileSync(file, "utf8");
      // Guard against the scanner running away (a regex or string taken for longer than it is):
      // every top-level statement line must survive blanking.
      const code = blankNonCode(source).code.split("\n");
      source.split("\n").forEach((line, n) => {
        const head = /^(?:import|export|const|function|class|interface|type) /.exec(line)?.[0];
        if (head) assert.ok(code[n]!.startsWith(head), `${relative(root, file)}:${n + 1} was blanked: ${line}`);
      });
      return findViolations(source).map((v) => `${relative(root, file)}:${v.line}: ${v.what}`);
    });
    assert.deepEqual(problems, []);
  });

  it("the checker catches violations in code and ignores comments, strings and regexes", () => {
    const sample = [
      'import { x } from "./bytes.ts";', // 1
      'import * as net from "node:net";', // 2
      "import type { Stats } from 'fs';", // 3
      'export { promisify } from "util";', // 4
      'import "child_process";', // 5
      "// import fs from 'node:fs'; Buffer.from(process.env)", // 6
      "/* require('os') setImmediate */ const a = 1;", // 7
      'const s = "Buffer process require(\\"net\\") __dirname";', // 8
      "const r = /process|Buffer['\"]/g.test(name);", // 9
      "const t = `text with process and ${Buffer.byteLength(s)} and ${`nested ${process.pid}`}`;", // 10
      "const b = Buffer.alloc(4);", // 11
      "if (typeof process !== 'undefined') setImmediate(() => {});", // 12
      "const m = await import('node:os'); const fsp = require(\"fs/promises\");", // 13
      "const ok = obj.process + toBufferSource(y) + new ArrayBuffer(2) + data.Buffer;", // 14
      "const half = total / 2; const q = half / process.hrtime()[0];", // 15
      "const dirname = __dirname;", // 16
    ].join("\n");
    const found = findViolations(sample).map((v) => `${v.line}: ${v.what}`);
    assert.deepEqual(found, [
      '2: imports "node:net"',
      '3: imports "fs"',
      '4: imports "util"',
      '5: imports "child_process"',
      "10: uses Buffer",
      "10: uses process",
      "11: uses Buffer",
      "12: uses process",
      "12: uses setImmediate",
      '13: imports "fs/promises"',
      '13: imports "node:os"',
      "13: uses require(",
      "15: uses process",
      "16: uses __dirname",
    ]);
  });

  it("blanking keeps offsets and lines", () => {
    const source = "a('x\\'y') // c\n/* d\n e */ `t${f}u`";
    const { code, strings } = blankNonCode(source);
    assert.equal(code.length, source.length);
    assert.deepEqual(code.split("\n").length, source.split("\n").length);
    assert.equal(code.replace(/\s+/g, " "), "a(' ') ` ${f} `");
    assert.equal(strings.get(2), "x'y");
  });
});

describe("src/net is runtime-agnostic", () => {
  it("the helpers the Bun and Deno adapters share use no Node module or global", () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const files = tsFiles(join(root, "src/net"));
    assert.ok(files.some((f) => f.endsWith("write-queue.ts")));
    const problems = files.flatMap((file) => findViolations(readFileSync(file, "utf8")).map((v) => `${relative(root, file)}:${v.line}: ${v.what}`));
    assert.deepEqual(problems, []);
  });
});

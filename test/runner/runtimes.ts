/**
 * The runtimes `npm test` runs the suite under, and how: each takes the same node:test files with its
 * own test runner and writes a JUnit report, which test/run.ts counts. Bun and Deno come from the
 * npm devDependencies `bun` and `deno` (their binaries land in node_modules/.bin).
 */
import { join } from "node:path";

export interface TestRuntime {
  name: "node" | "bun" | "deno";
  /** The program that runs the tests (must exist: `npm install` puts Bun and Deno there). */
  program: string;
  /** Arguments running `files` (relative to the repository root), writing JUnit XML to `junitFile`. */
  args(files: readonly string[], flags: readonly string[], junitFile: string): string[];
}

/** `--test-name-pattern=X`, Node's spelling, in the runtime's own. */
function nameFilter(flags: readonly string[], spelling: string): string[] {
  return flags.map((flag) => flag.replace(/^--test-name-pattern(?==)/, spelling));
}

export function testRuntimes(root: string, nodePath: string): readonly TestRuntime[] {
  const bin = join(root, "node_modules", ".bin");
  return [
    {
      name: "node",
      program: nodePath,
      args: (files, flags, junitFile) => [
        "--import",
        "tsx",
        "--test",
        "--test-reporter=spec",
        "--test-reporter-destination=stdout",
        "--test-reporter=junit",
        `--test-reporter-destination=${junitFile}`,
        ...flags,
        ...files,
      ],
    },
    {
      name: "bun",
      program: join(bin, "bun"),
      // Bun's per-test timeout is 5 s (Node and Deno have none); some integration tests restart servers.
      // "./": a bare argument would be a substring filter on paths, not a file.
      args: (files, flags, junitFile) => [
        "test",
        "--timeout=120000",
        "--reporter=junit",
        `--reporter-outfile=${junitFile}`,
        ...nameFilter(flags, "--test-name-pattern"),
        ...files.map((file) => `./${file}`),
      ],
    },
    {
      name: "deno",
      program: join(bin, "deno"),
      // --no-check: `npm run typecheck` does the type checking, once, for all three.
      args: (files, flags, junitFile) => ["test", "-A", "--no-check", `--junit-path=${junitFile}`, ...nameFilter(flags, "--filter"), ...files],
    },
  ];
}

export interface Exclusion {
  runtime: TestRuntime["name"];
  file: string;
  reason: string;
}

/**
 * Test files a runtime cannot run, each with the reason; listed in every `npm test` output. Keep this
 * empty unless a runtime genuinely lacks what a test needs.
 */
export const EXCLUSIONS: readonly Exclusion[] = [];

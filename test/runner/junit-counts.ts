/**
 * Counts the tests in a JUnit XML report as Node (`--test-reporter=junit`), Bun (`--reporter=junit`)
 * and Deno (`--junit-path`) write it, so `npm test` can say per runtime how many passed. Only leaf
 * tests count: Deno also reports each `describe` block as a test case, named as the prefix of its
 * children ("suite > test"), and those are left out so the three runtimes count alike.
 */

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Names of the failed leaf tests, for the summary. */
  failures: string[];
}

interface Case {
  name: string;
  body: string;
}

const ENTITIES: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&" };

function decodeXml(text: string): string {
  return text.replace(/&(?:lt|gt|quot|apos|amp);/g, (entity) => ENTITIES[entity]!).replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
}

function testCases(xml: string): Case[] {
  const cases: Case[] = [];
  // <testcase .../> or <testcase ...>body</testcase>. Attribute values may hold a raw ">" (Node
  // writes name="0 <-> 00" that way) but never a raw '"', so attributes are matched as quoted strings.
  const pattern = /<testcase\b((?:\s+[\w:.-]+="[^"]*")*)\s*(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(pattern)) {
    const name = /\bname="([^"]*)"/.exec(match[1] ?? "")?.[1] ?? "";
    cases.push({ name: decodeXml(name), body: match[3] ?? "" });
  }
  return cases;
}

export function countJunit(xml: string): TestCounts {
  const cases = testCases(xml);
  const names = cases.map((c) => c.name);
  const counts: TestCounts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const testCase of cases) {
    const prefix = `${testCase.name} > `;
    if (names.some((name) => name.startsWith(prefix))) continue; // a Deno describe block
    if (/<(failure|error)\b/.test(testCase.body)) {
      counts.failed++;
      counts.failures.push(testCase.name);
    } else if (/<skipped\b/.test(testCase.body)) {
      counts.skipped++;
    } else {
      counts.passed++;
    }
  }
  return counts;
}

/** "12 passed, 0 failed" with ", 3 skipped" when any were. */
export function formatCounts(counts: Pick<TestCounts, "passed" | "failed" | "skipped">): string {
  const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : "";
  return `${counts.passed} passed, ${counts.failed} failed${skipped}`;
}

/** test/runner/junit-counts.ts: the per-runtime counts `npm test` prints come out alike for all three. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countJunit, formatCounts } from "../runner/junit-counts.ts";

// Shapes as written by Node 20 (--test-reporter=junit), Bun 1.4 (--reporter=junit), Deno 2.9 (--junit-path).
const NODE = `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
	<testsuite name="codec" time="0.1" tests="3" failures="1" skipped="1">
		<testcase name="0 <-> 00" time="0.001" classname="test"/>
		<testcase name="fails" time="0.001" classname="test">
			<failure type="testCodeFailure" message="boom">AssertionError</failure>
		</testcase>
		<testcase name="later" time="0" classname="test">
			<skipped type="skipped" message="todo"/>
		</testcase>
	</testsuite>
	<testcase name="top-level" time="0.001" classname="test"/>
</testsuites>`;

const BUN = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="bun test" tests="4" failures="1" skipped="1">
  <testsuite name="test/unit/x.test.ts" file="test/unit/x.test.ts" tests="4">
    <testsuite name="codec" file="test/unit/x.test.ts" line="3" tests="3">
      <testcase name="0 &lt;-&gt; 00" classname="codec" time="0.1" file="test/unit/x.test.ts" line="4" assertions="0" />
      <testcase name="fails" classname="codec" time="0.1" file="test/unit/x.test.ts" line="5" assertions="0">
        <failure type="AssertionError" />
      </testcase>
      <testcase name="later" classname="codec" time="0" file="test/unit/x.test.ts" line="6" assertions="0">
        <skipped />
      </testcase>
    </testsuite>
    <testcase name="top-level" classname="" time="0.1" file="test/unit/x.test.ts" line="9" assertions="0" />
  </testsuite>
</testsuites>`;

const DENO = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="5" failures="2" errors="0" time="0.028">
    <testsuite name="./test/unit/x.test.ts" tests="2" disabled="0" errors="0" failures="1">
        <testcase name="codec" classname="./test/unit/x.test.ts" time="0.019" line="3" col="1">
            <failure message="1 test step failed">1 test step failed</failure>
        </testcase>
        <testcase name="top-level" classname="./test/unit/x.test.ts" time="0.001" line="9" col="1">
        </testcase>
    </testsuite>
    <testsuite name="ext:deno_node/testing.ts" tests="3" disabled="0" errors="0" failures="1">
        <testcase name="codec &gt; 0 &lt;-&gt; 00" classname="ext:deno_node/testing.ts" time="0.004" line="1" col="1">
        </testcase>
        <testcase name="codec &gt; fails" classname="ext:deno_node/testing.ts" time="0.001" line="1" col="1">
            <failure message="boom">AssertionError</failure>
        </testcase>
        <testcase name="codec &gt; later" classname="ext:deno_node/testing.ts" time="0" line="1" col="1">
            <skipped/>
        </testcase>
    </testsuite>
</testsuites>`;

describe("countJunit", () => {
  for (const [runtime, xml] of [["node", NODE], ["bun", BUN], ["deno", DENO]] as const) {
    it(`counts only leaf tests in ${runtime}'s report`, () => {
      const counts = countJunit(xml);
      assert.deepEqual({ passed: counts.passed, failed: counts.failed, skipped: counts.skipped }, { passed: 2, failed: 1, skipped: 1 });
      assert.equal(counts.failures.length, 1);
      assert.match(counts.failures[0]!, /fails$/);
    });
  }

  it("an empty or missing report counts nothing", () => {
    assert.deepEqual(countJunit(""), { passed: 0, failed: 0, skipped: 0, failures: [] });
  });

  it("formats the closing line, skipped only when any were", () => {
    assert.equal(formatCounts({ passed: 3, failed: 0, skipped: 0 }), "3 passed, 0 failed");
    assert.equal(formatCounts({ passed: 3, failed: 1, skipped: 2 }), "3 passed, 1 failed, 2 skipped");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findLoadData } from "../../src/core/server/load-data.ts";

describe("findLoadData", () => {
  it("finds LOAD DATA / LOAD XML statements, LOCAL or not, and the keyspace INTO TABLE names", () => {
    const cases: [string, ReturnType<typeof findLoadData>][] = [
      ["LOAD DATA LOCAL INFILE 'a.tsv' INTO TABLE t", [{ local: true, keyspace: undefined }]],
      ["load data infile '/tmp/a' replace into table Commerce.t", [{ local: false, keyspace: "commerce" }]],
      ["LOAD DATA LOW_PRIORITY LOCAL INFILE 'a' IGNORE INTO TABLE `ks`.`t` FIELDS TERMINATED BY ','", [{ local: true, keyspace: "ks" }]],
      ["LOAD XML CONCURRENT LOCAL INFILE 'a.xml' INTO TABLE t ROWS IDENTIFIED BY '<row>'", [{ local: true, keyspace: undefined }]],
      ["/* note */ LOAD /*!50000 DATA */ LOCAL INFILE 'a' INTO TABLE t", [{ local: true, keyspace: undefined }]],
      ["/*!LOAD DATA LOCAL INFILE 'a' INTO TABLE t*/", [{ local: true, keyspace: undefined }]],
      [
        "SELECT 1; LOAD DATA INFILE 'a' INTO TABLE t; LOAD DATA LOCAL INFILE 'b' INTO TABLE x.t",
        [
          { local: false, keyspace: undefined },
          { local: true, keyspace: "x" },
        ],
      ],
    ];
    for (const [sql, expected] of cases) assert.deepEqual(findLoadData(sql), expected, sql);
  });

  it("ignores the words elsewhere: strings, comments, identifiers, other LOAD statements", () => {
    for (const sql of [
      "SELECT 'LOAD DATA LOCAL INFILE x'",
      "SELECT 1 /* LOAD DATA LOCAL INFILE 'x' */",
      "SELECT LOAD_FILE('/etc/hosts')",
      "LOAD INDEX INTO CACHE t",
      "SELECT load FROM data",
      "INSERT INTO t VALUES (1) -- ; LOAD DATA LOCAL INFILE 'x' INTO TABLE t",
    ]) {
      assert.deepEqual(findLoadData(sql), [], sql);
    }
  });
});

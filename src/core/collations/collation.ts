/**
 * String collations the gateway can reproduce exactly, keyed by MySQL/MariaDB collation id, so rows
 * merged from several shards come out in the order one server would have produced.
 *
 * Caution for callers: the character-set field of a result set's column definition is the column's
 * own collation only when the session has `character_set_results = NULL`. Otherwise the server has
 * converted the value to the results character set and reports that character set's collation (the
 * connection's, e.g. 45 or 224) for every string column, whatever the column's collation is
 * (sql/protocol.cc, send_result_set_metadata) — comparing by that id would be wrong. The integration
 * test collation-differential pins this behaviour down.
 */
import { binaryCollation, utf8BinCollation } from "./binary.ts";
import { generalCiCollation } from "./general-ci.ts";
import { latin1BinCollation, latin1SwedishCiCollation } from "./latin1.ts";
import { unicodeCiCollation } from "./unicode-ci.ts";

export interface Collation {
  readonly id: number;
  readonly name: string;
  /** PAD SPACE collations compare as if the shorter value were padded with spaces ('a' = 'a  '). */
  readonly padSpace: boolean;
  /**
   * Orders two values given in the collation's character set, as the server's strnncollsp does; only
   * the sign of the result means anything. Throws UnsupportedComparison for bytes it cannot weigh.
   */
  compare(a: Uint8Array, b: Uint8Array): number;
  /**
   * An equality key: key(a) and key(b) hold the same bytes exactly when compare(a, b) === 0, so it
   * can be hashed for GROUP BY / DISTINCT. Not order-preserving (PAD SPACE makes 'a\t' < 'a' although
   * its key is longer), so never sort by it.
   */
  key(value: Uint8Array): Uint8Array;
}

/** Collation ids (MariaDB's `information_schema.COLLATIONS`; the ones below 256 are MySQL's too). */
export const CollationId = {
  LATIN1_SWEDISH_CI: 8,
  UTF8MB3_GENERAL_CI: 33,
  UTF8MB4_GENERAL_CI: 45,
  UTF8MB4_BIN: 46,
  LATIN1_BIN: 47,
  BINARY: 63,
  UTF8MB3_BIN: 83,
  UTF8MB3_UNICODE_CI: 192,
  UTF8MB4_UNICODE_CI: 224,
  UTF8MB4_0900_AI_CI: 255,
  LATIN1_SWEDISH_NOPAD_CI: 1032,
  UTF8MB3_GENERAL_NOPAD_CI: 1057,
  UTF8MB4_GENERAL_NOPAD_CI: 1069,
  UTF8MB4_NOPAD_BIN: 1070,
  LATIN1_NOPAD_BIN: 1071,
  UTF8MB3_NOPAD_BIN: 1107,
  UTF8MB3_UNICODE_NOPAD_CI: 1216,
  UTF8MB4_UNICODE_NOPAD_CI: 1248,
} as const;

const BMP_MAX = 0xffff;
const UNICODE_MAX = 0x10ffff;

const factories = new Map<number, () => Collation>([
  [CollationId.BINARY, () => binaryCollation(CollationId.BINARY, "binary")],
  [CollationId.UTF8MB4_BIN, () => utf8BinCollation(CollationId.UTF8MB4_BIN, "utf8mb4_bin", true)],
  [CollationId.UTF8MB4_NOPAD_BIN, () => utf8BinCollation(CollationId.UTF8MB4_NOPAD_BIN, "utf8mb4_nopad_bin", false)],
  [CollationId.UTF8MB3_BIN, () => utf8BinCollation(CollationId.UTF8MB3_BIN, "utf8mb3_bin", true)],
  [CollationId.UTF8MB3_NOPAD_BIN, () => utf8BinCollation(CollationId.UTF8MB3_NOPAD_BIN, "utf8mb3_nopad_bin", false)],
  [CollationId.UTF8MB4_GENERAL_CI, () => generalCiCollation(CollationId.UTF8MB4_GENERAL_CI, "utf8mb4_general_ci", true, UNICODE_MAX)],
  [
    CollationId.UTF8MB4_GENERAL_NOPAD_CI,
    () => generalCiCollation(CollationId.UTF8MB4_GENERAL_NOPAD_CI, "utf8mb4_general_nopad_ci", false, UNICODE_MAX),
  ],
  [CollationId.UTF8MB3_GENERAL_CI, () => generalCiCollation(CollationId.UTF8MB3_GENERAL_CI, "utf8mb3_general_ci", true, BMP_MAX)],
  [
    CollationId.UTF8MB3_GENERAL_NOPAD_CI,
    () => generalCiCollation(CollationId.UTF8MB3_GENERAL_NOPAD_CI, "utf8mb3_general_nopad_ci", false, BMP_MAX),
  ],
  [CollationId.UTF8MB4_UNICODE_CI, () => unicodeCiCollation(CollationId.UTF8MB4_UNICODE_CI, "utf8mb4_unicode_ci", true, UNICODE_MAX)],
  [
    CollationId.UTF8MB4_UNICODE_NOPAD_CI,
    () => unicodeCiCollation(CollationId.UTF8MB4_UNICODE_NOPAD_CI, "utf8mb4_unicode_nopad_ci", false, UNICODE_MAX),
  ],
  [CollationId.UTF8MB3_UNICODE_CI, () => unicodeCiCollation(CollationId.UTF8MB3_UNICODE_CI, "utf8mb3_unicode_ci", true, BMP_MAX)],
  [
    CollationId.UTF8MB3_UNICODE_NOPAD_CI,
    () => unicodeCiCollation(CollationId.UTF8MB3_UNICODE_NOPAD_CI, "utf8mb3_unicode_nopad_ci", false, BMP_MAX),
  ],
  [CollationId.LATIN1_SWEDISH_CI, () => latin1SwedishCiCollation(CollationId.LATIN1_SWEDISH_CI, "latin1_swedish_ci", true)],
  [
    CollationId.LATIN1_SWEDISH_NOPAD_CI,
    () => latin1SwedishCiCollation(CollationId.LATIN1_SWEDISH_NOPAD_CI, "latin1_swedish_nopad_ci", false),
  ],
  [CollationId.LATIN1_BIN, () => latin1BinCollation(CollationId.LATIN1_BIN, "latin1_bin", true)],
  [CollationId.LATIN1_NOPAD_BIN, () => latin1BinCollation(CollationId.LATIN1_NOPAD_BIN, "latin1_nopad_bin", false)],
]);

const built = new Map<number, Collation>();

/**
 * The collation with this id, or undefined when the gateway cannot reproduce it — the caller must
 * then refuse to merge on that column rather than guess. Not covered on purpose: 255
 * utf8mb4_0900_ai_ci (MySQL 8's UCA 9.0.0, NO PAD; no MySQL 8 server here to verify against) and
 * MariaDB's uca1400 collations. Tables are built on first use.
 */
export function collationById(id: number): Collation | undefined {
  const cached = built.get(id);
  if (cached !== undefined) return cached;
  const factory = factories.get(id);
  if (factory === undefined) return undefined;
  const collation = factory();
  built.set(id, collation);
  return collation;
}

/** Every id collationById knows. */
export function knownCollationIds(): number[] {
  return [...factories.keys()].sort((a, b) => a - b);
}

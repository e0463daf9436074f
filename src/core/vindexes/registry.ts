import { BinaryVindex } from "./binary.ts";
import { BinaryMd5Vindex } from "./binary-md5.ts";
import { HashVindex } from "./hash.ts";
import { LookupUniqueVindex } from "./lookup-unique.ts";
import { NumericVindex } from "./numeric.ts";
import { UnicodeLooseMd5Vindex } from "./unicode-loose-md5.ts";
import type { LookupBackend, SingleColumnVindex } from "./vindex.ts";
import { XxhashVindex } from "./xxhash.ts";

export interface VindexDeps {
  /** Required by lookup vindexes: runs their queries on the lookup table. */
  readonly lookupBackend?: LookupBackend;
}

type Factory = (params: Readonly<Record<string, string>>, deps: VindexDeps) => SingleColumnVindex;

// The functional vindexes hold no state, so one instance serves every vschema entry.
const hash = new HashVindex();
const xxhash = new XxhashVindex();
const numeric = new NumericVindex();
const binary = new BinaryVindex();
const binaryMd5 = new BinaryMd5Vindex();
const unicodeLooseMd5 = new UnicodeLooseMd5Vindex();

/** Type names exactly as Vitess registers them (`vindexes.Register`); Vitess has no aliases for them. */
const FACTORIES: Readonly<Record<string, Factory>> = Object.assign(Object.create(null) as Record<string, Factory>, {
  hash: () => hash,
  xxhash: () => xxhash,
  numeric: () => numeric,
  binary: () => binary,
  binary_md5: () => binaryMd5,
  unicode_loose_md5: () => unicodeLooseMd5,
  lookup_unique: (params, deps) => {
    if (!deps.lookupBackend) throw new Error("vindex type \"lookup_unique\" needs a lookup backend, and none was given");
    return new LookupUniqueVindex(params, deps.lookupBackend);
  },
} satisfies Record<string, Factory>);

/** Vitess vindex types that shardgate does not implement yet, for a clearer error than "unknown". */
const VITESS_ONLY = new Set([
  "cfc", "consistent_lookup", "consistent_lookup_unique", "lookup", "lookup_hash", "lookup_hash_unique",
  "lookup_unicodeloosemd5_hash", "lookup_unicodeloosemd5_hash_unique", "multicol", "null", "numeric_static_map",
  "region_experimental", "region_json", "reverse_bits", "unicode_loose_xxhash",
]);

export const VINDEX_TYPES: readonly string[] = Object.keys(FACTORIES).sort();

/**
 * Creates the vindex a vschema names by `type`. Unknown params are ignored as Vitess ignores them
 * (it only warns); invalid values of known params throw.
 */
export function createVindex(type: string, params: Readonly<Record<string, string>> = {}, deps: VindexDeps = {}): SingleColumnVindex {
  const factory = FACTORIES[type];
  if (factory) return factory(params, deps);
  const known = VINDEX_TYPES.join(", ");
  if (VITESS_ONLY.has(type)) throw new Error(`vindex type "${type}" exists in Vitess but is not supported by shardgate yet; supported types: ${known}`);
  throw new Error(`unknown vindex type "${type}"; known types: ${known}`);
}

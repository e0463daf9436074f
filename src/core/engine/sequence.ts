import type { ShardPool } from "../backend/shard-pool.ts";
import { MySqlError } from "../errors.ts";
import type { DmlVCursor, RunQuery } from "./dml-vcursor.ts";

/**
 * A Vitess sequence table (`CREATE TABLE t_seq (id BIGINT, next_id BIGINT, cache BIGINT, PRIMARY KEY
 * (id)) COMMENT 'vitess_sequence'` with the one row `(0, first id, block size)`) in an unsharded
 * keyspace: the ids of a sharded table's auto_increment column.
 */
export interface SequenceRef {
  keyspace: string;
  table: string;
}

/**
 * Ids reserved from one sequence table and not handed out yet: `[next, last)`. As VTTablet does
 * (tabletserver `execNextval`), the gateway reserves a block of `cache` ids at a time and hands them
 * out from memory; `next === 0n` means nothing is reserved yet.
 */
class SequenceBlock {
  private next = 0n;
  private last = 0n;
  /** Reservations of this sequence run one at a time within the gateway. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: ShardPool,
    private readonly table: string,
  ) {}

  /** The first of `count` consecutive ids, reserving a new block first when this one has too few. */
  take(vcursor: DmlVCursor, count: number): Promise<bigint> {
    const taken = this.queue.then(() => this.takeNow(vcursor, BigInt(count)));
    this.queue = taken.catch(() => undefined);
    return taken;
  }

  private async takeNow(vcursor: DmlVCursor, count: bigint): Promise<bigint> {
    if (this.next === 0n || this.next + count > this.last) {
      await vcursor.withOwnConnection(this.pool, (query) => this.reserve(query, count));
    }
    const first = this.next;
    this.next += count;
    return first;
  }

  /**
   * Moves the table's `next_id` past a new block in a transaction of its own, committed before any id
   * of the block is used: every gateway sharing the table gets disjoint blocks, and no rollback of a
   * client's transaction can hand an id out twice. When `next_id` is where this gateway's last block
   * ended, the new block continues it; otherwise another gateway took ids meanwhile (or someone moved
   * `next_id`), and the ids left in memory are dropped.
   */
  private async reserve(query: RunQuery, count: bigint): Promise<void> {
    const name = quoteIdentifier(this.table);
    await query("BEGIN");
    const { rows } = await query(`SELECT next_id, cache FROM ${name} WHERE id = 0 FOR UPDATE`);
    if (rows.length !== 1) throw this.error(`expected its one row with id = 0, found ${rows.length}`);
    let nextId = parseId(rows[0]![0], "next_id", this);
    const cache = parseId(rows[0]![1], "cache", this);
    if (cache < 1n) throw this.error(`invalid cache value ${cache} (it must be at least 1)`);
    let next = this.next;
    if (nextId !== this.last) {
      // Never below what this gateway already handed out, even if someone moved next_id back.
      if (nextId < this.last) nextId = this.last;
      next = nextId;
    }
    let last = nextId + cache;
    while (last < next + count) last += cache;
    await query(`UPDATE ${name} SET next_id = ${last} WHERE id = 0`);
    await query("COMMIT");
    this.next = next;
    this.last = last;
  }

  error(problem: string): MySqlError {
    return MySqlError.of("UNKNOWN", `sequence table '${this.pool.keyspace}.${this.table}': ${problem}`);
  }
}

/**
 * Reserved blocks, by the sequence keyspace's shard pool and the table's name. The pool object is the
 * identity: a reload that leaves the shard alone keeps its pool (RoutingSnapshot.build), so the blocks
 * survive reloads and no ids are wasted; a reload that points the shard elsewhere makes a new pool,
 * and the blocks of the old one, perhaps another database's, go with it. Two gateways in one process
 * have pools of their own, and coordinate through the table as two processes do.
 */
const blocks = new WeakMap<ShardPool, Map<string, SequenceBlock>>();

/** The first of `count` consecutive new ids of the sequence (count ≥ 1). */
export function nextSequenceIds(vcursor: DmlVCursor, sequence: SequenceRef, count: number): Promise<bigint> {
  const pool = vcursor.keyspace(sequence.keyspace).pools[0]!;
  let byTable = blocks.get(pool);
  if (!byTable) blocks.set(pool, (byTable = new Map()));
  let block = byTable.get(sequence.table);
  if (!block) byTable.set(sequence.table, (block = new SequenceBlock(pool, sequence.table)));
  return block.take(vcursor, count);
}

function parseId(text: string | null | undefined, column: string, block: SequenceBlock): bigint {
  if (text === null || text === undefined || !/^-?\d+$/.test(text)) throw block.error(`${column} is ${text === null ? "NULL" : `'${text}'`}, not an integer`);
  return BigInt(text);
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

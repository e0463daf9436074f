import { PLACEHOLDER_PREFIX } from "../planner/parameterize.ts";
import type { BindValues } from "./primitive.ts";

const PLACEHOLDER = new RegExp(`${PLACEHOLDER_PREFIX.replace(/[$]/g, "\\$&")}(\\d+)`, "g");

/**
 * SQL text to send to a shard, planned once on the parameterized statement: rendering puts each
 * literal back exactly as the client wrote it.
 */
export class QueryTemplate {
  private readonly pieces: string[];
  private readonly slots: number[];

  constructor(readonly text: string) {
    this.pieces = [];
    this.slots = [];
    let last = 0;
    for (const match of text.matchAll(PLACEHOLDER)) {
      this.pieces.push(text.slice(last, match.index));
      this.slots.push(Number(match[1]));
      last = match.index + match[0].length;
    }
    this.pieces.push(text.slice(last));
  }

  render(bind: BindValues): string {
    if (this.slots.length === 0) return this.pieces[0]!;
    let out = this.pieces[0]!;
    for (let i = 0; i < this.slots.length; i++) out += bind[this.slots[i]!]!.source + this.pieces[i + 1]!;
    return out;
  }
}

/** The text with its placeholders filled in (for one-off SQL such as a subquery's or an error message). */
export function renderText(text: string, bind: BindValues): string {
  return text.replace(PLACEHOLDER, (_, index: string) => bind[Number(index)]!.source);
}

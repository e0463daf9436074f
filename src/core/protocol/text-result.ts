import { ByteWriter } from "./bytes.ts";
import { encodeColumnDefinition, type ColumnDefinition } from "./column-definition.ts";
import { ColumnFlag, ColumnType, Collation } from "./constants.ts";
import { encodeEof } from "./eof-packet.ts";
import { encodeOk } from "./ok-packet.ts";
import { PacketWriter } from "./packet-writer.ts";

/** A value of a text-protocol row: text, a number printed as text, the raw bytes a server sent, or NULL. */
export type TextValue = string | number | bigint | Uint8Array | null;

/** A column of a result set the gateway produces itself. */
export function textColumn(name: string, type: "string" | "integer" = "string"): ColumnDefinition {
  const integer = type === "integer";
  return {
    schema: "",
    table: "",
    orgTable: "",
    name,
    orgName: "",
    characterSet: integer ? Collation.BINARY : Collation.UTF8MB4_GENERAL_CI,
    columnLength: integer ? 21 : 256,
    type: integer ? ColumnType.LONGLONG : ColumnType.VAR_STRING,
    flags: integer ? ColumnFlag.NOT_NULL | ColumnFlag.BINARY | ColumnFlag.NUM | ColumnFlag.UNSIGNED : 0,
    decimals: integer ? 0 : 31,
  };
}

export function encodeTextRow(values: readonly TextValue[]): Uint8Array {
  const writer = new ByteWriter(32);
  for (const value of values) {
    if (value === null) writer.u8(0xfb);
    else if (value instanceof Uint8Array) writer.lenencBytes(value);
    else writer.lenencString(String(value));
  }
  return writer.finish();
}

/**
 * A whole text result set ("Text Resultset"): column count, definitions, [EOF], rows, then EOF or,
 * with CLIENT_DEPRECATE_EOF, an OK packet headed 0xFE. Returned framed, ready for one write.
 */
export function encodeTextResultSet(
  columns: readonly ColumnDefinition[],
  rows: readonly (readonly TextValue[])[],
  options: { sequenceId: number; deprecateEof: boolean; statusFlags: number },
): Uint8Array {
  const writer = new PacketWriter(options.sequenceId);
  writer.add(new ByteWriter(4).lenenc(columns.length).finish());
  for (const column of columns) writer.add(encodeColumnDefinition(column));
  if (!options.deprecateEof) writer.add(encodeEof({ warnings: 0, statusFlags: options.statusFlags }));
  for (const row of rows) writer.add(encodeTextRow(row));
  writer.add(
    options.deprecateEof
      ? encodeOk({ statusFlags: options.statusFlags }, true)
      : encodeEof({ warnings: 0, statusFlags: options.statusFlags }),
  );
  return writer.take();
}

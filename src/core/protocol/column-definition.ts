import { ByteReader, ByteWriter } from "./bytes.ts";

/** Protocol::ColumnDefinition41. */
export interface ColumnDefinition {
  schema: string;
  table: string;
  orgTable: string;
  name: string;
  orgName: string;
  characterSet: number;
  columnLength: number;
  type: number;
  flags: number;
  decimals: number;
}

export function encodeColumnDefinition(column: ColumnDefinition): Uint8Array {
  return new ByteWriter(64)
    .lenencString("def")
    .lenencString(column.schema)
    .lenencString(column.table)
    .lenencString(column.orgTable)
    .lenencString(column.name)
    .lenencString(column.orgName)
    .lenenc(0x0c)
    .u16(column.characterSet)
    .u32(column.columnLength)
    .u8(column.type)
    .u16(column.flags)
    .u8(column.decimals)
    .zeros(2)
    .finish();
}

export function decodeColumnDefinition(payload: Uint8Array): ColumnDefinition {
  const reader = new ByteReader(payload);
  reader.lenencBytes();
  const schema = reader.lenencString();
  const table = reader.lenencString();
  const orgTable = reader.lenencString();
  const name = reader.lenencString();
  const orgName = reader.lenencString();
  reader.lenenc();
  const characterSet = reader.u16();
  const columnLength = reader.u32();
  const type = reader.u8();
  const flags = reader.u16();
  const decimals = reader.u8();
  return { schema, table, orgTable, name, orgName, characterSet, columnLength, type, flags, decimals };
}

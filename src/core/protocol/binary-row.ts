import { ByteWriter } from "./bytes.ts";
import { encodeColumnDefinition, type ColumnDefinition } from "./column-definition.ts";
import { ColumnType } from "./constants.ts";
import { encodeEof } from "./eof-packet.ts";
import { encodeOk } from "./ok-packet.ts";
import { PacketWriter } from "./packet-writer.ts";

const decoder = new TextDecoder();

/**
 * A text-protocol row re-encoded as a binary-protocol row (ProtocolBinary::ResultsetRow): 0x00, the NULL
 * bitmap (offset 2), then each non-NULL value in its column type's binary form. For answers the gateway
 * merged itself and must return to a COM_STMT_EXECUTE.
 */
export function encodeBinaryRow(fields: readonly ColumnDefinition[], row: readonly (Uint8Array | null)[]): Uint8Array {
  const bitmap = new Uint8Array((fields.length + 9) >> 3);
  const writer = new ByteWriter(16 + fields.length * 8);
  row.forEach((value, i) => {
    if (value === null) bitmap[(i + 2) >> 3]! |= 1 << ((i + 2) & 7);
  });
  writer.u8(0).bytes(bitmap);
  fields.forEach((field, i) => {
    const value = row[i];
    if (value === null || value === undefined) return;
    writeValue(writer, field, value);
  });
  return writer.finish();
}

function writeValue(writer: ByteWriter, field: ColumnDefinition, value: Uint8Array): void {
  const text = () => decoder.decode(value);
  switch (field.type) {
    case ColumnType.TINY:
      writer.u8(Number(BigInt.asUintN(8, BigInt(text()))));
      return;
    case ColumnType.SHORT:
    case ColumnType.YEAR:
      writer.u16(Number(BigInt.asUintN(16, BigInt(text()))));
      return;
    case ColumnType.LONG:
    case ColumnType.INT24:
      writer.u32(Number(BigInt.asUintN(32, BigInt(text()))));
      return;
    case ColumnType.LONGLONG: {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(text())), true);
      writer.bytes(bytes);
      return;
    }
    case ColumnType.FLOAT: {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setFloat32(0, Number(text()), true);
      writer.bytes(bytes);
      return;
    }
    case ColumnType.DOUBLE: {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, Number(text()), true);
      writer.bytes(bytes);
      return;
    }
    case ColumnType.DATE:
    case ColumnType.DATETIME:
    case ColumnType.TIMESTAMP:
      writer.bytes(dateTimeBytes(text()));
      return;
    case ColumnType.TIME:
      writer.bytes(timeBytes(text()));
      return;
    default:
      writer.lenencBytes(value);
  }
}

/** `YYYY-MM-DD[ hh:mm:ss[.ffffff]]` → length, year(2), month, day[, hour, minute, second[, micro(4)]]. */
function dateTimeBytes(text: string): Uint8Array {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/.exec(text);
  if (!m) return new Uint8Array([0]);
  const [, y, mo, d, h, mi, s, frac] = m;
  const micro = frac ? Number(frac.padEnd(6, "0")) : 0;
  const hasTime = h !== undefined && (Number(h) || Number(mi) || Number(s) || micro);
  const length = micro ? 11 : hasTime ? 7 : Number(y) || Number(mo) || Number(d) ? 4 : 0;
  const out = new Uint8Array(length + 1);
  const view = new DataView(out.buffer);
  out[0] = length;
  if (length >= 4) {
    view.setUint16(1, Number(y), true);
    out[3] = Number(mo);
    out[4] = Number(d);
  }
  if (length >= 7) {
    out[5] = Number(h);
    out[6] = Number(mi);
    out[7] = Number(s);
  }
  if (length === 11) view.setUint32(8, micro, true);
  return out;
}

/** `[-]hhh:mm:ss[.ffffff]` → length, sign, days(4), hour, minute, second[, micro(4)]. */
function timeBytes(text: string): Uint8Array {
  const m = /^(-?)(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return new Uint8Array([0]);
  const [, sign, h, mi, s, frac] = m;
  const hours = Number(h);
  const micro = frac ? Number(frac.padEnd(6, "0")) : 0;
  if (!hours && !Number(mi) && !Number(s) && !micro) return new Uint8Array([0]);
  const length = micro ? 12 : 8;
  const out = new Uint8Array(length + 1);
  const view = new DataView(out.buffer);
  out[0] = length;
  out[1] = sign ? 1 : 0;
  view.setUint32(2, Math.floor(hours / 24), true);
  out[6] = hours % 24;
  out[7] = Number(mi);
  out[8] = Number(s);
  if (length === 12) view.setUint32(9, micro, true);
  return out;
}

/** A whole binary result set (column count, definitions, [EOF], binary rows, EOF or 0xFE OK), framed. */
export function encodeBinaryResultSet(
  columns: readonly ColumnDefinition[],
  rows: readonly (readonly (Uint8Array | null)[])[],
  options: { sequenceId: number; deprecateEof: boolean; statusFlags: number; warnings?: number },
): Uint8Array {
  const writer = new PacketWriter(options.sequenceId);
  const end = { warnings: options.warnings ?? 0, statusFlags: options.statusFlags };
  writer.add(new ByteWriter(4).lenenc(columns.length).finish());
  for (const column of columns) writer.add(encodeColumnDefinition(column));
  if (!options.deprecateEof) writer.add(encodeEof(end));
  for (const row of rows) writer.add(encodeBinaryRow(columns, row));
  writer.add(options.deprecateEof ? encodeOk(end, true) : encodeEof(end));
  return writer.take();
}

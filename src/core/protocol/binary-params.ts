import { ByteReader } from "./bytes.ts";
import { ColumnType } from "./constants.ts";

const UNSIGNED_FLAG = 0x80;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The values of a COM_STMT_EXECUTE as SQL literals meaning the same to the server (binary protocol value
 * encodings: ProtocolBinary::MYSQL_TYPE_*), so a sharded statement can be planned like a query.
 * `types` holds 2 bytes per parameter (type, then 0x80 for unsigned); `longData` replaces the value of
 * a parameter sent with COM_STMT_SEND_LONG_DATA.
 */
export function paramLiterals(
  count: number,
  nullBitmap: Uint8Array,
  types: Uint8Array,
  values: Uint8Array,
  longData: ReadonlyMap<number, Uint8Array>,
): string[] {
  const reader = new ByteReader(values);
  const literals: string[] = [];
  for (let i = 0; i < count; i++) {
    const type = types[i * 2]!;
    const unsigned = (types[i * 2 + 1]! & UNSIGNED_FLAG) !== 0;
    const long = longData.get(i);
    if (long !== undefined) {
      literals.push(stringLiteral(long));
      continue;
    }
    if ((nullBitmap[i >> 3]! >> (i & 7)) & 1 || type === ColumnType.NULL) {
      literals.push("NULL");
      continue;
    }
    literals.push(valueLiteral(reader, type, unsigned));
  }
  return literals;
}

function valueLiteral(reader: ByteReader, type: number, unsigned: boolean): string {
  switch (type) {
    case ColumnType.TINY:
      return String(unsigned ? reader.u8() : (reader.u8() << 24) >> 24);
    case ColumnType.SHORT:
    case ColumnType.YEAR: {
      const v = reader.u16();
      return String(unsigned ? v : (v << 16) >> 16);
    }
    case ColumnType.LONG:
    case ColumnType.INT24: {
      const v = reader.u32();
      return String(unsigned ? v : v | 0);
    }
    case ColumnType.LONGLONG: {
      const bytes = reader.bytesN(8);
      const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
      return String(unsigned ? view.getBigUint64(0, true) : view.getBigInt64(0, true));
    }
    case ColumnType.FLOAT: {
      const bytes = reader.bytesN(4);
      return floatLiteral(new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true));
    }
    case ColumnType.DOUBLE: {
      const bytes = reader.bytesN(8);
      return floatLiteral(new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true));
    }
    case ColumnType.DATE:
    case ColumnType.DATETIME:
    case ColumnType.TIMESTAMP:
      return `'${dateTimeText(reader.bytesN(reader.u8()))}'`;
    case ColumnType.TIME:
      return `'${timeText(reader.bytesN(reader.u8()))}'`;
    case ColumnType.DECIMAL:
    case ColumnType.NEWDECIMAL: {
      const text = new TextDecoder().decode(reader.lenencBytes());
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new RangeError(`'${text}' is not a decimal number`);
      return text;
    }
    default:
      return stringLiteral(reader.lenencBytes());
  }
}

function floatLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError("a FLOAT/DOUBLE parameter is not a finite number");
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}e0`;
}

/** Text as a quoted UTF-8 string (compares with the column's collation); other bytes as a binary X'..' string. */
export function stringLiteral(bytes: Uint8Array): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return hexLiteral(bytes);
  }
  return `'${text.replace(/[\\'\0\n\r\x1a]/g, (c) => ESCAPES[c]!)}'`;
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", "'": "\\'", "\0": "\\0", "\n": "\\n", "\r": "\\r", "\x1a": "\\Z" };

export function hexLiteral(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return `X'${hex}'`;
}

const two = (n: number) => String(n).padStart(2, "0");

function dateTimeText(b: Uint8Array): string {
  if (b.length === 0) return "0000-00-00 00:00:00";
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const date = `${String(view.getUint16(0, true)).padStart(4, "0")}-${two(b[2]!)}-${two(b[3]!)}`;
  if (b.length < 7) return date;
  const time = `${date} ${two(b[4]!)}:${two(b[5]!)}:${two(b[6]!)}`;
  return b.length < 11 ? time : `${time}.${String(view.getUint32(7, true)).padStart(6, "0")}`;
}

function timeText(b: Uint8Array): string {
  if (b.length === 0) return "00:00:00";
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const sign = b[0] ? "-" : "";
  const hours = view.getUint32(1, true) * 24 + b[5]!;
  const time = `${sign}${two(hours)}:${two(b[6]!)}:${two(b[7]!)}`;
  return b.length < 12 ? time : `${time}.${String(view.getUint32(8, true)).padStart(6, "0")}`;
}

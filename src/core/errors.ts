import type { ErrPacket } from "./protocol/err-packet.ts";

/** MySQL server error codes and SQLSTATEs the gateway itself raises (mysqld_error.h). */
export const ErrorCode = {
  CON_COUNT: { code: 1040, sqlState: "08004" },
  HANDSHAKE: { code: 1043, sqlState: "08S01" },
  DBACCESS_DENIED: { code: 1044, sqlState: "42000" },
  ACCESS_DENIED: { code: 1045, sqlState: "28000" },
  NO_DB: { code: 1046, sqlState: "3D000" },
  UNKNOWN_COM: { code: 1047, sqlState: "08S01" },
  BAD_DB: { code: 1049, sqlState: "42000" },
  SERVER_SHUTDOWN: { code: 1053, sqlState: "08S01" },
  EMPTY_QUERY: { code: 1065, sqlState: "42000" },
  PARSE: { code: 1064, sqlState: "42000" },
  UNKNOWN: { code: 1105, sqlState: "HY000" },
  NO_SUCH_THREAD: { code: 1094, sqlState: "HY000" },
  KILL_DENIED: { code: 1095, sqlState: "HY000" },
  NET_READ: { code: 1158, sqlState: "08S01" },
  NET_PACKET_TOO_LARGE: { code: 1153, sqlState: "08S01" },
  NET_PACKETS_OUT_OF_ORDER: { code: 1156, sqlState: "08S01" },
  SPECIFIC_ACCESS_DENIED: { code: 1227, sqlState: "42000" },
  NOT_SUPPORTED_YET: { code: 1235, sqlState: "42000" },
  UNKNOWN_STMT_HANDLER: { code: 1243, sqlState: "HY000" },
  STMT_HAS_NO_OPEN_CURSOR: { code: 1421, sqlState: "HY000" },
  MAX_PREPARED_STMT_COUNT_REACHED: { code: 1461, sqlState: "42000" },
  OPTION_PREVENTS_STATEMENT: { code: 1290, sqlState: "HY000" },
  LOCK_WAIT_TIMEOUT: { code: 1205, sqlState: "HY000" },
  MALFORMED_PACKET: { code: 1835, sqlState: "HY000" },
  CONNECTION_KILLED: { code: 1927, sqlState: "70100" },
  SECURE_TRANSPORT_REQUIRED: { code: 3159, sqlState: "HY000" },
  CLIENT_LOCAL_FILES_DISABLED: { code: 3948, sqlState: "42000" },
} as const;

export type ErrorKind = keyof typeof ErrorCode;

/** An error that reaches the client as an ERR packet. */
export class MySqlError extends Error implements ErrPacket {
  override readonly name = "MySqlError";
  constructor(
    readonly code: number,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }

  static of(kind: ErrorKind, message: string): MySqlError {
    const { code, sqlState } = ErrorCode[kind];
    return new MySqlError(code, sqlState, message);
  }

  static fromPacket(err: ErrPacket): MySqlError {
    return new MySqlError(err.code, err.sqlState, err.message);
  }
}

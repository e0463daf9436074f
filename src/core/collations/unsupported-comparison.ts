/**
 * Thrown when the gateway cannot order or compare two values exactly as the backend would: an unknown
 * collation id, a type MySQL orders by something the text protocol does not carry (ENUM/SET order by
 * index, JSON by its own rules), or bytes a collation cannot weigh. The caller must refuse the merge
 * (or fail the statement) rather than return rows in a guessed order.
 */
export class UnsupportedComparison extends Error {
  override readonly name = "UnsupportedComparison";
}

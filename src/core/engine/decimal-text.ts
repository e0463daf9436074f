/** Exact DECIMAL arithmetic on the text the server sends (`-12.50`), for sums and averages merged at the gateway. */
export interface Decimal {
  /** The value times 10^scale. */
  units: bigint;
  scale: number;
}

export function parseDecimal(text: string): Decimal {
  const negative = text.startsWith("-");
  const body = negative || text.startsWith("+") ? text.slice(1) : text;
  const dot = body.indexOf(".");
  const whole = dot < 0 ? body : body.slice(0, dot);
  const fraction = dot < 0 ? "" : body.slice(dot + 1);
  const units = BigInt((whole || "0") + fraction);
  return { units: negative ? -units : units, scale: fraction.length };
}

function rescale(value: Decimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

/** `a / b` rounded half away from zero to `scale` decimals, as MySQL rounds DECIMAL division. */
export function divideDecimal(a: Decimal, divisor: bigint, scale: number): Decimal {
  const numerator = rescale(a, scale + a.scale) ;
  const denominator = divisor * 10n ** BigInt(a.scale);
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let quotient = n / d;
  if ((n % d) * 2n >= d) quotient++;
  return { units: negative ? -quotient : quotient, scale };
}

export function formatDecimal(value: Decimal): string {
  const negative = value.units < 0n;
  let digits = (negative ? -value.units : value.units).toString();
  if (value.scale > 0) {
    digits = digits.padStart(value.scale + 1, "0");
    digits = `${digits.slice(0, -value.scale)}.${digits.slice(-value.scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

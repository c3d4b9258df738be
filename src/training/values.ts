/** DuckDB's JS values as the SDK returns them: int64 as a number when exact, else a bigint. */
export function toJsValue(v: unknown): unknown {
  if (typeof v === "bigint")
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(toJsValue);
  return v;
}

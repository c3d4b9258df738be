import { describe, expect, it } from "vitest";
import { canonicalUdtType, pgType } from "../../src/infra/layout.js";
import { escapeLike, qualifiedName, quoteIdent, quoteLiteral } from "../../src/infra/sql.js";

describe("sql quoting", () => {
  it("double-quotes identifiers and doubles embedded quotes", () => {
    expect(quoteIdent("driver_stats")).toBe('"driver_stats"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('"; DROP TABLE x; --')).toBe('"""; DROP TABLE x; --"');
    expect(qualifiedName('s"', "t")).toBe('"s"""."t"');
  });

  it("refuses identifiers Postgres cannot take", () => {
    expect(() => quoteIdent("")).toThrow(/empty/);
    expect(() => quoteIdent("a\0b")).toThrow(/NUL/);
  });

  it("quotes literals and LIKE patterns", () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(escapeLike("a_b%c\\")).toBe("a\\_b\\%c\\\\");
  });

  it("maps introspected udt names to the spelling the DDL uses", () => {
    for (const dtype of [
      "int32",
      "int64",
      "float32",
      "float64",
      "string",
      "bytes",
      "bool",
      "unix_timestamp",
    ]) {
      const udt = {
        int32: "int4",
        int64: "int8",
        float32: "float4",
        float64: "float8",
        string: "text",
        bytes: "bytea",
        bool: "bool",
        unix_timestamp: "timestamptz",
      }[dtype]!;
      expect(canonicalUdtType(udt)).toBe(pgType(dtype));
      expect(canonicalUdtType(`_${udt}`)).toBe(pgType(`${dtype}[]`));
    }
    // The types Feast's Map, Json, Struct, Uuid, Decimal and nested arrays map to.
    const extended: [string, string, string][] = [
      ["uuid", "uuid", "uuid"],
      ["time_uuid", "uuid", "uuid"],
      ["decimal", "numeric", "numeric"],
      ["timestamp_tz", "timestamptz", "timestamptz"],
      ["json", "jsonb", "jsonb"],
      ["map", "jsonb", "jsonb"],
      ["struct<a:int64,b:string[]>", "jsonb", "jsonb"],
      ["uuid[]", "_uuid", "uuid[]"],
      ["decimal[]", "_numeric", "numeric[]"],
      ["json[]", "jsonb", "jsonb"],
      ["int64[][]", "jsonb", "jsonb"],
    ];
    for (const [dtype, udt, ddl] of extended) {
      expect(pgType(dtype)).toBe(ddl);
      expect(canonicalUdtType(udt)).toBe(ddl);
    }
    expect(canonicalUdtType("varchar")).toBe("varchar");
    expect(() => pgType("money")).toThrow(/unknown dtype/);
  });
});

/**
 * What the "fsops" module exports, as the parser knows it (src/parse/not-in-fsops.ts), is what
 * src/dsl/index.ts really exports: an import of a real export is never reported, and one of
 * anything else always is.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { DSL_CLASSES } from "../../src/model/kinds.js";
import { FSOPS_TYPE_EXPORTS, isFsopsExport, notInFsopsAdvice } from "../../src/parse/not-in-fsops.js";
import { parseText, where } from "./helpers.js";

function dslExports(): { classes: string[]; types: string[] } {
  const path = join(import.meta.dirname, "../../src/dsl/index.ts");
  const sf = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true);
  const classes: string[] = [];
  const types: string[] = [];
  const exported = (n: ts.Node) =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const st of sf.statements) {
    if (ts.isClassDeclaration(st) && exported(st) && st.name) classes.push(st.name.text);
    if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && exported(st))
      types.push(st.name.text);
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) types.push(el.name.text);
    }
  }
  return { classes: classes.sort(), types: types.sort() };
}

describe("the fsops module's exports", () => {
  it("the parser's list is the DSL module's", () => {
    const { classes, types } = dslExports();
    expect(classes).toEqual([...DSL_CLASSES, "FeatureViewProjection"].sort());
    expect(types).toEqual([...FSOPS_TYPE_EXPORTS].sort());
    for (const name of [...classes, ...types]) expect(isFsopsExport(name), name).toBe(true);
  });

  it("importing every real export reports nothing; importing anything else is FS132 at the name", () => {
    const { classes, types } = dslExports();
    const text = `import { ${classes.join(", ")} } from "fsops";\nimport type { ${types.join(", ")} } from "fsops";\nimport { Permission, Entity as E } from "fsops";\nexport { ValueType } from "fsops";\n`;
    expect(where(parseText({ "a.ts": text }))).toEqual(["FS132 a.ts:3:10", "FS132 a.ts:4:10"]);
  });

  it("says what to do instead, with a suggestion only when one is plausible", () => {
    expect(notInFsopsAdvice("ValueType")).toContain('valueType: "int64"');
    expect(notInFsopsAdvice("PostgreSQLSource")).toContain("PostgresSource");
    expect(notInFsopsAdvice("ParquetFormat")).toContain('fileFormat: "parquet"');
    expect(notInFsopsAdvice("FeatureVeiw")).toBe("did you mean FeatureView?");
    expect(notInFsopsAdvice("Zorblax")).toMatch(/^fsops exports Entity, Field/);
  });
});

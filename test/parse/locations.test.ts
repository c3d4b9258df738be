import { describe, expect, it } from "vitest";
import { objectOf, parseBody, pos, DSL_IMPORT } from "./helpers.js";

function locations(body: string, cls = "FeatureView"): Record<string, string> {
  const obj = objectOf(parseBody(body), cls);
  return Object.fromEntries(
    Object.entries(obj.optionLocations).map(([k, l]) => [k, `${l.line}:${l.column}`]),
  );
}

describe("optionLocations", () => {
  it("point at each value written literally, nested paths included", () => {
    const body =
      'export const e = new Entity({\n  name: "e",\n  joinKeys: ["a", "b"],\n  tags: { team: "t", "x-y": "z" },\n});\n';
    const text = DSL_IMPORT + body;
    expect(locations(body, "Entity")).toEqual({
      name: pos(text, '"e"'),
      joinKeys: pos(text, '["a"'),
      "joinKeys.0": pos(text, '"a"'),
      "joinKeys.1": pos(text, '"b"'),
      tags: pos(text, "{ team"),
      "tags.team": pos(text, '"t"'),
      "tags.x-y": pos(text, '"z"'),
    });
  });

  it("leave out keys a later spread may replace, and computed keys", () => {
    const body =
      'const base = { description: "d", owner: "o" };\nconst k = "owner";\n' +
      'export const e = new Entity({ description: "x", ...base, name: "e", [k]: "me", tags: { ...{ a: "1" }, b: "2" } });\n';
    const text = DSL_IMPORT + body;
    expect(locations(body, "Entity")).toEqual({
      name: pos(text, '"e"'),
      tags: pos(text, "{ ...{"),
      "tags.b": pos(text, '"2"'),
    });
    expect(objectOf(parseBody(body), "Entity").options).toEqual({
      description: "d",
      owner: "me",
      name: "e",
      tags: { a: "1", b: "2" },
    });
  });

  it("count array elements after the last spread back from the evaluated end", () => {
    const body =
      'const shared = [new Field({ name: "s1", dtype: "int64" }), new Field({ name: "s2", dtype: "int64" })];\n' +
      'export const v = new FeatureView({ name: "v", entities: [], source: undefined, schema: [new Field({ name: "first", dtype: "int64" }), ...shared, new Field({ name: "last", dtype: "int64" })] });\n';
    const text = DSL_IMPORT + body;
    const locs = locations(body);
    expect(locs["schema.0"]).toBe(pos(text, 'new Field({ name: "first"'));
    expect(locs["schema.3"]).toBe(pos(text, 'new Field({ name: "last"'));
    expect(locs["schema.1"]).toBeUndefined();
    expect(locs["schema.2"]).toBeUndefined();
  });

  it("keep the last of duplicate keys", () => {
    const body =
      'export const e = new Entity({ name: "a", tags: { x: "1" }, tags: { y: "2" }, name: "e" });\n';
    const text = DSL_IMPORT + body;
    expect(locations(body, "Entity")).toEqual({
      name: pos(text, '"e"'),
      tags: pos(text, "{ y"),
      "tags.y": pos(text, '"2"'),
    });
  });

  it("are part of the object's JSON", () => {
    const e = objectOf(parseBody('export const e = new Entity({ name: "e" });\n'), "Entity");
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      $dsl: "Entity",
      id: 0,
      options: { name: "e" },
      location: { file: "a.ts", line: 2, column: 18 },
      optionLocations: { name: { file: "a.ts", line: 2, column: 37 } },
    });
  });
});

/**
 * The conversion itself, pure (no disk, no servers): Python text in, TypeScript text and findings
 * out. Each test states the Feast idiom and the fsops text it must become.
 */
import { describe, expect, it } from "vitest";
import { importFeastRepo, TODO_MARKER } from "../../../src/importers/feast/index.js";
import type { FeastImportResult } from "../../../src/importers/feast/index.js";
import { decodeString, parsePython } from "../../../src/importers/feast/python.js";
import { formatDuration, timedeltaSeconds } from "../../../src/importers/feast/durations.js";

const YAML = "project: demo\nregistry: data/registry.db\n";

function run(files: Record<string, string>, yaml = YAML, repoFromProject = ""): FeastImportResult {
  return importFeastRepo({
    files: Object.entries(files).map(([path, text]) => ({ path, text })),
    featureStoreYaml: yaml,
    repoName: "feature_repo",
    repoFromProject,
  });
}

function ts(result: FeastImportResult, path: string): string {
  const f = result.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${result.files.map((x) => x.path).join(", ")}`);
  return f.text;
}

/** The TypeScript of one module whose Python is `body` after the usual Feast imports. */
function one(body: string): { text: string; result: FeastImportResult } {
  const header =
    "from datetime import timedelta\n" +
    "from feast import Entity, FeatureView, FeatureService, Field, FileSource, ValueType, Project\n" +
    "from feast.types import Array, Bool, Float32, Float64, Int32, Int64, Json, Map, String, Struct, UnixTimestamp\n";
  const result = run({ "repo.py": header + body });
  return { text: ts(result, "repo.ts"), result };
}

const durationOf = (call: string) => {
  const { text, result } = one(`x = ${call}\n`);
  return { line: /export const x = (.*);/.exec(text)?.[1], todos: result.todos };
};

describe("timedelta → fsops durations", () => {
  it.each([
    ["timedelta(days=1)", '"1d"'],
    ["timedelta(hours=12, minutes=30)", '"12h30m"'],
    ["timedelta(seconds=8640000000)", '"100000d"'],
    ["timedelta(weeks=52)", '"364d"'],
    ["timedelta(days=365 * 10)", '"3650d"'],
    ["timedelta(1)", '"1d"'],
    ["timedelta(0, 90)", '"1m30s"'],
    ["timedelta(milliseconds=2000)", '"2s"'],
    ["timedelta()", "0"],
    ["timedelta(seconds=0)", "0"],
  ])("%s is %s", (call, expected) => {
    const r = durationOf(call);
    expect(r.todos).toEqual([]);
    expect(r.line).toBe(expected);
  });

  it("a duration held by a module constant is followed", () => {
    const { text } = one("DAYS = 3\nx = timedelta(days=DAYS)\n");
    expect(text).toContain('export const x = "3d";');
  });

  it.each([
    ["timedelta(milliseconds=1500)", "not a whole number of seconds"],
    ["timedelta(days=-1)", "negative"],
    ["timedelta(days=n)", '"n" is not defined in this file'],
    ["timedelta(fortnights=1)", 'no parameter "fortnights"'],
  ])("%s is a TODO (%s)", (call, why) => {
    const r = durationOf(call);
    expect(r.todos.map((t) => t.message).join("\n")).toContain(why);
    expect(r.line).toBe(TODO_MARKER);
  });

  it("formats whole seconds the shortest way", () => {
    expect(formatDuration(86400 + 3600 + 60 + 1)).toBe("1d1h1m1s");
    expect(timedeltaSeconds([], { weeks: 2 })).toEqual({ seconds: 1209600 });
  });
});

describe("Feast types → fsops dtypes", () => {
  it.each([
    ["Float32", "float32"],
    ["Float64", "float64"],
    ["Int32", "int32"],
    ["Int64", "int64"],
    ["String", "string"],
    ["Bool", "bool"],
    ["UnixTimestamp", "unix_timestamp"],
    ["Array(Float32)", "float32[]"],
    ["Array(Array(Int64))", "int64[][]"],
    ["Map", "map"],
    ["Json", "json"],
    ['Struct({"city": String, "zip": Int32})', "struct<city:string,zip:int32>"],
    ["ValueType.FLOAT", "float32"],
    ["ValueType.DOUBLE", "float64"],
    ["ValueType.INT64_LIST", "int64[]"],
    ["ValueType.STRING", "string"],
  ])("%s → %s", (feast, dtype) => {
    const { text, result } = one(`f = Field(name="x", dtype=${feast})\n`);
    expect(result.todos).toEqual([]);
    expect(text).toContain(`new Field({ name: "x", dtype: "${dtype}" })`);
  });

  it("entities' value_type and the old Feature(name, ValueType) convert the same way", () => {
    const { text } = one(
      'from feast import Feature\ne = Entity(name="driver", value_type=ValueType.INT64)\nf = Feature("trips", ValueType.INT32)\n',
    );
    expect(text).toContain('new Entity({ name: "driver", valueType: "int64" })');
    expect(text).toContain('new Field({ name: "trips", dtype: "int32" })');
  });

  it("a type fsops does not know is a TODO at its place", () => {
    const { text, result } = one('from feast.types import PdfBytes\nf = Field(name="doc", dtype=PdfBytes)\n');
    expect(result.todos).toEqual([
      { file: "repo.py", line: 5, column: 29, message: "Feast type PdfBytes has no fsops dtype" },
    ]);
    expect(text).toContain(`dtype: ${TODO_MARKER}`);
  });
});

describe("selections, names and options", () => {
  it("fv[[...]] is fv.select([...]), also across files", () => {
    const result = run({
      "views.py":
        "from feast import FeatureView, FeatureService\nfv = FeatureView(name='fv', schema=[])\n" +
        "svc = FeatureService(name='svc', features=[fv[['a', 'b']]])\n",
      "services.py":
        "from feast import FeatureService\nfrom views import fv\nsvc2 = FeatureService(name='svc2', features=[fv[['a']]])\n",
    });
    expect(ts(result, "views.ts")).toContain('features: [fv.select(["a", "b"])]');
    expect(ts(result, "services.ts")).toContain('import { fv } from "./views.js";');
    expect(ts(result, "services.ts")).toContain('features: [fv.select(["a"])]');
  });

  it("keeps object names, maps snake_case options to camelCase, omits None (Feast's default)", () => {
    const { text, result } = one(
      'src = FileSource(name="s", path="s3://b/x.parquet", timestamp_field="ts", created_timestamp_column="c", field_mapping={"A": "a"}, owner=None)\n',
    );
    expect(result.todos).toEqual([]);
    expect(text).toContain(
      'export const src = new FileSource({\n  name: "s",\n  path: "s3://b/x.parquet",\n  timestampField: "ts",\n  createdTimestampColumn: "c",\n  fieldMapping: { A: "a" },\n});',
    );
  });

  it("deprecated Feast arguments convert, with a note each", () => {
    const { text, result } = one(
      'e = Entity(name="d", join_key="driver_id")\nsrc = FileSource(path="x.parquet", event_timestamp_column="ts")\n' +
        'v = FeatureView(name="v", entities=["d"], batch_source=src, features=[])\n',
    );
    expect(text).toContain('joinKeys: ["driver_id"]');
    expect(text).toContain('timestampField: "ts"');
    expect(text).toMatch(/entities: \[e\],\s+source: src,\s+schema: \[\]/);
    expect(result.notes.map((n) => n.message)).toEqual(
      expect.arrayContaining([
        "Entity(join_key=...) is deprecated in Feast; written as joinKeys",
        "FeatureView(batch_source=...) is deprecated in Feast; written as source",
      ]),
    );
  });

  it("an entity named by a string is the Entity object of that name, imported from its file", () => {
    const result = run({
      "entities.py": "from feast import Entity\ncustomer = Entity(name='customer_entity')\n",
      "views.py":
        "from feast import FeatureView\nv = FeatureView(name='v', entities=['customer_entity'], schema=[])\n",
    });
    expect(ts(result, "views.ts")).toContain('import { customer } from "./entities.js";');
    expect(ts(result, "views.ts")).toContain("entities: [customer]");
  });

  it("an argument fsops does not know stays under its Python name, as a TODO validate rejects", () => {
    const { text, result } = one('fv = FeatureView(name="fv", schema=[], enable_validation=True)\n');
    expect(text).toContain("enable_validation: true");
    expect(result.todos.map((t) => `${t.line}: ${t.message}`)).toEqual([
      '4: FeatureView option "enable_validation" has no fsops equivalent: fsops does not validate feature values when serving; remove it',
    ]);
  });

  it("comprehensions, f-strings, string methods and list concatenation become pure TypeScript", () => {
    const { text, result } = one(
      'REGIONS = ["EU", "US"]\n' +
        'fields = [Field(name=f"spend_{r.lower()}", dtype=Float32) for r in REGIONS if r != "XX"]\n' +
        'more = [Field(name="f_" + str(i), dtype=Int64) for i in range(3)]\n' +
        'both = fields + [Field(name="last", dtype=Bool)]\n' +
        'tags = {k: v for k, v in {"a": "b"}.items()}\n' +
        'name = "_".join(["driver", "stats"]).upper()\n',
    );
    expect(result.todos).toEqual([]);
    expect(text).toContain(
      'REGIONS.filter((r) => r !== "XX").map((r) => new Field({ name: `spend_${r.toLowerCase()}`, dtype: "float32" }))',
    );
    expect(text).toContain("Array.from({ length: 3 }, (_, i) => i).map((i) => new Field(");
    expect(text).toContain('export const both = [...fields, new Field({ name: "last", dtype: "bool" })];');
    expect(text).toContain('Object.fromEntries(Object.entries({ a: "b" }).map(([k, v]) => [k, v]))');
    expect(text).toContain('["driver", "stats"].join("_").toUpperCase()');
  });

  it("Feast through its module name: feast.Entity, @feast.on_demand_feature_view, feast.ValueType", () => {
    const result = run({
      "a.py": [
        "import feast",
        "from feast.types import Float64",
        "d = feast.Entity(name='d', value_type=feast.ValueType.INT64)",
        "@feast.on_demand_feature_view(sources=[], schema=[feast.Field(name='x', dtype=Float64)])",
        "def f(df):",
        "    return df",
      ].join("\n"),
    });
    const text = ts(result, "a.ts");
    expect(text).toContain('export const d = new Entity({ name: "d", valueType: "int64" });');
    expect(text).toContain("export const f = new OnDemandFeatureView({");
    expect(result.todos.map((t) => t.message)).toEqual([
      'the Python transformation of on-demand view "f" must be rewritten as a TypeScript function (columns in, columns out)',
    ]);
  });

  it("a Python name TypeScript reserves is renamed, with a note", () => {
    const { text, result } = one('default = Entity(name="default_entity")\n');
    expect(text).toContain("export const default_ = new Entity(");
    expect(result.notes.map((n) => n.message)).toContain(
      '"default" is a reserved word in TypeScript; it is named "default_" here',
    );
  });

  it("comments above statements and arguments are kept", () => {
    const { text } = one('# the driver\nd = Entity(\n    # who drives\n    name="driver",\n)\n# the end\n');
    expect(text.endsWith("// the end\n")).toBe(true);
    expect(text).toContain(
      '// the driver\nexport const d = new Entity({\n  // who drives\n  name: "driver",\n});',
    );
  });
});

describe("imports between files", () => {
  it("resolves relative, absolute, repository-prefixed, star and namespace imports", () => {
    const result = run({
      "pkg/__init__.py": "",
      "pkg/entities.py":
        "from feast import Entity\ndriver = Entity(name='driver')\nrider = Entity(name='rider')\n",
      "pkg/a.py":
        "from feast import FeatureView\nfrom .entities import driver\nva = FeatureView(name='va', entities=[driver], schema=[])\n",
      "b.py":
        "from feast import FeatureView\nfrom feature_repo.pkg.entities import rider\nvb = FeatureView(name='vb', entities=[rider], schema=[])\n",
      "c.py":
        "from feast import FeatureView\nfrom pkg.entities import *\nvc = FeatureView(name='vc', entities=[driver, rider], schema=[])\n",
      "d.py":
        "from feast import FeatureView\nimport pkg.entities as ents\nvd = FeatureView(name='vd', entities=[ents.driver], schema=[])\n",
    });
    expect(result.todos).toEqual([]);
    expect(ts(result, "pkg/a.ts")).toContain('import { driver } from "./entities.js";');
    expect(ts(result, "b.ts")).toContain('import { rider } from "./pkg/entities.js";');
    expect(ts(result, "c.ts")).toContain('import { driver, rider } from "./pkg/entities.js";');
    expect(ts(result, "d.ts")).toContain('import * as ents from "./pkg/entities.js";');
    expect(ts(result, "d.ts")).toContain("entities: [ents.driver]");
    // An empty package file defines nothing: no index.ts, and a note says so.
    expect(result.files.map((f) => f.path)).not.toContain("pkg/index.ts");
    expect(result.notes).toContainEqual({
      file: "pkg/__init__.py",
      line: 1,
      column: 1,
      message: "defines no Feast objects; no .ts file written",
    });
  });

  it("a package with both __init__.py and index.py keeps both files apart", () => {
    const result = run({
      "pkg/__init__.py": "from feast import Entity\na = Entity(name='a')\n",
      "pkg/index.py": "from feast import Entity\nb = Entity(name='b')\n",
    });
    expect(result.files.map((f) => f.path)).toEqual(["fsops.yaml", "pkg/__init__.ts", "pkg/index.ts"]);
  });

  it("a name re-exported through another module is imported from where it is defined", () => {
    const result = run({
      "entities.py": "from feast import Entity\ndriver = Entity(name='driver')\n",
      "hub.py": "from entities import driver\n",
      "views.py":
        "from feast import FeatureView\nfrom hub import driver\nv = FeatureView(name='v', entities=[driver], schema=[])\n",
    });
    expect(ts(result, "views.ts")).toContain('import { driver } from "./entities.js";');
  });

  it("relative file paths are rewritten to name the same files from the fsops project", () => {
    const result = run(
      {
        "s.py":
          "from feast import FileSource\nsrc = FileSource(name='s', path='data/x.parquet', timestamp_field='ts')\n",
      },
      YAML,
      "../feature_repo",
    );
    expect(ts(result, "s.ts")).toContain('path: "../feature_repo/data/x.parquet"');
    expect(result.notes.map((n) => n.message)).toContain(
      'the relative path "data/x.parquet" is "../feature_repo/data/x.parquet" from the fsops project',
    );
  });
});

describe("helper functions and paths", () => {
  it("a helper that assigns names and returns becomes a TypeScript function; keyword calls are placed by parameter", () => {
    const result = run({
      "lib.py": [
        "from datetime import timedelta",
        "from feast import FeatureView, Field",
        "from feast.types import Float32",
        "def view(name, entities, days=1, prefix='f'):",
        '    """One float feature per name."""',
        "    fields = [Field(name=f'{prefix}_{n}', dtype=Float32) for n in ['a', 'b']]",
        "    return FeatureView(name=name, entities=entities, ttl=timedelta(days=days), schema=fields)",
      ].join("\n"),
      "views.py": [
        "from feast import Entity",
        "from lib import view",
        "d = Entity(name='d')",
        "v1 = view('v1', [d], days=7)",
        "v2 = view(name='v2', entities=[d], prefix='g')",
      ].join("\n"),
    });
    expect(result.todos).toEqual([]);
    expect(ts(result, "lib.ts")).toContain(
      [
        'export function view(name, entities, days = 1, prefix = "f") {',
        '  const fields = ["a", "b"].map((n) => new Field({ name: `${prefix}_${n}`, dtype: "float32" }));',
        "  return new FeatureView({ name: name, entities: entities, ttl: days * 86400, schema: fields });",
        "}",
      ].join("\n"),
    );
    expect(ts(result, "views.ts")).toContain('import { view } from "./lib.js";');
    expect(ts(result, "views.ts")).toContain('export const v1 = view("v1", [d], 7);');
    expect(ts(result, "views.ts")).toContain('export const v2 = view("v2", [d], undefined, "g");');
  });

  it("a helper with other statements is not converted, and every call of it is a TODO", () => {
    const result = run({
      "lib.py": [
        "from feast import Entity",
        "def make(n):",
        "    if n:",
        "        return Entity(name=n)",
        "    return None",
        "x = make('x')",
      ].join("\n"),
    });
    expect(result.todos.map((t) => `${t.line}: ${t.message}`)).toEqual([
      '6: "make" is a Python function fsops cannot convert (a helper converts when it only assigns names and returns); write it as a TypeScript helper',
    ]);
    expect(result.notes.map((n) => n.message)).toContain(
      'function "make" is Python code and was not converted (definitions that call it are reported)',
    );
  });

  it("paths built from __file__ and relative path constants name the same files from the fsops project", () => {
    const result = run(
      {
        "features/sources.py": [
          "import os",
          "from pathlib import Path",
          "from feast import FileSource",
          "DATA = Path(__file__).resolve().parent.parent / 'data'",
          "RAW = 'raw/events.parquet'",
          "a = FileSource(name='a', path=str(DATA / 'a.parquet'), timestamp_field='ts')",
          "b = FileSource(name='b', path=os.path.join(os.path.dirname(__file__), 'b.csv'), timestamp_field='ts')",
          "c = FileSource(name='c', path=RAW, timestamp_field='ts')",
          "d = FileSource(name='d', path='/abs/d.parquet', timestamp_field='ts')",
        ].join("\n"),
      },
      YAML,
      "../repo",
    );
    const text = ts(result, "features/sources.ts");
    expect(result.todos).toEqual([]);
    expect(text).toContain('export const DATA = "../repo/data";');
    expect(text).toContain('path: "../repo/data/a.parquet"');
    expect(text).toContain('path: "../repo/features/b.csv"');
    expect(text).toContain('path: "../repo/raw/events.parquet"');
    expect(text).toContain('path: "/abs/d.parquet"');
  });

  it("an unnamed file source keeps Feast's default name (its path as written) when the path is rewritten", () => {
    const result = run(
      {
        "s.py":
          "from feast import FileSource\nsrc = FileSource(path='data/x.parquet', timestamp_field='ts')\n",
      },
      YAML,
      "../repo",
    );
    expect(ts(result, "s.ts")).toContain(
      'new FileSource({ name: "data/x.parquet", path: "../repo/data/x.parquet", timestampField: "ts" })',
    );
  });

  it("a Project named like feature_store.yaml's project follows fsops's spelling of it", () => {
    const result = run(
      { "p.py": "from feast import Project\nproject = Project(name='Driver-Stats', description='d')\n" },
      "project: Driver-Stats\n",
    );
    expect(ts(result, "p.ts")).toContain('new Project({ name: "driver_stats", description: "d" })');
    expect(result.notes.map((n) => n.message)).toContain(
      'Project "Driver-Stats" is "driver_stats", the project of fsops.yaml',
    );
  });
});

describe("what cannot be converted is listed with file:line and kept as a TODO", () => {
  const python = [
    "import os", // 1
    "import pandas as pd", // 2
    "from feast import Entity, FeatureView, Field, on_demand_feature_view", // 3
    "from feast.permissions.permission import Permission", // 4
    "from feast.types import Float64", // 5
    "driver = Entity(name='driver')", // 6
    "base = FeatureView(name='base', entities=[driver], schema=[Field(name='a', dtype=Float64)])", // 7
    "@on_demand_feature_view(sources=[base], schema=[Field(name='b', dtype=Float64)])", // 8
    "def doubled(inputs: pd.DataFrame) -> pd.DataFrame:", // 9
    "    df = pd.DataFrame()", // 10
    "    df['b'] = inputs['a'] * 2", // 11
    "    return df", // 12
    "reader = Permission(name='reader')", // 13
    "path = os.environ['DATA_PATH']", // 14
    "def make(n):", // 15
    "    return FeatureView(name=n, entities=[driver], schema=[])", // 16
    "made = make('x')", // 17
    "for i in range(2):", // 18
    "    globals()[f'v{i}'] = make(f'v{i}')", // 19
    "print('loaded')", // 20
    "aliased = base.with_name('other')", // 21
    "x = FeatureView(", // 22: a syntax error
  ].join("\n");

  it("lists every TODO with file:line:column, in order", () => {
    const result = run({ "defs.py": python });
    expect(result.todos.map((t) => `${t.file}:${t.line}:${t.column} ${t.message}`)).toEqual([
      'defs.py:8:1 the Python transformation of on-demand view "doubled" must be rewritten as a TypeScript function (columns in, columns out)',
      "defs.py:13:10 Feast's Permission has no fsops equivalent; decide what it should become",
      "defs.py:14:8 os.environ is read when Python runs; fsops definitions are static: write the value",
      'defs.py:18:1 a for loop that uses "make" cannot be converted statically; write the objects it builds as TypeScript constants',
      "defs.py:21:11 .with_name(...) (a renamed or re-keyed projection) has no fsops equivalent",
      "defs.py:22:1 this statement has a Python syntax error; fix it in the Feast repository or write it here",
    ]);
    expect(result.notes.map((n) => `${n.line}: ${n.message}`)).toEqual(
      expect.arrayContaining(["20: expression statement defines no Feast objects; not converted"]),
    );
  });

  it("keeps the original Python in a TODO comment above a construct fsops validate rejects", () => {
    const text = ts(run({ "defs.py": python }), "defs.ts");
    expect(text).toContain(
      [
        '// TODO(fsops import): defs.py:8: the Python transformation of on-demand view "doubled" must be rewritten as a TypeScript function (columns in, columns out)',
        "// Original Python:",
        "//   @on_demand_feature_view(sources=[base], schema=[Field(name='b', dtype=Float64)])",
        "//   def doubled(inputs: pd.DataFrame) -> pd.DataFrame:",
        "//       df = pd.DataFrame()",
        "//       df['b'] = inputs['a'] * 2",
        "//       return df",
        "export const doubled = new OnDemandFeatureView({",
      ].join("\n"),
    );
    expect(text).toContain(
      'transform: "TODO(fsops import): rewrite the Python function doubled() above in TypeScript",',
    );
    expect(text).toContain('export const reader = new Permission({ name: "reader" });');
    expect(text).toContain(`export const path = ${TODO_MARKER};`);
    expect(text).toContain(
      "export function make(n) {\n  return new FeatureView({ name: n, entities: [driver], schema: [] });\n}",
    );
    expect(text).toContain('export const made = make("x");');
    expect(text).toContain(
      "//   for i in range(2):\n//       globals()[f'v{i}'] = make(f'v{i}')\n" + `${TODO_MARKER};`,
    );
    expect(text).not.toContain("print");
  });

  it("is deterministic", () => {
    expect(run({ "defs.py": python })).toEqual(run({ "defs.py": python }));
  });
});

describe("Python text", () => {
  it("decodes string literals as Python does", () => {
    expect(decodeString(String.raw`"a\tb\n\x41\u00e9\\"`).value).toBe("a\tb\nAé\\");
    expect(decodeString(String.raw`r"C:\data\n"`).value).toBe(String.raw`C:\data\n`);
    expect(decodeString(`'''multi\nline'''`)).toEqual({ value: "multi\nline", bytes: false, triple: true });
    expect(decodeString(`b"raw"`).bytes).toBe(true);
  });

  it("joins implicitly concatenated strings and reads f-strings", () => {
    const m = parsePython('x = ("a" "b")\ny = f"{n}_{{lit}}"\n');
    const x = m.statements[0];
    expect(x?.t === "assign" && x.value.t === "paren" && x.value.inner).toMatchObject({
      t: "str",
      value: "ab",
    });
    const y = m.statements[1];
    expect(y?.t === "assign" && y.value).toMatchObject({
      t: "fstr",
      parts: ["", { t: "name", id: "n" }, "_{lit}"],
    });
  });
});

describe("input nested too deep", () => {
  const HEADER = "from feast import Entity\n";
  const entity = (name: string) => `${name} = Entity(name='${name}', join_keys=['${name}_id'])\n`;
  /** `nested = ` then `depth` brackets made of `open`/`close`, between two entities (lines 2 and 4). */
  const deepFile = (open: string, close: string, depth: number) =>
    `${HEADER}${entity("before")}nested = ${open.repeat(depth)}1${close.repeat(depth)}\n${entity("after")}`;

  for (const depth of [2_000, 100_000]) {
    it(`${depth.toLocaleString("en")} nested brackets: a located TODO for that statement, the rest of the file and the other files convert, in well under 5 s`, () => {
      for (const [open, close] of [
        ["(", ")"],
        ["[", "]"],
        ["{", "}"],
        ["f(", ")"],
      ] as const) {
        const started = performance.now();
        const result = run({ "deep.py": deepFile(open, close, depth), "other.py": HEADER + entity("rider") });
        expect(performance.now() - started).toBeLessThan(5_000);
        // The 201st bracket: Python itself refuses more than 200.
        const column = "nested = ".length + open.length * 200 + open.length;
        expect(result.todos.map((t) => `${t.file}:${t.line}:${t.column} ${t.message}`)).toEqual([
          `deep.py:3:${column} nesting too deep to convert (more than 200 nested brackets; Python itself allows at most 200): write this statement by hand`,
        ]);
        const text = ts(result, "deep.ts");
        expect(text).toContain("export const before = new Entity(");
        expect(text).toContain("export const after = new Entity(");
        expect(text).toContain(`// TODO(fsops import): deep.py:3: nesting too deep to convert`);
        // The quoted Python is cut: the output stays small whatever the input.
        expect(text).toMatch(/\/\/ {3}… \(\d+ more characters\)\n/);
        expect(text.length).toBeLessThan(5_000);
        expect(ts(result, "other.ts")).toContain("export const rider = new Entity(");
      }
    });
  }

  it("200 brackets (Python's limit) still convert; brackets in strings and comments do not count", () => {
    const result = run({
      "ok.py":
        `${HEADER}nested = ${"[".repeat(200)}1${"]".repeat(200)}\n` +
        `text = "${"(".repeat(500)}"  # ${"[".repeat(500)}\n` +
        `doc = '''${"{".repeat(500)}\n'''\n${entity("driver")}`,
    });
    expect(result.todos).toEqual([]);
    const text = ts(result, "ok.ts");
    expect(text).toContain("export const nested = [");
    const nested = text.slice(text.indexOf("export const nested"), text.indexOf("export const text"));
    expect([...nested].filter((c) => c === "[")).toHaveLength(200);
    expect([...nested].filter((c) => c === "]")).toHaveLength(200);
    expect(text).toContain(`export const text = "${"(".repeat(500)}";`);
    expect(text).toContain("export const driver = new Entity(");
  });

  it("an expression deep without brackets (100,000 operators) is a located TODO, not a crash", () => {
    const started = performance.now();
    const result = run({ "ops.py": `${HEADER}${entity("driver")}x = ${"1+".repeat(100_000)}1\n` });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.todos[0]).toMatchObject({
      file: "ops.py",
      line: 3,
      message:
        "nesting too deep to convert (an expression more than 500 levels deep): write this statement by hand",
    });
    expect(ts(result, "ops.ts")).toContain("export const driver = new Entity(");
  });
});

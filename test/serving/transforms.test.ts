/**
 * The on-demand transform sandbox: what a transform can reach, how it is stopped, and how its
 * outputs are checked. Pure (no servers).
 */
import { describe, expect, it } from "vitest";
import type { RegistryState } from "../../src/model/registry.js";
import { createTransformRunner, TransformError } from "../../src/serving/transforms.js";

function state(transforms: Record<string, { schema: [string, string][]; transform: string }>): RegistryState {
  return {
    formatVersion: 1,
    project: "p",
    lineage: "l",
    serial: 3,
    updatedAt: "",
    appliedBy: "",
    infra: null,
    objects: Object.entries(transforms).map(([name, t]) => ({
      kind: "on_demand_feature_view",
      name,
      file: null,
      line: null,
      spec: {
        name,
        description: "",
        tags: {},
        owner: "",
        sources: [],
        schema: t.schema.map(([n, dtype]) => ({ name: n, dtype })),
        transform: t.transform,
      },
    })) as RegistryState["objects"],
  };
}

const one = (transform: string, dtype = "float64") => state({ v: { schema: [["out", dtype]], transform } });

describe("createTransformRunner", () => {
  it("runs TypeScript source (types, bigint) column-wise, as the transform evaluated by hand", () => {
    const runner = createTransformRunner(
      state({
        v: {
          schema: [
            ["sum", "float64"],
            ["big", "int64"],
            ["label", "string"],
          ],
          transform: `(inputs: Record<string, unknown[]>): Record<string, unknown[]> => {
            const a = inputs["a"] as number[];
            const b = inputs["b"] as bigint[];
            return { sum: a.map((x, i) => x + 0.5 * i), big: b.map((x) => x * 3n), label: a.map((x) => \`n\${x}\`) };
          }`,
        },
      }),
    );
    expect(runner.serial).toBe(3);
    const a = [1, 2, 3];
    const b = [9007199254740993n, 1n, -2n];
    expect(runner.run("v", { a, b })).toEqual({
      sum: a.map((x, i) => x + 0.5 * i),
      big: b.map((x) => x * 3n),
      label: ["n1", "n2", "n3"],
    });
  });

  it("gives no require, process, timers, fetch, eval or Function, and no way back to the host realm", () => {
    const probe = createTransformRunner(
      state({
        v: {
          schema: [["out", "string"]],
          transform: `() => ({ out: [[typeof require, typeof process, typeof setTimeout, typeof fetch, typeof Buffer, typeof WebAssembly].join(",")] })`,
        },
      }),
    );
    expect(probe.run("v", { x: [1] }).out).toEqual([
      "undefined,undefined,undefined,undefined,undefined,undefined",
    ]);
    for (const escape of [
      `(i) => ({ out: [i.constructor.constructor("return process")().pid] })`,
      `() => ({ out: [eval("1")] })`,
      `() => ({ out: [new Function("return 1")()] })`,
    ]) {
      expect(() => createTransformRunner(one(escape)).run("v", { x: [1] })).toThrow(
        /^on-demand view v: the transform threw: Code generation from strings disallowed/,
      );
    }
  });

  it("stops an endless loop, and an endless promise chain, at the time limit", () => {
    for (const body of [
      `() => { for (;;) {} }`,
      `() => { const spin = () => Promise.resolve().then(spin); spin(); return { out: [1] }; }`,
    ]) {
      const runner = createTransformRunner(one(body), { timeoutMs: 50 });
      const started = Date.now();
      expect(() => runner.run("v", { x: [1] })).toThrow(
        "on-demand view v: the transform ran longer than 50 ms and was stopped",
      );
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });

  it("never runs the transform's code in the host, outside the time limit", () => {
    // Each of these once froze the server: the host wrote a global the transform had made an
    // accessor, or read a thrown value's getter, Proxy trap or toString.
    const fast = (f: () => void) => {
      const started = Date.now();
      f();
      expect(Date.now() - started).toBeLessThan(2_000);
    };
    const normal = state({
      v: {
        schema: [["out", "float64"]],
        transform: `(c) => {
          for (const name of ["__fsops_input", "__fsops_run", "__fsops_hold", "__fsops_describe"]) {
            Object.defineProperty(globalThis, name, { get() { for (;;); }, set() { for (;;); }, configurable: true });
          }
          return { out: c.x.map((x) => x * 2) };
        }`,
      },
      w: {
        schema: [["out", "float64"]],
        transform: `(c) => { throw new Proxy({}, { has() { for (;;); }, get() { for (;;); } }); }`,
      },
      u: { schema: [["out", "float64"]], transform: `(c) => { throw { toString() { for (;;); } }; }` },
      ok: { schema: [["out", "float64"]], transform: `(c) => ({ out: c.x })` },
    });
    const runner = createTransformRunner(normal, { timeoutMs: 50 });
    fast(() => {
      expect(runner.run("v", { x: [1, 2] })).toEqual({ out: [2, 4] });
      expect(runner.run("v", { x: [3] })).toEqual({ out: [6] });
    });
    for (const view of ["w", "u"]) {
      fast(() =>
        expect(() => runner.run(view, { x: [1] })).toThrow(
          `on-demand view ${view}: the transform ran longer than 50 ms and was stopped`,
        ),
      );
      fast(() => expect(() => runner.run(view, { x: [1] })).toThrow(/^on-demand view/));
    }
    fast(() => expect(runner.run("v", { x: [5] })).toEqual({ out: [10] }));
    fast(() => expect(runner.run("ok", { x: [7] })).toEqual({ out: [7] }));

    // A Proxy whose `has` loops but whose message is plain prints as an object.
    const proxied = createTransformRunner(one(`(c) => { throw new Proxy({}, { has() { for (;;); } }); }`), {
      timeoutMs: 50,
    });
    fast(() =>
      expect(() => proxied.run("v", { x: [1] })).toThrow(
        "on-demand view v: the transform threw: [object Object]",
      ),
    );

    // A transform text that breaks out of its wrapper and throws while loading.
    const broken = createTransformRunner(
      state({
        v: { schema: [["out", "float64"]], transform: `x => x); throw { get message() { for (;;); } }; (0` },
        w: {
          schema: [["out", "float64"]],
          transform: `x => x); throw new Proxy({}, { get() { for (;;); } }); (0`,
        },
        s: { schema: [["out", "float64"]], transform: `x => x); const __fsops_run = () => "{}"; (0` },
        t: {
          schema: [["out", "float64"]],
          transform: `x => x); throw { get stack() { for (;;); }, message: "m" }; (0`,
        },
        ok: { schema: [["out", "float64"]], transform: `(c) => ({ out: c.x })` },
      }),
      { timeoutMs: 50 },
    );
    for (const view of ["v", "w"]) {
      fast(() =>
        expect(() => broken.run(view, { x: [1] })).toThrow(
          `on-demand view ${view}: the transform does not load: an error that could not be printed within 50 ms`,
        ),
      );
    }
    fast(() =>
      expect(() => broken.run("s", { x: [1] })).toThrow(
        /^on-demand view s: the transform does not load: .*__fsops_run.*already been declared/,
      ),
    );
    // Node reads a thrown object's `stack` to decorate it, after the limit, unless told not to.
    fast(() =>
      expect(() => broken.run("t", { x: [1] })).toThrow("on-demand view t: the transform does not load: m"),
    );
    fast(() => expect(broken.run("ok", { x: [2] })).toEqual({ out: [2] }));
  });

  it("accepts int32 outputs in [-2^31, 2^31) only", () => {
    const body = (v: string) => createTransformRunner(one(`() => ({ out: [${v}] })`, "int32"));
    expect(body("2147483647").run("v", { x: [1] }).out).toEqual([2147483647]);
    expect(body("-2147483648").run("v", { x: [1] }).out).toEqual([-2147483648]);
    expect(() => body("2147483648").run("v", { x: [1] })).toThrow(/output out\[0\] should be int32/);
    expect(() => body("-2147483649").run("v", { x: [1] })).toThrow(/output out\[0\] should be int32/);
  });

  it("checks outputs against the schema and names the view", () => {
    const cases: [string, string, RegExp][] = [
      [`() => [1]`, "float64", /must return an object of columns \(out\), got an array/],
      [`() => ({})`, "float64", /output out must be an array with one value per row, got nothing/],
      [`() => ({ out: [1, 2] })`, "float64", /output out has 2 values for 1 rows/],
      [`() => ({ out: ["x"] })`, "float64", /output out\[0\] should be float64, got string "x"/],
      [`() => ({ out: [1.5] })`, "int64", /output out\[0\] should be int64, got number 1.5/],
      [`async () => ({ out: [1] })`, "float64", /returned a Promise/],
      [`() => { throw new RangeError("bad input") }`, "float64", /the transform threw: bad input/],
      [`(inputs) => helper(inputs)`, "float64", /the transform threw: helper is not defined/],
      [`(inputs) => {`, "float64", /does not load/],
    ];
    for (const [body, dtype, message] of cases) {
      let error: unknown;
      try {
        createTransformRunner(one(body, dtype)).run("v", { x: [1] });
      } catch (e) {
        error = e;
      }
      expect(error, body).toBeInstanceOf(TransformError);
      expect((error as TransformError).view).toBe("v");
      expect((error as Error).message, body).toMatch(message);
    }
    expect(() => createTransformRunner(one(`() => ({ out: [1] })`)).run("nope", {})).toThrow(
      /^on-demand view nope: no such on-demand view in the registry/,
    );
  });

  it("passes data shaped like the wire's tags ({$b}, {$d}, {$u8} …) through as plain data, both ways", () => {
    // Request data is the user's: an object that looks like the host↔context encoding must arrive
    // as that object, not as a bigint/date/bytes (nor fail to decode: a 500 for a user's value).
    const lookalikes: unknown[] = [
      { $b: "abc" },
      { $b: "12" },
      { $d: "2020-01-01" },
      { $u8: [1, 2] },
      { $n: "NaN" },
      { $f: true },
      { $$b: "1", plain: { $d: "x" } },
      { ["__proto__"]: { $b: "1" } },
      [{ $u8: "no" }],
    ];
    const echo = createTransformRunner(
      one(
        `(i: Record<string, unknown[]>) => ({ out: (i["x"] ?? []).map((v) => JSON.stringify(v)) })`,
        "string",
      ),
    );
    expect(echo.run("v", { x: lookalikes }).out).toEqual(lookalikes.map((v) => JSON.stringify(v)));
    // Real tagged values still travel as themselves.
    const kinds = createTransformRunner(
      one(
        `(i: Record<string, unknown[]>) => ({ out: (i["x"] ?? []).map((v) => Object.prototype.toString.call(v) + ":" + String(v)) })`,
        "string",
      ),
    );
    expect(kinds.run("v", { x: [5n, new Date(0), new Uint8Array([7])] }).out).toEqual([
      "[object BigInt]:5",
      `[object Date]:${new Date(0).toString()}`,
      "[object Uint8Array]:7",
    ]);
    // Out of the context the same: an object returned by the transform stays an object.
    expect(() =>
      createTransformRunner(one(`() => ({ out: [{ $b: "5" }] })`, "int64")).run("v", { x: [1] }),
    ).toThrow(/output out\[0\] should be int64, got an object/);
  });

  it("compiles once per registry version: one context per view, kept for the runner's life", () => {
    // One context per view per registry version: a transform that counts calls sees its own count,
    // and a new runner (a new registry version) starts afresh.
    const body = `(i) => { globalThis.n = (globalThis.n ?? 0) + 1; return { out: [globalThis.n] }; }`;
    const runner = createTransformRunner(one(body));
    expect(runner.run("v", { x: [1] }).out).toEqual([1]);
    expect(runner.run("v", { x: [1] }).out).toEqual([2]);
    expect(createTransformRunner(one(body)).run("v", { x: [1] }).out).toEqual([1]);
  });
});

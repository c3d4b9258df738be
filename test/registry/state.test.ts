import { describe, expect, it } from "vitest";
import { ConcurrentChangeError, RegistryCorruptError, RegistryError } from "../../src/model/registry.js";
import {
  assertProjectName,
  checkCommitArgs,
  checkExpected,
  maskUrl,
  parseState,
  serialize,
} from "../../src/registry/state.js";
import { makeHistory, makeState } from "./fixtures.js";

describe("registry state helpers", () => {
  it("parses a stored state and names the problem in a bad one", () => {
    const state = makeState("p", 3, "lin");
    expect(parseState(serialize(state), "p", "reg.json")).toEqual(state);
    const cases: [string, RegExp][] = [
      [serialize(state).slice(0, 40), /^reg\.json: is not valid JSON/],
      ["[]", /^reg\.json: expected a JSON object, found an array/],
      [
        JSON.stringify({ ...state, formatVersion: 99 }),
        /unknown registry formatVersion 99 \(this fsops reads 1\)/,
      ],
      [JSON.stringify({ ...state, formatVersion: undefined }), /unknown registry formatVersion null/],
      [
        JSON.stringify({ ...state, project: "q" }),
        /holds the state of project "q" where project "p" was expected/,
      ],
      [JSON.stringify({ ...state, serial: -1 }), /invalid registry state: serial: /],
      [JSON.stringify({ ...state, objects: [{ kind: "table", name: "x" }] }), /objects\.0\.kind/],
    ];
    for (const [text, message] of cases) {
      const error = (() => {
        try {
          parseState(text, "p", "reg.json");
        } catch (e) {
          return e;
        }
      })();
      expect(error, text).toBeInstanceOf(RegistryCorruptError);
      expect((error as Error).message).toMatch(message);
    }
    const newer = (() => {
      try {
        parseState(JSON.stringify({ ...state, formatVersion: 2 }), "p", "x");
      } catch (e) {
        return e as RegistryError;
      }
    })();
    expect(newer?.hint).toMatch(/upgrade fsops/);
  });

  it("compare-and-swap: same lineage and serial, or both empty", () => {
    const state = makeState("p", 2, "lin");
    expect(() => checkExpected(state, { lineage: "lin", serial: 2 }, "p")).not.toThrow();
    expect(() => checkExpected(null, null, "p")).not.toThrow();
    expect(() => checkExpected(state, { lineage: "lin", serial: 1 }, "p")).toThrow(
      new ConcurrentChangeError(
        "project p is now at serial 2 (lineage lin), expected serial 1 (lineage lin)",
      ),
    );
    expect(() => checkExpected(state, { lineage: "other", serial: 2 }, "p")).toThrow(ConcurrentChangeError);
    expect(() => checkExpected(state, null, "p")).toThrow(/expected no state/);
    expect(() => checkExpected(null, { lineage: "lin", serial: 2 }, "p")).toThrow(/is now at no state/);
  });

  it("refuses commits that are not serial+1 of the same project and lineage", () => {
    expect(() => checkCommitArgs("p", null, makeState("p", 1, "l"), makeHistory("p", 1))).not.toThrow();
    expect(() =>
      checkCommitArgs("p", { lineage: "l", serial: 1 }, makeState("p", 2, "m"), makeHistory("p", 2)),
    ).toThrow(/changes the lineage/);
    expect(() => checkCommitArgs("p", null, makeState("p", 1, "l"), makeHistory("p", 2))).toThrow(
      /history serial 2 differs/,
    );
    expect(() => checkCommitArgs("p", null, makeState("p", 1, "l"), makeHistory("q", 1))).toThrow(
      /history entry is for project q/,
    );
  });

  it("project names stay within [a-z0-9_] (they become file names and keys)", () => {
    expect(() => assertProjectName("driver_ranking_2")).not.toThrow();
    for (const bad of ["../x", "a/b", "A", "", "a.b", "a b"])
      expect(() => assertProjectName(bad)).toThrow(RegistryError);
  });

  it("masks passwords in what it prints", () => {
    expect(maskUrl("postgresql://user:p%40ss@db.example:5432/reg?sslmode=require")).toBe(
      "postgresql://user:***@db.example:5432/reg?sslmode=require",
    );
    expect(maskUrl("postgresql://user@db/reg")).toBe("postgresql://user@db/reg");
    expect(maskUrl("postgresql://db/reg?user=u&password=hunter2")).toBe(
      "postgresql://db/reg?user=u&password=***",
    );
    expect(maskUrl("host=db user=u password='hunter 2' dbname=reg")).toBe(
      "host=db user=u password=*** dbname=reg",
    );
    for (const text of [
      maskUrl("postgresql://user:hunter2@db/reg"),
      maskUrl("http://AKIA:hunter2@s3.local"),
    ]) {
      expect(text).not.toContain("hunter2");
    }
  });
});

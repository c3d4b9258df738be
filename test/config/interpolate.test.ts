import { describe, expect, it } from "vitest";
import { interpolate } from "../../src/config/index.js";

describe("interpolate", () => {
  it("substitutes ${VAR} and records the value as a secret", () => {
    const r = interpolate("postgresql://app:${PW}@db:5432/x", { PW: "hunter2" });
    expect(r.value).toBe("postgresql://app:hunter2@db:5432/x");
    expect(r.secrets).toEqual(["hunter2"]);
    expect(r.missing).toEqual([]);
    expect(r.interpolated).toBe(true);
  });

  it("uses the default of ${VAR:-default} when the variable is unset or empty, and it is no secret", () => {
    expect(interpolate("${REG:-data/registry.json}", {})).toMatchObject({
      value: "data/registry.json",
      secrets: [],
      missing: [],
    });
    expect(interpolate("${REG:-data/registry.json}", { REG: "" }).value).toBe("data/registry.json");
    const set = interpolate("${REG:-data/registry.json}", { REG: "s3://b/k.json" });
    expect(set.value).toBe("s3://b/k.json");
    expect(set.secrets).toEqual(["s3://b/k.json"]);
  });

  it("allows an empty default", () => {
    expect(interpolate("${FSOPS_ONLINE_PG:-}", {})).toMatchObject({ value: "", missing: [], secrets: [] });
  });

  it("reports a missing variable by name", () => {
    const r = interpolate("a${ONE}b${TWO}c", { TWO: "2" });
    expect(r.missing).toEqual(["ONE"]);
    expect(r.value).toBe("a" + "b2c");
  });

  it("keeps a variable that is set but empty as empty, without a secret", () => {
    expect(interpolate("x${E}y", { E: "" })).toMatchObject({ value: "xy", secrets: [], missing: [] });
  });

  it("treats $${ as a literal ${ and leaves other dollars alone", () => {
    const r = interpolate("$${NOT_A_VAR} pa$$word $HOME", { NOT_A_VAR: "no" });
    expect(r.value).toBe("${NOT_A_VAR} pa$$word $HOME");
    expect(r.interpolated).toBe(false);
    expect(r.secrets).toEqual([]);
  });

  it("reports malformed references", () => {
    expect(interpolate("${OPEN", {}).problems[0]).toMatch(/unterminated/);
    expect(interpolate("${1BAD}", {}).problems[0]).toMatch(/not a variable reference/);
    expect(interpolate("${A:+x}", { A: "v" }).problems).toHaveLength(1);
  });
});

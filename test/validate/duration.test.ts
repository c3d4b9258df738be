import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/validate/duration.js";
import { suggestDuration } from "../../src/validate/duration.js";

describe("parseDuration", () => {
  it.each([
    ["90s", 90],
    ["30m", 1_800],
    ["12h", 43_200],
    ["1d", 86_400],
    ["1d12h", 129_600],
    ["1h30m", 5_400],
    ["2d3h4m5s", 2 * 86_400 + 3 * 3_600 + 4 * 60 + 5],
    // Feast repositories write timedelta(weeks=520)
    ["1w", 604_800],
    ["520w", 520 * 604_800],
    ["1w2d", 9 * 86_400],
    ["0s", 0],
    [0, 0],
    [3_600, 3_600],
  ])("%j → %d seconds", (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each([
    ["1x"],
    [""],
    ["2d1w"],
    ["1.5h"],
    ["-1d"],
    ["1d 12h"],
    ["12h1d"],
    ["1h1h"],
    ["h"],
    ["3600"],
    ["1D"],
    [-1],
    [1.5],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [null],
    [undefined],
    [true],
    [["1d"]],
    ["999999999999999999999d"],
  ])("rejects %j", (input) => {
    expect(parseDuration(input)).toBeNull();
  });
});

describe("formatDuration", () => {
  it.each([
    [86_400, "1d"],
    [5_400, "1h30m"],
    [0, "0s"],
    [90, "1m30s"],
    [129_600, "1d12h"],
    [604_800, "7d"],
    [93_784, "1d2h3m4s"],
  ])("%d → %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("round-trips through parseDuration", () => {
    for (const s of [1, 59, 60, 61, 3_599, 3_600, 86_399, 86_401, 1_000_000]) {
      expect(parseDuration(formatDuration(s))).toBe(s);
    }
  });

  it("never throws on values it should not get", () => {
    expect(formatDuration(-5)).toBe("-5s");
    expect(formatDuration(1.5)).toBe("1.5s");
  });
});

describe("suggestDuration", () => {
  it.each([
    ["1.5w", "10d12h"],
    ["1.5h", "1h30m"],
    ["1d 12h", "1d12h"],
    ["3600", "1h"],
    ["1D", "1d"],
  ])("%j → %j", (input, suggestion) => {
    expect(suggestDuration(input)).toBe(suggestion);
  });

  it("has nothing to say about nonsense", () => {
    expect(suggestDuration("1x")).toBeNull();
    expect(suggestDuration("")).toBeNull();
    expect(suggestDuration(-3)).toBeNull();
  });
});

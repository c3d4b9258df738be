import { describe, expect, it } from "vitest";
import { InputError, parseSettings } from "../../src/action/inputs.js";

function settings(inputs: Record<string, string>) {
  return parseSettings((name) => inputs[name] ?? "");
}

describe("action inputs", () => {
  it("defaults: plan the repository root, always comment, nothing destructive", () => {
    expect(settings({})).toEqual({
      command: "plan",
      projects: ["."],
      githubToken: "",
      comment: "always",
      allowDestroy: false,
      checkSources: false,
      workingDirectory: ".",
      views: [],
      due: false,
    });
  });

  it("reads newline- and space-separated projects, normalized and deduplicated in order", () => {
    const s = settings({ projects: "examples/staging/\n  ./examples/production examples/staging\n\n" });
    expect(s.projects).toEqual(["examples/staging", "examples/production"]);
  });

  it("maps the comment modes and booleans", () => {
    expect(settings({ comment: "changes-only" }).comment).toBe("changes-only");
    expect(settings({ comment: "false" }).comment).toBe("never");
    expect(settings({ comment: "True" }).comment).toBe("always");
    const s = settings({
      command: "apply",
      "allow-destroy": "true",
      "check-sources": "TRUE",
      "github-token": " t0k ",
    });
    expect([s.command, s.allowDestroy, s.checkSources, s.githubToken]).toEqual(["apply", true, true, "t0k"]);
  });

  it.each([
    ["command", "deploy", 'input "command" is "deploy"; expected one of: plan, apply, validate'],
    ["comment", "sometimes", 'input "comment" is "sometimes"; expected true, changes-only or false'],
    ["allow-destroy", "yes please", 'input "allow-destroy" is "yes please"; expected true or false'],
    ["check-sources", "1", 'input "check-sources" is "1"; expected true or false'],
    ["projects", "/etc", 'input "projects" has "/etc"; expected a folder relative to the repository root'],
    [
      "projects",
      "a ../../x",
      'input "projects" has "../../x", which leaves the repository; expected a folder inside it',
    ],
    [
      "working-directory",
      "C:\\repo",
      'input "working-directory" has "C:\\repo"; expected a folder relative to the repository root',
    ],
  ])("rejects %s=%j quoting the value and what was expected", (name, value, message) => {
    expect(() => settings({ [name]: value })).toThrow(InputError);
    expect(() => settings({ [name]: value })).toThrow(message);
  });
});

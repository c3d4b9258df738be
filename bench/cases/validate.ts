/**
 * Issue 2: `validate` on synthetic repos of 100, 1,000 and 5,000 feature views, next to the
 * floor of parsing the same files with `ts.createSourceFile` alone.
 * Target at 5,000: within 1.5× the floor, peak RSS under 400 MB.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateRepo } from "../lib/generate.js";
import type { BenchCase, JsonValue, Target } from "../lib/types.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const workload = (name: string): string => fileURLToPath(new URL(`../workloads/${name}.ts`, import.meta.url));
const REQUIRED = ["src/parse/index.ts", "src/parse/discover.ts", "src/validate/index.ts"];

const validateCase: BenchCase = {
  name: "validate",
  sizes: [100, 1000, 5000],

  async unavailable() {
    const missing = REQUIRED.filter((f) => !existsSync(path.join(ROOT, f)));
    return missing.length === 0
      ? null
      : `validate needs ${missing.join(", ")} (discoverSourceFiles, parseProject, buildDesiredState), not in this checkout yet`;
  },

  target(size): Target {
    return size >= 5000 ? { ratio: 1.5, maxRssMb: 400 } : { maxRssMb: 400 };
  },

  async prepare(size, workDir) {
    const dir = await mkdtemp(path.join(workDir, `validate-${size}-`));
    const repo = await generateRepo(dir, { views: size });
    const runs = size >= 5000 ? 3 : size >= 1000 ? 5 : 7;
    const args = { dir, project: repo.project };
    return {
      subject: { module: workload("validate"), args, runs },
      floor: { module: workload("ts-parse-floor"), args: { dir }, runs },
      floorLabel: "ts.createSourceFile on every file (texts already in memory, parent pointers set)",
      input: { files: repo.files, bytes: repo.bytes, ...repo.expected },
      verify(summary: JsonValue) {
        const s = summary as {
          counts?: Record<string, number>;
          errors?: number;
          firstErrors?: string[];
        } | null;
        if (!s?.counts) return "validate returned no summary";
        if (s.errors)
          return `validate reported ${s.errors} errors on a valid repo: ${(s.firstErrors ?? []).join("; ")}`;
        for (const [kind, n] of Object.entries(repo.expected)) {
          if (s.counts[kind] !== n)
            return `validate found ${s.counts[kind] ?? 0} ${kind} objects, expected ${n}`;
        }
        return null;
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

export default validateCase;

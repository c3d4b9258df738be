/**
 * Issue 3: `plan` and `apply` of synthetic repos of 1,000 and 5,000 feature views on each
 * registry backend (file, S3 on radosgw, Postgres), registry only (no online store), each next
 * to the floor of `validate` on the same repo in the same run (what every command pays first).
 *
 * - plan/<backend>: a no-change plan against a registry holding exactly the repo (applied once,
 *   untimed). Target at 5,000: within 2× the validate time (CPU, the registry server's included).
 * - apply/<backend>: apply of every object to an empty registry (a new one per run). Target:
 *   1,000 feature views on Postgres, one transaction, under 5 s.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runTask } from "../lib/child.js";
import { generateRepo } from "../lib/generate.js";
import type { GeneratedRepo } from "../lib/generate.js";
import type { RegistryBackend, RegistryTarget } from "../lib/registry-target.js";
import { ensureBucket, freshRegistry, useS3Credentials, writeProjectConfig } from "../lib/registry-target.js";
import { benchServers, serviceUnavailable } from "../lib/services.js";
import type { BenchCase, JsonValue, Prepared, Target } from "../lib/types.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const workload = (name: string): string => fileURLToPath(new URL(`../workloads/${name}.ts`, import.meta.url));
const REQUIRED = ["src/commands/plan.ts", "src/commands/apply.ts", "src/registry/open-store.ts"];
const BACKENDS: readonly RegistryBackend[] = ["file", "s3", "postgres"];
const FEAST_NOTE =
  "context (not measured here): Feast's own apply is reported taking over 10 minutes for 50+ feature views (feast-dev/feast issue 5866)";

interface Summary {
  status?: string;
  error?: string;
  create?: number;
  update?: number;
  replace?: number;
  delete?: number;
  unchanged?: number;
  infra?: number;
  serial?: number;
  /** Postgres: distinct transactions that wrote the state and history rows. */
  transactions?: number;
}

const totalObjects = (repo: GeneratedRepo): number => Object.values(repo.expected).reduce((a, b) => a + b, 0);

async function unavailable(backend: RegistryBackend): Promise<string | null> {
  const missing = REQUIRED.filter((f) => !existsSync(path.join(ROOT, f)));
  if (missing.length > 0) return `plan/apply need ${missing.join(", ")}, not in this checkout`;
  return backend === "file" ? null : serviceUnavailable(backend);
}

/** Where this run's registries live, and the registry server's processes (for their CPU). */
async function targetFor(
  backend: RegistryBackend,
  workDir: string,
): Promise<{ target: RegistryTarget; serverPids: number[] }> {
  switch (backend) {
    case "file":
      return { target: { backend, dir: await mkdtemp(path.join(workDir, "registries-")) }, serverPids: [] };
    case "postgres": {
      const pgInfo = benchServers().postgres!;
      return { target: { backend, adminUrl: pgInfo.url }, serverPids: pgInfo.pids };
    }
    case "s3": {
      const s3 = benchServers().s3!;
      const target: RegistryTarget = { backend, ...s3, bucket: `fsops-bench-${process.pid}` };
      if (!bucketMade) {
        await ensureBucket(target);
        bucketMade = true;
      }
      return { target, serverPids: s3.pids };
    }
  }
}
let bucketMade = false;

async function setUp(backend: RegistryBackend, op: string, size: number, workDir: string) {
  const dir = await mkdtemp(path.join(workDir, `${op}-${backend}-${size}-`));
  const repo = await generateRepo(dir, { views: size });
  await writeProjectConfig(dir, repo.project, backend);
  const { target, serverPids } = await targetFor(backend, workDir);
  const cleanup = async () => {
    await rm(dir, { recursive: true, force: true });
    if (target.backend === "file") await rm(target.dir, { recursive: true, force: true });
  };
  return { dir, repo, target, serverPids, cleanup };
}

function wrongCounts(
  s: Summary | null,
  want: Required<Omit<Summary, "status" | "error" | "transactions">>,
): string | null {
  if (!s?.status) return "no summary";
  if (s.error) return `${s.status}: ${s.error}`;
  for (const [k, v] of Object.entries(want)) {
    if (s[k as keyof Summary] !== v) return `${k} = ${String(s[k as keyof Summary])}, expected ${v}`;
  }
  return null;
}

function runsFor(size: number, op: "plan" | "apply"): number {
  if (op === "apply") return size >= 5000 ? 1 : 2;
  return size >= 5000 ? 2 : 3;
}

function planCase(backend: RegistryBackend): BenchCase {
  return {
    name: `plan/${backend}`,
    sizes: [1000, 5000],
    ...(backend === "file" ? {} : { services: [backend] }),
    unavailable: () => unavailable(backend),
    target: (size): Target | null => (size >= 5000 ? { ratio: 2 } : null),
    async prepare(size, workDir): Promise<Prepared> {
      const { dir, repo, target, serverPids, cleanup } = await setUp(backend, "plan", size, workDir);
      const total = totalObjects(repo);
      // Fill the registry once (an apply in a child, as a user would), then plan against it.
      useS3Credentials(target);
      const env = await freshRegistry(target, "plan");
      const seeded = await runTask(
        { module: workload("registry-apply"), args: { dir, target, env, serverPids }, runs: 1 },
        ROOT,
      );
      const seedWrong = wrongCounts(seeded.summary as Summary | null, {
        create: total,
        update: 0,
        replace: 0,
        delete: 0,
        unchanged: 0,
        infra: 0,
        serial: 1,
      });
      if (seedWrong) throw new Error(`plan/${backend} ${size}: filling the registry failed: ${seedWrong}`);
      const runs = runsFor(size, "plan");
      return {
        subject: { module: workload("registry-plan"), args: { dir, target, env, serverPids }, runs },
        floor: { module: workload("validate"), args: { dir, project: repo.project }, runs },
        floorLabel: "validate of the same repo (discover + parse + build the desired state), same run",
        input: { backend, files: repo.files, bytes: repo.bytes, objects: total, ...repo.expected },
        verify: (summary: JsonValue) =>
          wrongCounts(summary as Summary | null, {
            create: 0,
            update: 0,
            replace: 0,
            delete: 0,
            unchanged: total,
            infra: 0,
            serial: 1,
          }),
        cleanup,
      };
    },
  };
}

function applyCase(backend: RegistryBackend): BenchCase {
  return {
    name: `apply/${backend}`,
    sizes: [1000, 5000],
    ...(backend === "file" ? {} : { services: [backend] }),
    unavailable: () => unavailable(backend),
    target: (size): Target | null => (backend === "postgres" && size === 1000 ? { maxMs: 5000 } : null),
    async prepare(size, workDir): Promise<Prepared> {
      const { dir, repo, target, serverPids, cleanup } = await setUp(backend, "apply", size, workDir);
      const total = totalObjects(repo);
      const runs = runsFor(size, "apply");
      return {
        subject: { module: workload("registry-apply"), args: { dir, target, serverPids }, runs },
        floor: { module: workload("validate"), args: { dir, project: repo.project }, runs },
        floorLabel: "validate of the same repo (discover + parse + build the desired state), same run",
        input: { backend, files: repo.files, bytes: repo.bytes, objects: total, ...repo.expected },
        verify(summary: JsonValue) {
          const s = summary as Summary | null;
          const wrong = wrongCounts(s, {
            create: total,
            update: 0,
            replace: 0,
            delete: 0,
            unchanged: 0,
            infra: 0,
            serial: 1,
          });
          if (wrong || backend !== "postgres") return wrong;
          return s?.transactions === 1
            ? null
            : `state and history written by ${s?.transactions} transactions, expected 1`;
        },
        assess: () => (backend === "postgres" && size === 1000 ? { notes: [FEAST_NOTE] } : {}),
        cleanup,
      };
    },
  };
}

const cases: BenchCase[] = [...BACKENDS.map(planCase), ...BACKENDS.map(applyCase)];
export default cases;

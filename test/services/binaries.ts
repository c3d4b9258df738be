import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { ServiceName } from "./types.js";

/** Debian package that provides each binary we run. */
const PACKAGE_OF: Record<string, string> = {
  initdb: "postgresql",
  pg_ctl: "postgresql",
  runuser: "util-linux",
  "redis-server": "redis-server",
  "redis-cli": "redis-tools",
  "ceph-mon": "ceph-mon",
  "ceph-osd": "ceph-osd",
  monmaptool: "ceph-mon",
  ceph: "ceph-common",
  radosgw: "radosgw",
  "radosgw-admin": "radosgw",
};

const NEEDS: Record<ServiceName, string[]> = {
  postgres: ["initdb", "pg_ctl"],
  redis: ["redis-server"],
  "redis-cluster": ["redis-server", "redis-cli"],
  s3: ["ceph-mon", "ceph-osd", "monmaptool", "ceph", "radosgw", "radosgw-admin"],
};

function onPath(name: string): string | null {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  for (const dir of ["/usr/sbin", "/sbin", "/usr/bin"]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * Postgres server binaries are not on PATH on Debian: they live in /usr/lib/postgresql/<major>/bin.
 * The newest installed major wins; `FSOPS_TEST_PG_BINDIR` overrides.
 */
export function postgresBinDir(): string | null {
  const override = process.env["FSOPS_TEST_PG_BINDIR"];
  if (override) return existsSync(join(override, "initdb")) ? override : null;
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0] !== undefined) return join(root, majors[0], "bin");
  }
  const initdb = onPath("initdb");
  return initdb ? join(initdb, "..") : null;
}

export interface Binaries {
  find(name: string): string;
}

/**
 * Checks every binary the selected services need, before anything starts, and fails at once with
 * the exact command that installs what is missing.
 */
export function checkBinaries(
  selected: ServiceName[],
  asRoot: boolean,
  locate: { onPath(name: string): string | null; postgresBinDir(): string | null } = {
    onPath,
    postgresBinDir,
  },
): Binaries {
  const found = new Map<string, string>();
  const missing: string[] = [];
  const pgBin = selected.includes("postgres") ? locate.postgresBinDir() : null;
  for (const service of selected) {
    const needs = [...NEEDS[service]];
    if (service === "postgres" && asRoot) needs.push("runuser");
    for (const name of needs) {
      if (found.has(name)) continue;
      const path =
        service === "postgres" && name !== "runuser"
          ? pgBin
            ? join(pgBin, name)
            : null
          : locate.onPath(name);
      if (path) found.set(name, path);
      else if (!missing.includes(name)) missing.push(name);
    }
  }
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((name) => PACKAGE_OF[name] ?? name))].sort();
    const sudo = asRoot ? "" : "sudo ";
    throw new Error(
      `test services: missing ${missing.join(", ")} (Debian packages: ${packages.join(" ")}).\n` +
        `Install them with:  ${sudo}sh test/services/install.sh\n` +
        `  (or: ${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(" ")})\n` +
        `or run without those servers, e.g. FSOPS_TEST_SERVICES=${
          selected.filter((s) => NEEDS[s].every((n) => !missing.includes(n))).join(",") || "none"
        }`,
    );
  }
  return {
    find(name) {
      const path = found.get(name);
      if (!path) throw new Error(`binary ${name} was not checked for`);
      return path;
    },
  };
}

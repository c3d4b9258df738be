import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  REGISTRY_FORMAT_VERSION,
  type HistoryEntry,
  type LockInfo,
  type RegistryObject,
  type RegistryState,
} from "../../src/model/registry.js";

export function entity(name: string, description = ""): RegistryObject {
  return {
    kind: "entity",
    name,
    spec: { name, description, tags: { team: "t" }, owner: "", joinKeys: [`${name}_id`], valueType: "int64" },
    file: "entities.ts",
    line: 1,
  };
}

/** `size` entities whose content depends on `serial`: a state can be recognised from its serial. */
export function objectsFor(serial: number, size = 5): RegistryObject[] {
  return Array.from({ length: size }, (_, i) => entity(`e${String(i).padStart(5, "0")}`, `serial ${serial}`));
}

export function makeState(
  project: string,
  serial: number,
  lineage: string,
  objects: RegistryObject[] = objectsFor(serial),
): RegistryState {
  return {
    formatVersion: REGISTRY_FORMAT_VERSION,
    project,
    lineage,
    serial,
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, serial)).toISOString(),
    appliedBy: "tester",
    objects,
    infra: { tables: [`${project}__v${serial}`] },
  };
}

export function makeHistory(project: string, serial: number, fingerprint = `fp-${serial}`): HistoryEntry {
  return {
    project,
    serial,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, serial)).toISOString(),
    who: "tester",
    commit: serial % 2 === 0 ? null : `c0ffee${serial}`,
    fingerprint,
    changes: [{ kind: "entity", name: `e${serial}`, action: "create" }],
    infra: [],
  };
}

export function lockInfo(who = "tester", operation: LockInfo["operation"] = "apply"): LockInfo {
  return {
    id: randomUUID(),
    who,
    host: hostname(),
    pid: process.pid,
    time: new Date().toISOString(),
    operation,
  };
}

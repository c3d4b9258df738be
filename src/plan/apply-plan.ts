import { objectId } from "../model/index.js";
import type { DesiredState, Plan, RegistryObject, RegistryState } from "../model/index.js";
import { isProtected, PROTECT_TAG } from "./plan-changes.js";
import { compareObjects } from "./references.js";

/** The plan does not describe how to get from this registry state to this desired state. */
export class PlanMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanMismatchError";
  }
}

/**
 * The registry objects after applying `plan` to `current`: pure, so apply (and the property
 * test) can compute the next state without a store. Applies exactly the plan's changes; specs
 * come from `desired` (a plan read back from JSON carries no specs), locations of every desired
 * object are refreshed (they are not compared, so moving a definition is not a change).
 *
 * Protection: objects whose registry spec is tagged `fsops.protect: "true"` are never deleted.
 * `planChanges` already leaves them out of `changes` and lists them in `protected`; a plan
 * that still deletes one (built elsewhere or edited) is refused here rather than obeyed.
 */
export function nextRegistryObjects(
  desired: DesiredState,
  current: RegistryState | null,
  plan: Pick<Plan, "changes">,
): RegistryObject[] {
  const byId = new Map<string, RegistryObject>();
  for (const o of current?.objects ?? []) byId.set(objectId(o.kind, o.name), o);
  const desiredById = new Map(desired.objects.map((o) => [objectId(o.kind, o.name), o] as const));

  for (const c of plan.changes) {
    const id = objectId(c.kind, c.name);
    if (c.action === "delete") {
      const have = byId.get(id);
      if (!have) throw new PlanMismatchError(`plan deletes ${id}, which the registry does not hold`);
      if (isProtected(have.spec)) {
        throw new PlanMismatchError(`plan deletes ${id}, which is protected (tag ${PROTECT_TAG}: "true")`);
      }
      if (desiredById.has(id)) throw new PlanMismatchError(`plan deletes ${id}, which is still defined`);
      byId.delete(id);
    } else {
      const want = desiredById.get(id);
      if (!want) throw new PlanMismatchError(`plan ${c.action}s ${id}, which is not defined`);
      if (c.action === "create" && byId.has(id)) {
        throw new PlanMismatchError(`plan creates ${id}, which the registry already holds`);
      }
      if (c.action !== "create" && !byId.has(id)) {
        throw new PlanMismatchError(`plan ${c.action}s ${id}, which the registry does not hold`);
      }
      byId.set(id, { kind: want.kind, name: want.name, spec: want.spec, file: null, line: null });
    }
  }

  for (const [id, want] of desiredById) {
    const have = byId.get(id);
    if (!have)
      throw new PlanMismatchError(`${id} is defined but neither in the registry nor created by the plan`);
    byId.set(id, { ...have, file: want.location.file, line: want.location.line });
  }

  return [...byId.values()].sort(compareObjects);
}

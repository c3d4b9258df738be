export { planChanges, isProtected, PROTECT_TAG, IDENTITY_FIELDS } from "./plan-changes.js";
export type { ComputedPlan, ProtectedObject } from "./plan-changes.js";
export { nextRegistryObjects, PlanMismatchError } from "./apply-plan.js";
export { diffSpecs, jsonEqual } from "./diff-fields.js";
export {
  assessChange,
  explainChange,
  fieldReason,
  objectReason,
  rebuiltDependents,
  FIELD_RULES,
  OBJECT_RULES,
} from "./impact.js";
export type { ImpactContext, ImpactReason } from "./impact.js";
export { planFingerprint } from "./fingerprint.js";
export type { FingerprintInput } from "./fingerprint.js";
export { edgesFromSpecs, downstreamOf, dependentsIndex, compareIds, splitId } from "./references.js";

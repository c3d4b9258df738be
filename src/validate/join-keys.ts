/**
 * Types of join keys. Feast lets a view's schema list its join keys as Fields, which gives their
 * type; fsops keeps that idiom. A key's type comes from its entity's `valueType` when stated,
 * else from the Fields views give it; the two disagreeing (or two views disagreeing) is an error.
 * A key whose type nobody states gets "string", with a warning that says so: never silently.
 */
import type { Diagnostic, SourceLocation } from "../model/diagnostic.js";
import type { DslObject } from "../model/evaluated.js";
import { isDslObject } from "../model/evaluated.js";
import type { Dtype } from "../model/kinds.js";
import type { Analysis } from "./analyze.js";
import { CODES } from "./codes.js";
import { locate, quote } from "./describe.js";
import { diagnosticAtLocation } from "./issues.js";

/** Views whose schema may type their join keys. */
const KEYED_VIEWS: ReadonlySet<string> = new Set(["FeatureView", "BatchFeatureView", "StreamFeatureView"]);

export interface KeyTyping {
  /** Per view: the schema Fields that name one of its join keys. */
  readonly keyFields: Map<DslObject, Set<DslObject>>;
  /** Per entity without a valueType: the one type views give all its keys. */
  readonly inferred: Map<DslObject, Dtype>;
}

interface Typed {
  dtype: Dtype;
  at: SourceLocation;
  view: Analysis;
}

function where(l: SourceLocation): string {
  return `${l.file}:${l.line}`;
}

/**
 * Walks every keyed view once; reports conflicts (marking the view invalid) and, at each entity
 * whose key nobody types, the warning. `analysisOf` gives the analysis of any construction.
 */
export function typeJoinKeys(
  analyses: readonly Analysis[],
  analysisOf: (obj: DslObject) => Analysis | undefined,
  diagnostics: Diagnostic[],
): KeyTyping {
  const keyFields = new Map<DslObject, Set<DslObject>>();
  // entity → key → the types views give it, in source order
  const given = new Map<DslObject, Map<string, Typed[]>>();

  for (const a of analyses) {
    if (!KEYED_VIEWS.has(a.obj.$dsl)) continue;
    const entities = a.obj.options.entities;
    const schema = a.obj.options.schema;
    if (!Array.isArray(entities) || !Array.isArray(schema)) continue;
    const owner = new Map<string, DslObject>();
    for (const e of entities) {
      if (!isDslObject(e) || e.$dsl !== "Entity") continue;
      for (const key of joinKeysOf(analysisOf(e))) if (!owner.has(key)) owner.set(key, e);
    }
    if (owner.size === 0) continue;
    schema.forEach((f, index) => {
      if (!isDslObject(f) || f.$dsl !== "Field") return;
      const fo = analysisOf(f)?.options as { name?: string; dtype?: Dtype } | undefined;
      if (fo?.name === undefined) return;
      const entity = owner.get(fo.name);
      if (entity === undefined) return;
      let set = keyFields.get(a.obj);
      if (set === undefined) keyFields.set(a.obj, (set = new Set()));
      set.add(f);
      if (fo.dtype === undefined) return;
      const at = locate(a.obj, ["schema", index]);
      const eo = analysisOf(entity)?.options as { name?: string; valueType?: Dtype } | undefined;
      if (eo?.valueType !== undefined) {
        if (eo.valueType !== fo.dtype) {
          diagnostics.push(
            diagnosticAtLocation(
              a.obj,
              at,
              CODES.joinKeyTypeConflict,
              `join key ${quote(fo.name)} is typed ${quote(fo.dtype)} here, but entity ${quote(eo.name ?? "?")} has valueType ${quote(eo.valueType)} (${where(entity.location)})`,
              `make them agree: dtype: ${JSON.stringify(eo.valueType)} here, or change the entity's valueType`,
            ),
          );
          a.valid = false;
        }
        return;
      }
      let byKey = given.get(entity);
      if (byKey === undefined) given.set(entity, (byKey = new Map()));
      let list = byKey.get(fo.name);
      if (list === undefined) byKey.set(fo.name, (list = []));
      list.push({ dtype: fo.dtype, at, view: a });
    });
  }

  const inferred = new Map<DslObject, Dtype>();
  for (const a of analyses) {
    if (a.obj.$dsl !== "Entity") continue;
    const o = a.options as { name?: string; valueType?: Dtype; joinKeys?: string[] };
    if (o.valueType !== undefined || a.obj.options.valueType !== undefined) continue;
    const keys = joinKeysOf(a);
    if (keys.length === 0) continue;
    const byKey = given.get(a.obj);
    const types = new Set<Dtype>();
    const untyped: string[] = [];
    for (const key of keys) {
      const list = byKey?.get(key);
      if (list === undefined || list.length === 0) {
        untyped.push(key);
        continue;
      }
      const first = list[0]!;
      types.add(first.dtype);
      for (const other of list.slice(1)) {
        if (other.dtype === first.dtype) continue;
        diagnostics.push(
          diagnosticAtLocation(
            other.view.obj,
            other.at,
            CODES.joinKeyTypeConflict,
            `join key ${quote(key)} of entity ${quote(o.name ?? "?")} is typed ${quote(other.dtype)} here and ${quote(first.dtype)} at ${where(first.at)}`,
            `state the type once on the entity (valueType: ${JSON.stringify(first.dtype)}) and make the Fields agree`,
          ),
        );
        other.view.valid = false;
      }
    }
    if (untyped.length === 0 && types.size === 1) inferred.set(a.obj, [...types][0]!);
    if (untyped.length > 0) {
      const list = untyped.map(quote).join(", ");
      diagnostics.push(
        diagnosticAtLocation(
          a.obj,
          a.obj.location,
          CODES.untypedJoinKey,
          `nobody states the type of join key${untyped.length > 1 ? "s" : ""} ${list}: ${quote("string")} is assumed`,
          `set valueType on the entity (e.g. valueType: "int64"), or list new Field({ name: ${JSON.stringify(untyped[0])}, dtype: … }) in the schema of a view using it`,
          "warning",
        ),
      );
    }
  }
  return { keyFields, inferred };
}

function joinKeysOf(a: Analysis | undefined): string[] {
  if (a === undefined) return [];
  const o = a.options as { name?: string; joinKeys?: string[] };
  if (o.joinKeys !== undefined) return o.joinKeys;
  if (a.obj.options.joinKeys !== undefined) return []; // rejected: reported already
  return o.name === undefined ? [] : [o.name];
}

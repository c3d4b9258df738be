import type { Diagnostic, SourceLocation } from "../model/diagnostic.js";
import { compareDiagnostics } from "../model/diagnostic.js";
import type { DslObject } from "../model/evaluated.js";
import { isDslObject, isProjection, isTransformSource } from "../model/evaluated.js";
import type { Dtype, ObjectKind } from "../model/kinds.js";
import { compareObjects as byKindThenName, FEATURE_VIEW_KINDS, objectId } from "../model/kinds.js";
import type {
  AggregationSpec,
  AnySpec,
  DesiredObject,
  DesiredState,
  FieldSpec,
  GraphEdge,
} from "../model/spec.js";
import type { Analysis } from "./analyze.js";
import { analyzeOptions, isKnownClass } from "./analyze.js";
import { aggregationSpec, defaultSourceName, fieldSpec, specOf } from "./canonical.js";
import type { SpecContext } from "./canonical.js";
import { CODES } from "./codes.js";
import { article, locate, quote } from "./describe.js";
import { typeJoinKeys } from "./join-keys.js";
import type { KeyTyping } from "./join-keys.js";
import { diagnosticAtLocation } from "./issues.js";
import { runRules } from "./rules.js";
import type { RuleContext } from "./rules.js";
import type { OptionsOf } from "./schemas.js";
import { CLASS_KIND } from "../model/kinds.js";

/** What validation reads from the parse stage (structurally `ParseResult` of src/parse). */
export interface EvaluatedDefinitions {
  readonly objects: readonly DslObject[];
  /** Not read: the caller merges parse diagnostics with the validation ones. */
  readonly diagnostics?: readonly Diagnostic[];
  /**
   * Ids of objects some of whose options the parser could not evaluate (and reported): those
   * options are absent, so their absence is not reported again, and the objects are not valid.
   */
  readonly incomplete?: readonly number[];
}

export interface ValidationResult {
  state: DesiredState;
  /** Validation diagnostics only (the caller merges the parse ones), sorted. */
  diagnostics: Diagnostic[];
}

function compareLocations(a: SourceLocation, b: SourceLocation): number {
  return (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column;
}

function formatLocation(l: SourceLocation): string {
  return `${l.file}:${l.line}`;
}

/**
 * Every DSL construction: the parser lists them all, but values nested in options are walked too
 * so that nothing referenced can escape validation (hand-built input, a parser regression).
 */
function collectObjects(roots: readonly DslObject[]): DslObject[] {
  const all = roots.filter(isDslObject);
  // The parser's ids are indexes into its list: membership without hashing 60,000 objects
  // (a set is built only for input whose ids are not, such as hand-built objects).
  let rootSet: Set<DslObject> | null = null;
  const listed = (o: DslObject) => roots[o.id] === o || (rootSet ??= new Set(all)).has(o);
  const strays = new Set<DslObject>();
  // Shared values (one const used in many places) are walked each time they appear; the budget
  // keeps a hostile sharing pattern from making the walk exponential. Past it, an unlisted object
  // is simply not found, and whatever references it is left out of the state.
  let budget = 64 * all.length + 100_000;
  const stack: unknown[] = all.map((o) => o.options);
  while (stack.length > 0 && budget-- > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== "object" || isTransformSource(v)) continue;
    if (isDslObject(v)) {
      if (!listed(v) && !strays.has(v)) {
        strays.add(v);
        all.push(v);
        stack.push(v.options);
      }
    } else if (isProjection(v)) {
      stack.push(v.view, v.features);
    } else if (Array.isArray(v)) {
      // A listed object needs no visit (its options are walked from the roots): skipping it here
      // spares a push and pop for every Field of every schema. It still spends its unit of budget.
      for (const x of v as unknown[]) {
        if (typeof x !== "object" || x === null) continue;
        if (isDslObject(x) && roots[x.id] === x) budget--;
        else stack.push(x);
      }
    } else {
      for (const key in v) {
        const x = (v as Record<string, unknown>)[key];
        if (typeof x === "object" && x !== null) stack.push(x);
      }
    }
  }
  return all;
}

function compareObjects(x: DslObject, y: DslObject): number {
  return compareLocations(x.location, y.location) || (x.$dsl < y.$dsl ? -1 : x.$dsl > y.$dsl ? 1 : 0);
}

/**
 * Source order; the parser already lists objects so, which one pass confirms. Objects that all
 * carry a `sourceOrder` are compared by it, without working out 60,000 locations.
 */
function inSourceOrder(objects: DslObject[]): DslObject[] {
  const byNumber = objects.every((o) => o.sourceOrder !== undefined);
  for (let i = 1; i < objects.length; i++) {
    const a = objects[i - 1]!;
    const b = objects[i]!;
    if (byNumber ? a.sourceOrder! > b.sourceOrder! : compareObjects(a, b) > 0)
      return objects.sort(compareObjects);
  }
  return objects;
}

/** The objects an object's (fully parsed) options reference: what it cannot exist without. */
const NO_OBJECTS: readonly DslObject[] = [];

function referencesOf(a: Analysis): readonly DslObject[] {
  switch (a.obj.$dsl) {
    case "PushSource":
    case "KafkaSource":
    case "KinesisSource": {
      const o = a.options as OptionsOf<"PushSource">;
      return [o.batchSource];
    }
    case "RequestSource":
      return [...(a.options as OptionsOf<"RequestSource">).schema];
    case "FeatureView":
    case "BatchFeatureView": {
      const o = a.options as OptionsOf<"FeatureView">;
      return [...(o.entities ?? []), ...o.schema, o.source];
    }
    case "StreamFeatureView": {
      const o = a.options as OptionsOf<"StreamFeatureView">;
      return [...(o.entities ?? []), ...o.schema, o.source, ...(o.aggregations ?? [])];
    }
    case "OnDemandFeatureView": {
      const o = a.options as OptionsOf<"OnDemandFeatureView">;
      return [
        ...o.sources.map((s) => (s.type === "feature_view" ? s.view : s.source)),
        ...o.schema,
        ...(o.entities ?? []),
      ];
    }
    case "FeatureService":
      return (a.options as OptionsOf<"FeatureService">).features.map((s) => s.view);
    default:
      return NO_OBJECTS;
  }
}

interface Registered {
  n: Node;
  kind: ObjectKind;
  name: string;
  spec: AnySpec;
}

const UNKNOWN = 0;
const VISITING = 1;
const VALID = 2;
const INVALID = 3;
type Validity = typeof UNKNOWN | typeof VISITING | typeof VALID | typeof INVALID;

/** One construction in the graph: its analysis, and what it references once resolved. */
interface Node {
  readonly a: Analysis;
  /** Resolved on first need (only for objects whose options all parsed); null = unresolvable. */
  refs: Node[] | null | undefined;
  excluded: boolean;
  local: Validity;
  final: Validity;
}

/**
 * DslObject → Node. The parser's ids are indexes into its list, so most lookups are an array
 * access; objects whose id is taken or out of range (hand-built input) fall back to a map.
 */
class NodeIndex {
  private readonly byId: (Node | undefined)[] = [];
  private readonly others = new Map<DslObject, Node>();
  /** In insertion (source) order. */
  readonly list: Node[] = [];

  add(n: Node): void {
    const id = n.a.obj.id;
    if (Number.isSafeInteger(id) && id >= 0 && id < 1e7 && this.byId[id] === undefined) this.byId[id] = n;
    else this.others.set(n.a.obj, n);
    this.list.push(n);
  }

  get(obj: DslObject): Node | undefined {
    const n = this.byId[obj.id];
    return n !== undefined && n.a.obj === obj ? n : this.others.get(obj);
  }
}

const NO_REFS: Node[] = [];

function refsOf(n: Node, nodes: NodeIndex): Node[] | null {
  if (n.refs === undefined) {
    const objs = referencesOf(n.a);
    if (objs.length === 0) {
      // Fields, entities, sources without references: most of the graph shares one empty list.
      n.refs = NO_REFS;
      return NO_REFS;
    }
    const refs: Node[] = [];
    for (let i = 0; i < objs.length; i++) {
      const r = nodes.get(objs[i]!);
      if (!r) {
        n.refs = null;
        return null;
      }
      refs.push(r);
    }
    n.refs = refs;
  }
  return n.refs;
}

/**
 * Valid through its references, memoized in `n.local` (objects and their references) or
 * `n.final` (also excluding conflicting definitions). A reference cycle (impossible from const
 * code, where a value exists before it is used) makes the objects on it invalid. Two functions
 * rather than one indexed by pass: fixed property names keep the accesses monomorphic.
 */
function isValidLocal(n: Node, nodes: NodeIndex): boolean {
  const state = n.local;
  if (state === VALID) return true;
  if (state === INVALID || state === VISITING) return false;
  n.local = VISITING;
  let ok = n.a.valid;
  const refs = ok ? refsOf(n, nodes) : null;
  if (!refs) ok = false;
  // Indexed loops here and below: a for-of in a recursive function allocates an iterator per call.
  else for (let i = 0; i < refs.length; i++) if (!isValidLocal(refs[i]!, nodes)) ok = false;
  n.local = ok ? VALID : INVALID;
  return ok;
}

function isValidFinal(n: Node, nodes: NodeIndex): boolean {
  const state = n.final;
  if (state === VALID) return true;
  if (state === INVALID || state === VISITING) return false;
  n.final = VISITING;
  let ok = n.a.valid && !n.excluded;
  const refs = ok ? refsOf(n, nodes) : null;
  if (!refs) ok = false;
  else for (let i = 0; i < refs.length; i++) if (!isValidFinal(refs[i]!, nodes)) ok = false;
  n.final = ok ? VALID : INVALID;
  return ok;
}

function differingKeys(a: AnySpec, b: AnySpec): string[] {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])];
  return keys.filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]));
}

/**
 * The validation graph of one run: every construction's analysis by object, and the lookups the
 * rules and the spec builders need, as methods: one function each for the engine to optimize,
 * rather than new closures on every run.
 */
class Graph implements RuleContext, SpecContext {
  readonly nodes = new NodeIndex();
  keyTyping: KeyTyping = { keyFields: new Map(), inferred: new Map() };
  constructor(readonly diagnostics: Diagnostic[]) {}

  isJoinKeyField(view: DslObject, field: DslObject): boolean {
    return this.keyTyping.keyFields.get(view)?.has(field) ?? false;
  }
  inferredValueType(entity: DslObject): Dtype | undefined {
    return this.keyTyping.inferred.get(entity);
  }
  analysisOf(obj: DslObject): Analysis | undefined {
    return this.nodes.get(obj)?.a;
  }
  private optionsOf(obj: DslObject): unknown {
    return this.nodes.get(obj)!.a.options;
  }
  nameOf(obj: DslObject): string {
    // A source without a name has Feast's default name (its table or path).
    return defaultSourceName(this.optionsOf(obj) as { name?: string; table?: string; path?: string })!;
  }
  fieldOf(obj: DslObject): FieldSpec {
    return fieldSpec(this.optionsOf(obj) as OptionsOf<"Field">);
  }
  aggregationOf(obj: DslObject): AggregationSpec {
    return aggregationSpec(this.optionsOf(obj) as OptionsOf<"Aggregation">);
  }
}

/**
 * Turn the parse stage's constructions into the validated desired-state graph. Pure: reads only
 * its arguments. Only objects that validated, together with everything they reference, are in
 * `state`; every problem found is in `diagnostics` (never thrown, never only the first).
 *
 * Each pass over the objects is a function of its own: a loop over 60,000 objects in one large
 * function gets that whole function recompiled mid-loop, once per loop.
 */
export function buildDesiredState(project: string, parsed: EvaluatedDefinitions): ValidationResult {
  const diagnostics: Diagnostic[] = [];
  // Processing in source order keeps every choice below independent of the order of the input.
  const objects = inSourceOrder(collectObjects(parsed.objects ?? []).filter(isKnownClass));
  const graph = new Graph(diagnostics);
  analyzeAll(graph, objects, incompleteObjects(parsed));
  graph.keyTyping = typeJoinKeys(
    graph.nodes.list.map((n) => n.a),
    (obj) => graph.analysisOf(obj),
    diagnostics,
  );
  runAllRules(graph);
  checkProjects(graph, project);

  const groups = registerValid(graph);
  for (const group of groups.values()) reportConflicts(group, diagnostics);
  reportFeatureViewNameClashes(groups, diagnostics);

  const { desired, edges } = chooseDefinitions(graph, groups);
  desired.sort(byKindThenName);
  edges.sort(
    (x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : 0) || (x.to < y.to ? -1 : x.to > y.to ? 1 : 0),
  );
  return { state: { project, objects: desired, edges }, diagnostics: dedupeSorted(diagnostics) };
}

function incompleteObjects(parsed: EvaluatedDefinitions): ReadonlySet<DslObject> {
  const ids = new Set(parsed.incomplete ?? []);
  return ids.size === 0 ? new Set() : new Set((parsed.objects ?? []).filter((o) => ids.has(o.id)));
}

/** Every object through its schema, in source order (an object listed twice is analysed once). */
function analyzeAll(graph: Graph, objects: readonly DslObject[], incomplete: ReadonlySet<DslObject>): void {
  const nodes = graph.nodes;
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i]!;
    if (nodes.get(obj)) continue;
    const a = analyzeOptions(obj, graph.diagnostics, incomplete.has(obj));
    nodes.add({ a, refs: undefined, excluded: false, local: UNKNOWN, final: UNKNOWN });
  }
}

/** A Project object describes the project of fsops.yaml: its name must be that project's. */
function checkProjects(graph: Graph, project: string): void {
  for (const n of graph.nodes.list) {
    if (n.a.obj.$dsl !== "Project") continue;
    const name = (n.a.options as { name?: string }).name;
    if (name === undefined || name === project) continue;
    graph.diagnostics.push(
      diagnosticAtLocation(
        n.a.obj,
        locate(n.a.obj, ["name"]),
        CODES.projectMismatch,
        `the project in fsops.yaml is ${quote(project)}, not ${quote(name)}`,
        `write name: ${JSON.stringify(project)} (a Project describes the project of its fsops.yaml)`,
      ),
    );
    n.a.valid = false;
  }
}

function runAllRules(graph: Graph): void {
  const list = graph.nodes.list;
  for (let i = 0; i < list.length; i++) runRules(graph, list[i]!.a);
}

/** The specs of the registered kinds that are valid with their references, grouped by id. */
function registerValid(graph: Graph): Map<string, Registered[]> {
  const groups = new Map<string, Registered[]>();
  const { nodes } = graph;
  const list = nodes.list;
  for (let i = 0; i < list.length; i++) {
    const n = list[i]!;
    const kind = CLASS_KIND[n.a.obj.$dsl];
    if (kind === null || !isValidLocal(n, nodes)) continue;
    const spec = specOf(n.a.obj, n.a.options, graph);
    if (spec === null) continue;
    const id = objectId(kind, spec.name);
    const entry: Registered = { n, kind, name: spec.name, spec };
    const group = groups.get(id);
    if (group) group.push(entry);
    else groups.set(id, [entry]);
  }
  return groups;
}

/** Per group, the first entry in source order valid with its references; and their edges. */
function chooseDefinitions(
  graph: Graph,
  groups: Map<string, Registered[]>,
): { desired: DesiredObject[]; edges: GraphEdge[] } {
  const desired: DesiredObject[] = [];
  const edges = new Map<string, GraphEdge>();
  for (const group of groups.values()) {
    // Entries are in source order: the first valid one is where the object is "defined".
    const chosen = group.find((e) => isValidFinal(e.n, graph.nodes));
    if (!chosen) continue;
    desired.push({
      kind: chosen.kind,
      name: chosen.name,
      spec: chosen.spec,
      location: chosen.n.a.obj.location,
    });
    const from = objectId(chosen.kind, chosen.name);
    const deps = chosen.n.refs ?? NO_REFS;
    for (let i = 0; i < deps.length; i++) {
      const dep = deps[i]!;
      const kind = CLASS_KIND[dep.a.obj.$dsl];
      if (kind === null) continue;
      const to = objectId(
        kind,
        defaultSourceName(dep.a.options as { name?: string; table?: string; path?: string })!,
      );
      edges.set(`${from}\u0000${to}`, { from, to });
    }
  }
  return { desired, edges: [...edges.values()] };
}

/** Identical definitions of one kind and name merge; each different one is an error naming both. */
function reportConflicts(group: Registered[], diagnostics: Diagnostic[]): void {
  if (group.length < 2) return;
  // Builders write keys in a fixed order, so equal specs serialize to equal strings.
  const json = new Map(group.map((e) => [e, JSON.stringify(e.spec)]));
  const variants: Registered[] = [];
  for (const entry of group) if (!variants.some((v) => json.get(v) === json.get(entry))) variants.push(entry);
  if (variants.length < 2) return;
  for (const entry of group) entry.n.excluded = true;
  const first = variants[0]!;
  for (const other of variants.slice(1)) {
    const where = other.n.a.obj.location;
    diagnostics.push(
      diagnosticAtLocation(
        other.n.a.obj,
        where,
        CODES.conflictingDefinition,
        `defined twice with different specs, at ${formatLocation(first.n.a.obj.location)} and ${formatLocation(where)} (they differ in ${differingKeys(first.spec, other.spec).join(", ")})`,
        "rename one of them, or make both definitions identical (identical duplicates merge)",
      ),
    );
  }
}

/** Feature views of all three kinds share one namespace: services reference them by name. */
function reportFeatureViewNameClashes(groups: Map<string, Registered[]>, diagnostics: Diagnostic[]): void {
  const byName = new Map<string, Registered[][]>();
  for (const group of groups.values()) {
    const head = group[0]!;
    if (!FEATURE_VIEW_KINDS.includes(head.kind)) continue;
    const list = byName.get(head.name);
    if (list) list.push(group);
    else byName.set(head.name, [group]);
  }
  for (const [name, clashing] of byName) {
    if (clashing.length < 2) continue;
    clashing.sort((x, y) => compareLocations(x[0]!.n.a.obj.location, y[0]!.n.a.obj.location));
    for (const group of clashing) for (const entry of group) entry.n.excluded = true;
    const first = clashing[0]![0]!;
    for (const group of clashing.slice(1)) {
      const other = group[0]!;
      diagnostics.push(
        diagnosticAtLocation(
          other.n.a.obj,
          other.n.a.obj.location,
          CODES.featureViewNameClash,
          `the name ${quote(name)} is used by both ${article(first.n.a.obj.$dsl)} ${first.n.a.obj.$dsl} at ${formatLocation(first.n.a.obj.location)} and ${article(other.n.a.obj.$dsl)} ${other.n.a.obj.$dsl} at ${formatLocation(other.n.a.obj.location)}`,
          "rename one: feature views, on-demand and stream feature views share one namespace",
        ),
      );
    }
  }
}

function dedupeSorted(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...diagnostics].sort(compareDiagnostics)) {
    const key = JSON.stringify([d.file, d.line, d.column, d.code, d.message, d.hint ?? ""]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

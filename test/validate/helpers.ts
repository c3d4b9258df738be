/**
 * Builds the parse stage's output (DslObject values) by hand, with a distinct, predictable
 * location for every option, so validation tests can assert exactly where a diagnostic points.
 */
import type { Diagnostic, SourceLocation } from "../../src/model/diagnostic.js";
import type {
  DslObject,
  EvalRecord,
  EvalValue,
  Projection,
  TransformSource,
} from "../../src/model/evaluated.js";
import { isDslObject, isProjection, isTransformSource } from "../../src/model/evaluated.js";
import type { DslClassName } from "../../src/model/kinds.js";

export interface MakeOptions {
  file?: string;
  /** Line of the `new` expression; options are on the following lines. */
  line?: number;
  /** false: the parser recorded no option locations (values built elsewhere). */
  locations?: boolean;
}

export class Defs {
  readonly objects: DslObject[] = [];
  private readonly lines = new Map<string, number>();
  private nextId = 0;

  constructor(readonly defaultFile = "features.ts") {}

  private nextLine(file: string): number {
    const line = (this.lines.get(file) ?? -99) + 100;
    this.lines.set(file, line);
    return line;
  }

  make(cls: DslClassName, options: Record<string, EvalValue>, opts: MakeOptions = {}): DslObject {
    const file = opts.file ?? this.defaultFile;
    const line = opts.line ?? this.nextLine(file);
    const optionLocations: Record<string, SourceLocation> = {};
    if (opts.locations !== false) {
      let n = 0;
      const walk = (v: EvalValue, path: string): void => {
        if (path !== "") optionLocations[path] = { file, line: line + ++n, column: 5 };
        // Options are shallow; deeper (possibly shared or cyclic) values need no location.
        if (path.split(".").length >= 3) return;
        if (isDslObject(v) || isProjection(v) || isTransformSource(v) || v === null || typeof v !== "object")
          return;
        const entries: [string, EvalValue][] = Array.isArray(v)
          ? v.map((x, i) => [String(i), x])
          : Object.entries(v as EvalRecord);
        for (const [k, x] of entries) walk(x, path === "" ? k : `${path}.${k}`);
      };
      walk(options, "");
    }
    const obj: DslObject = {
      $dsl: cls,
      id: this.nextId++,
      options,
      location: { file, line, column: 3 },
      optionLocations,
    };
    this.objects.push(obj);
    return obj;
  }

  select(view: EvalValue, features: EvalValue, opts: MakeOptions = {}): Projection {
    const file = opts.file ?? this.defaultFile;
    return {
      $projection: true,
      view,
      features,
      location: { file, line: opts.line ?? this.nextLine(file), column: 7 },
    };
  }

  transform(text: string, opts: MakeOptions = {}): TransformSource {
    const file = opts.file ?? this.defaultFile;
    return { $transform: true, text, location: { file, line: opts.line ?? this.nextLine(file), column: 9 } };
  }

  // Shorthands for the common constructions.
  field(name: string, dtype: string = "float32", opts?: MakeOptions): DslObject {
    return this.make("Field", { name, dtype }, opts);
  }
  /**
   * An entity typed "string" unless `extra` says otherwise (`valueType: undefined` leaves it
   * untyped): an untyped join key is a warning (FS221), which tests of other rules do not want.
   * Written last, so the other options keep their locations.
   */
  entity(name: string, extra: Record<string, EvalValue> = {}, opts?: MakeOptions): DslObject {
    const options: Record<string, EvalValue> = { name, ...extra };
    if (!("valueType" in extra)) options.valueType = "string";
    else if (extra.valueType === undefined) delete options.valueType;
    return this.make("Entity", options, opts);
  }
  fileSource(name: string, extra: Record<string, EvalValue> = {}, opts?: MakeOptions): DslObject {
    return this.make(
      "FileSource",
      { name, path: `data/${name}.parquet`, timestampField: "event_timestamp", ...extra },
      opts,
    );
  }
  featureView(
    name: string,
    entities: DslObject[],
    schema: DslObject[],
    source: DslObject,
    extra: Record<string, EvalValue> = {},
    opts?: MakeOptions,
  ): DslObject {
    return this.make("FeatureView", { name, entities, schema, source, ...extra }, opts);
  }

  result(): { objects: DslObject[]; diagnostics: Diagnostic[] } {
    return { objects: [...this.objects], diagnostics: [] };
  }
}

/** Where the helper placed the option at `path` of `obj` (the object itself for ""). */
export function loc(obj: DslObject, path = ""): SourceLocation {
  if (path === "") return obj.location;
  const l = obj.optionLocations[path];
  if (!l) throw new Error(`test bug: no location for ${path}`);
  return l;
}

/** The fields of a location, to compare with a diagnostic via toMatchObject. */
export function at(l: SourceLocation): SourceLocation {
  return { file: l.file, line: l.line, column: l.column };
}

export function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => d.code);
}

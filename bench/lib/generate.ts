/**
 * Synthetic feature repositories for the benchmark: `views` feature views, `viewsPerFile` to a
 * file, `fieldsPerView` fields each, written the way a team writes them by hand (literal Fields,
 * cross-file imports of entities and sources, one feature service per file with a projection).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

export interface RepoShape {
  views: number;
  viewsPerFile?: number;
  fieldsPerView?: number;
  entities?: number;
}

export interface GeneratedRepo {
  dir: string;
  project: string;
  files: number;
  bytes: number;
  /** Objects the repo defines, by kind: what `validate` must find. */
  expected: Record<"entity" | "data_source" | "feature_view" | "feature_service", number>;
}

const DTYPES = [
  "float32",
  "float64",
  "int64",
  "int32",
  "string",
  "bool",
  "float32[]",
  "bytes",
  "unix_timestamp",
  "int64",
] as const;

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

export async function generateRepo(dir: string, shape: RepoShape): Promise<GeneratedRepo> {
  const viewsPerFile = shape.viewsPerFile ?? 10;
  const fieldsPerView = shape.fieldsPerView ?? 10;
  const entityCount = shape.entities ?? 10;
  const fileCount = Math.ceil(shape.views / viewsPerFile);
  const project = `bench_${shape.views}`;
  const out = new Map<string, string>();

  out.set("fsops.yaml", `project: ${project}\n`);

  const entities: string[] = ['import { Entity } from "fsops";', ""];
  for (let e = 0; e < entityCount; e++) {
    entities.push(
      `export const entity_${e} = new Entity({`,
      `  name: "entity_${e}",`,
      `  joinKeys: ["entity_${e}_id"],`,
      `  valueType: "${e % 2 === 0 ? "int64" : "string"}",`,
      `  description: "Synthetic entity ${e}.",`,
      `});`,
      "",
    );
  }
  out.set("entities.ts", entities.join("\n"));

  for (let f = 0; f < fileCount; f++) {
    const first = f * viewsPerFile;
    const ids = Array.from({ length: Math.min(viewsPerFile, shape.views - first) }, (_, i) => first + i);
    const fileId = pad(f, 4);

    const sources: string[] = ['import { PostgresSource } from "fsops";', ""];
    for (const v of ids) {
      sources.push(
        `export const src_${pad(v, 5)} = new PostgresSource({`,
        `  name: "src_${pad(v, 5)}",`,
        `  table: "warehouse.table_${pad(v, 5)}",`,
        `  timestampField: "event_timestamp",`,
        `  createdTimestampColumn: "created",`,
        `});`,
        "",
      );
    }
    out.set(`sources/sources_${fileId}.ts`, sources.join("\n"));

    const usedEntities = [...new Set(ids.map((v) => v % entityCount))].sort((a, b) => a - b);
    const views: string[] = [
      'import { FeatureService, FeatureView, Field } from "fsops";',
      `import { ${usedEntities.map((e) => `entity_${e}`).join(", ")} } from "../entities.js";`,
      `import { ${ids.map((v) => `src_${pad(v, 5)}`).join(", ")} } from "../sources/sources_${fileId}.js";`,
      "",
    ];
    for (const v of ids) {
      views.push(
        `export const fv_${pad(v, 5)} = new FeatureView({`,
        `  name: "fv_${pad(v, 5)}",`,
        `  entities: [entity_${v % entityCount}],`,
        `  ttl: "${(v % 7) + 1}d",`,
        `  schema: [`,
        ...Array.from(
          { length: fieldsPerView },
          (_, i) => `    new Field({ name: "f_${i}", dtype: "${DTYPES[(v + i) % DTYPES.length]}" }),`,
        ),
        `  ],`,
        `  source: src_${pad(v, 5)},`,
        `  online: ${v % 5 !== 0},`,
        `  tags: { team: "team_${v % 13}", tier: "${v % 3 === 0 ? "gold" : "silver"}" },`,
        `  owner: "team${v % 13}@example.com",`,
        `  description: "Synthetic feature view ${v}.",`,
        `});`,
        "",
      );
    }
    const head = `fv_${pad(ids[0]!, 5)}`;
    const rest = ids.slice(1, 3).map((v) => `fv_${pad(v, 5)}`);
    views.push(
      `export const svc_${fileId} = new FeatureService({`,
      `  name: "svc_${fileId}",`,
      `  features: [${[`${head}.select(["f_0", "f_1", "f_2"])`, ...rest].join(", ")}],`,
      `});`,
      "",
    );
    out.set(`views/views_${fileId}.ts`, views.join("\n"));
  }

  let bytes = 0;
  for (const [rel, text] of out) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    bytes += Buffer.byteLength(text);
  }
  return {
    dir,
    project,
    files: [...out.keys()].filter((f) => f.endsWith(".ts")).length,
    bytes,
    expected: {
      entity: entityCount,
      data_source: shape.views,
      feature_view: shape.views,
      feature_service: fileCount,
    },
  };
}

import { prepareResult } from "./src/training/run.ts";
import { planRequest } from "./src/training/request.ts";
import { projectConfig } from "./test/training/fixtures.ts";
import { FEATURE_REFS, trainingState, handWrittenDuckdb } from "./bench/lib/training-data.ts";
const state = trainingState("file");
const ctx = { projectDir: "/tmp/tb", config: projectConfig("/tmp/tb", null), state };
const plan = planRequest(state, { entityRows: [], features: FEATURE_REFS, fullFeatureNames: true });
const p = await prepareResult(ctx, plan, { kind: "file", path: "/tmp/tb/entities.parquet" });
const t = async (label: string, sql: string) => { const c0 = process.cpuUsage(); await p.duck.conn.run(`COPY (${sql}) TO '/tmp/tb/o2.parquet' (FORMAT parquet)`); const u = process.cpuUsage(c0); return Math.round((u.user + u.system) / 1000); };
const variants: Record<string,string> = {
  ours: p.sql,
  floor: handWrittenDuckdb("/tmp/tb"),
  noUnion: p.sql.replaceAll(", union_by_name = true", ""),
  noNotNull: p.sql.replaceAll(" WHERE __fsops_ts IS NOT NULL", ""),
  noQualify: p.sql.replace(/ QUALIFY row_number\(\) OVER \([^)]*\) = 1/, ""),
  all3: p.sql.replaceAll(", union_by_name = true", "").replaceAll(" WHERE __fsops_ts IS NOT NULL", "").replace(/ QUALIFY row_number\(\) OVER \([^)]*\) = 1/, ""),
};
const res: Record<string, number[]> = {};
for (let i = 0; i < 3; i++) for (const [k, v] of Object.entries(variants)) (res[k] ??= []).push(await t(k, v));
for (const [k, v] of Object.entries(res)) console.log(k, v.join(" "), "min", Math.min(...v));
await p.close();

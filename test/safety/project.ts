/** Minimal feature projects written to a temp folder, for the safety regression tests. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "../cli/helpers.js";

/** A project folder with `fsops.yaml` = `yaml` and one feature view per name in `views`. */
export async function writeProject(
  yaml: string,
  views: string[] = ["stats"],
  opts: { into?: string; name?: string; features?: string } = {},
): Promise<string> {
  const dir = join(opts.into ?? (await tempDir("fsops-safety-")), opts.name ?? "project");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "fsops.yaml"), yaml);
  await writeFile(join(dir, "features.ts"), opts.features ?? featuresTs(views));
  return dir;
}

export function featuresTs(views: string[], dtype = "float32"): string {
  const lines = [
    'import { Entity, FeatureView, Field, PostgresSource } from "fsops";',
    'export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });',
    'const src = new PostgresSource({ name: "src", table: "driver_stats", timestampField: "event_timestamp" });',
  ];
  for (const [i, v] of views.entries()) {
    lines.push(
      `export const v${i} = new FeatureView({ name: ${JSON.stringify(v)}, entities: [driver], source: src, ttl: "1d", schema: [new Field({ name: "conv_rate", dtype: "${dtype}" })] });`,
    );
  }
  return `${lines.join("\n")}\n`;
}

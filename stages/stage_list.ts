/**
 * `stages/STAGES.md`: every registered stage by id, with what it is, the module that defines it
 * and its one line, so that searching the sources for an id (`train-reg-psi1-s3`) finds where it
 * comes from, although most ids are made from templates. `deno task stage-list` writes it; a
 * test fails when it is not what the registry makes.
 *
 * @module
 */
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { AnyStage } from "../pipeline/stage.ts";

/** Where the list lives, relative to the project root. */
export const STAGE_LIST = "stages/STAGES.md";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** What a stage is, for the list: it trains, it decides or reports an item, or it makes data. */
function kind(s: AnyStage): string {
  if (s.training) return "training";
  if (s.outputs.includes("checks.json")) return "item";
  return s.compute ? "computation" : "data or figures";
}

/** The Markdown of the list for the registry `stages`, in registry order. */
export function stageListMarkdown(stages: readonly AnyStage[]): string {
  const rows = stages.map((s) => {
    const module = relative(ROOT, fileURLToPath(s.module)).split("\\").join("/");
    const line = s.description.replaceAll("|", "\\|");
    return `| \`${s.id}\` | ${kind(s)} | \`${module}\` | ${line} |`;
  });
  return [
    "# Stages",
    "",
    "Every stage of `deno task reproduce`, in the registry's order (`stages/mod.ts`). Written by",
    "`deno task stage-list`; a test fails when it is out of date. `deno task dag` shows the",
    "inputs, `deno task status` what is built.",
    "",
    `| id | kind | defined in | what |`,
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

if (import.meta.main) {
  const { stages } = await import("./mod.ts");
  await Deno.writeTextFile(new URL("../" + STAGE_LIST, import.meta.url), stageListMarkdown(stages));
  console.log(`wrote ${STAGE_LIST}: ${stages.length} stages`);
}

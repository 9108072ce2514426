import assert from "node:assert/strict";
import { STAGE_LIST, stageListMarkdown } from "./stage_list.ts";
import { stages } from "./mod.ts";

Deno.test("stages/STAGES.md lists every registered stage as the registry makes it", async () => {
  const shipped = await Deno.readTextFile(new URL("../" + STAGE_LIST, import.meta.url));
  assert.ok(
    shipped === stageListMarkdown(stages),
    `${STAGE_LIST} is out of date: run deno task stage-list`,
  );
  for (const s of stages) assert.ok(shipped.includes(`| \`${s.id}\` |`), s.id);
  assert.match(
    shipped,
    /\| `train-reg-psi1-s3` \| training \| `stages\/generalisation\/trainings.ts` \|/,
  );
});

import assert from "node:assert/strict";
import { measuredStepTime } from "./step_times.ts";

Deno.test("measuredStepTime() reads the disk model's cpu time and falls back for unknown ones", () => {
  const disk = measuredStepTime("disk", "cpu", { fixed: -1, perImage: -1 });
  assert.ok(disk.fixed > 0 && disk.perImage > 0);
  assert.deepEqual(measuredStepTime("nothing", "cpu", { fixed: 1, perImage: 2 }), {
    fixed: 1,
    perImage: 2,
  });
});

import { strict as assert } from "node:assert";
import { linspace } from "./latent.ts";

Deno.test("linspace() includes both ends", () => {
  assert.deepEqual(linspace(1, 3, 5), [1, 1.5, 2, 2.5, 3]);
  assert.deepEqual(linspace(2, 9, 1), [2]);
});

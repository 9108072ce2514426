import assert from "node:assert/strict";
import { isNotAvailable } from "../../lib/common/not_available.ts";
import { defaultParams, fakeContext } from "../../lib/common/_test_context.ts";
import { authorsModelStage } from "./stage.ts";
import { AUTHORS_FILE } from "./_test_file.ts";

type Params = Parameters<typeof authorsModelStage.run>[0]["params"];

Deno.test("authors-model: without the file it succeeds, says so in one line, and reports the item not available", async () => {
  const dir = await Deno.makeTempDir();
  const params = defaultParams(authorsModelStage.params, {
    weightsPath: `${dir}/no_such_weights.h5`,
  }) as Params;
  const ctx = await fakeContext(authorsModelStage.id, params);
  try {
    await authorsModelStage.run(ctx);
    assert.equal(ctx.logs.length, 1);
    assert.match(ctx.logs[0], /not available: no file at .*no_such_weights\.h5/);
    const checks = JSON.parse(await Deno.readTextFile(ctx.outPath("checks.json")));
    assert.equal(checks.length, 1);
    assert.equal(isNotAvailable(checks[0]), true);
    assert.equal(checks[0].item, "authors-model");
    const measures = JSON.parse(await Deno.readTextFile(ctx.outPath("measures.json")));
    assert.equal(measures.available, false);
    const files = [...Deno.readDirSync(ctx.outDir)].map((e) => e.name).sort();
    assert.deepEqual(files, ["checks.json", "measures.json"]);
  } finally {
    await Deno.remove(ctx.outDir, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("authors-model: a file that is not HDF5 fails the stage with a clear error", async () => {
  const path = await Deno.makeTempFile({ suffix: ".h5" });
  await Deno.writeTextFile(path, "not hdf5");
  const params = defaultParams(authorsModelStage.params, { weightsPath: path }) as Params;
  const ctx = await fakeContext(authorsModelStage.id, params);
  try {
    await assert.rejects(() => authorsModelStage.run(ctx), /no HDF5 signature/);
  } finally {
    await Deno.remove(ctx.outDir, { recursive: true });
    await Deno.remove(path);
  }
});

Deno.test({
  name: "authors-model: on the authors' file, the checks of ae-d1 and latent and four figures",
  ignore: AUTHORS_FILE === null,
  async fn() {
    // 60 test radii instead of 300: the same measures, a fifth of the time.
    const params = defaultParams(authorsModelStage.params, {
      weightsPath: AUTHORS_FILE!,
      testCount: 60,
    }) as Params;
    const ctx = await fakeContext(authorsModelStage.id, params);
    try {
      await authorsModelStage.run(ctx);
      const checks = JSON.parse(await Deno.readTextFile(ctx.outPath("checks.json")));
      assert.equal(checks.length, 5);
      assert.ok(checks.every((c: { item: string }) => c.item === "authors-model"));
      const measures = JSON.parse(await Deno.readTextFile(ctx.outPath("measures.json")));
      assert.equal(measures.available, true);
      assert.equal(measures.sha256.length, 64);
      assert.ok(measures.meanIoU > 0.8 && measures.meanIoU <= 1, `mean IoU ${measures.meanIoU}`);
      assert.ok(measures.r2Area > measures.r2Radius);
      for (const f of ["figure.png", "iou.png", "radius_vs_z.png", "interpolation.png"]) {
        assert.ok(Deno.statSync(ctx.outPath(f)).size > 1000, f);
      }
    } finally {
      await Deno.remove(ctx.outDir, { recursive: true });
    }
  },
});

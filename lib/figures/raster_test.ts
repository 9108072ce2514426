import assert from "node:assert/strict";
import { imageToRaster, valueExtent } from "./raster.ts";

Deno.test("imageToRaster() enlarges by integer factors with nearest neighbour", () => {
  const img = { width: 2, height: 1, data: [0, 1] };
  const r = imageToRaster(img, { range: [0, 1], scaleX: 3, scaleY: 2 });
  assert.equal(r.width, 6);
  assert.equal(r.height, 2);
  assert.equal(r.channels, 1);
  assert.deepEqual(Array.from(r.data), [0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255]);
});

Deno.test("imageToRaster() clips to the range and colours through the map", () => {
  const img = { width: 3, height: 1, data: [-5, 0.5, 9] };
  assert.deepEqual(Array.from(imageToRaster(img, { range: [0, 1] }).data), [0, 128, 255]);
  const v = imageToRaster(img, { range: [0, 1], colormap: "viridis" });
  assert.equal(v.channels, 3);
  assert.deepEqual(Array.from(v.data.subarray(0, 3)), [0x44, 0x01, 0x54]);
  // A constant image on a zero-width range is drawn mid-scale.
  assert.deepEqual(Array.from(imageToRaster(img, { range: [2, 2] }).data), [128, 128, 128]);
});

Deno.test("imageToRaster() rejects bad sizes, factors and ranges", () => {
  assert.throws(
    () => imageToRaster({ width: 2, height: 2, data: [1, 2, 3] }, { range: [0, 1] }),
    /Cannot draw image of size "2x2": data has 3 values/,
  );
  assert.throws(
    () => imageToRaster({ width: 1, height: 1, data: [1] }, { range: [0, 1], scale: 1.5 }),
    /Cannot enlarge image by "1.5x1.5"/,
  );
  assert.throws(
    () => imageToRaster({ width: 1, height: 1, data: [1] }, { range: [1, 0] }),
    /Cannot map values with range "\[1, 0\]"/,
  );
});

Deno.test("valueExtent() ignores non-finite values", () => {
  assert.deepEqual(valueExtent([{ width: 3, height: 1, data: [Number.NaN, -2, 5] }]), [-2, 5]);
  assert.deepEqual(valueExtent([]), [0, 1]);
});

import assert from "node:assert/strict";
import { ExactDiskRenderer } from "../../lib/ml/disks.ts";
import { createRng } from "../../lib/ml/random.ts";
import { DEFAULT_GREY_DISKS, generateGreyDisks } from "./grey_disks.ts";

Deno.test("generateGreyDisks() draws g times the exact blurred disk of radius r", () => {
  const ds = generateGreyDisks(5, DEFAULT_GREY_DISKS, 64, 0.5, createRng(4));
  const exact = new ExactDiskRenderer({ size: 64, sigma: 0.5 });
  for (let i = 0; i < 5; i++) {
    const [r, g] = [ds.params[2 * i], ds.params[2 * i + 1]];
    assert(r >= 2 && r <= 31 && g >= 0.2 && g <= 1, `r ${r}, g ${g}`);
    const ref = exact.render(r);
    for (let k = 0; k < ref.length; k++) {
      assert(Math.abs(ds.images[i * 4096 + k] - ref[k] * g) < 1e-6);
    }
  }
});

Deno.test("generateGreyDisks() is deterministic and rejects an empty law", () => {
  const a = generateGreyDisks(3, DEFAULT_GREY_DISKS, 16, 0.5, createRng(1));
  const b = generateGreyDisks(3, DEFAULT_GREY_DISKS, 16, 0.5, createRng(1));
  assert.deepEqual(a.images, b.images);
  let threw = false;
  try {
    generateGreyDisks(
      1,
      { ...DEFAULT_GREY_DISKS, radiusMin: 5, radiusMax: 4 },
      16,
      0.5,
      createRng(1),
    );
  } catch (e) {
    threw = /Cannot sample grey disks/.test((e as Error).message);
  }
  assert(threw);
});

import assert from "node:assert/strict";
import {
  codeToPosition,
  dirac,
  diracSet,
  gridPositions,
  integerPositions,
  positionToCode,
  uniformPositions,
} from "./diracs.ts";

Deno.test("dirac() writes P Eq. 19's triangle: two samples summing to 1 between integers", () => {
  const y = dirac("triangular", 8, 2.25);
  assert.deepEqual(Array.from(y), [0, 0, 0.75, 0.25, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(dirac("triangular", 8, 7)), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(Array.from(dirac("triangular", 8, 0)), [1, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("dirac() gives S39's two-sample Dirac equal to the triangle at every integer t", () => {
  for (let i = 0; i <= 630; i++) {
    const a = (63 * i) / 630;
    assert.deepEqual(dirac("two-sample", 64, a), dirac("triangular", 64, a), `a = ${a}`);
  }
});

Deno.test("dirac() puts a single 1 for one-hot and rejects non-integer or outside positions", () => {
  assert.deepEqual(Array.from(dirac("onehot", 4, 3)), [0, 0, 0, 1]);
  assert.throws(() => dirac("onehot", 4, 1.5), RangeError);
  assert.throws(() => dirac("triangular", 4, 3.01), RangeError);
  assert.throws(() => dirac("triangular", 4, -0.1), RangeError);
});

Deno.test("positionToCode() and codeToPosition() are inverse for both scales", () => {
  for (const scale of ["samples", "unit"] as const) {
    for (const a of [0, 1.5, 31, 63]) {
      assert.ok(Math.abs(codeToPosition(positionToCode(a, 64, scale), 64, scale) - a) < 1e-12);
    }
  }
  assert.equal(positionToCode(63, 64, "unit"), 1);
  assert.equal(positionToCode(17.5, 64, "samples"), 17.5);
});

Deno.test("diracSet() lays signals row-major with their codes", () => {
  const s = diracSet("onehot", 4, integerPositions(4), "unit");
  assert.equal(s.count, 4);
  assert.deepEqual(Array.from(s.signals), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  assert.deepEqual(Array.from(s.codes), [0, 1 / 3, 2 / 3, 1].map(Math.fround));
});

Deno.test("gridPositions() and uniformPositions() cover their range", () => {
  assert.deepEqual(Array.from(gridPositions(3, 0, 63)), [0, 31.5, 63]);
  let s = 1;
  const rng = { next: () => (s = (s * 16807) % 2147483647) / 2147483647 };
  const u = uniformPositions(1000, 0, 63, rng);
  assert.ok(u.every((a) => a >= 0 && a <= 63));
  assert.ok(Math.min(...u) < 1 && Math.max(...u) > 62);
});

import assert from "node:assert/strict";
import { rk4 } from "./rk4.ts";

Deno.test("rk4() integrates y' = y to e with tiny error", () => {
  const tr = rk4(
    (_t, y, out) => {
      out[0] = y[0];
    },
    0,
    [1],
    1,
    1000,
  );
  assert.ok(Math.abs(tr.y[1000][0] - Math.E) < 1e-12);
  assert.equal(tr.t[1000], 1);
  assert.equal(tr.y.length, 1001);
});

Deno.test("rk4() has fourth-order global error on the harmonic oscillator", () => {
  const errorWith = (steps: number) => {
    const tr = rk4(
      (_t, y, out) => {
        out[0] = y[1];
        out[1] = -y[0];
      },
      0,
      [1, 0],
      5,
      steps,
    );
    return Math.abs(tr.y[steps][0] - Math.cos(5));
  };
  const e1 = errorWith(50), e2 = errorWith(100);
  // Halving h divides the error by 2⁴ = 16 (up to higher-order terms).
  assert.ok(e1 / e2 > 14 && e1 / e2 < 18, `ratio ${e1 / e2}`);
});

Deno.test("rk4() uses the time argument (non-autonomous equation)", () => {
  // y' = 2t, y(0) = 0 → y = t², integrated exactly by RK4 (Simpson's rule).
  const tr = rk4(
    (t, _y, out) => {
      out[0] = 2 * t;
    },
    0,
    [0],
    3,
    7,
  );
  assert.ok(Math.abs(tr.y[7][0] - 9) < 1e-12);
});

Deno.test("rk4() rejects a non-positive step count", () => {
  assert.throws(() => rk4(() => {}, 0, [0], 1, 0), RangeError);
});

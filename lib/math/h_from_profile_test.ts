import assert from "node:assert/strict";
import { hFromProfile } from "./h_from_profile.ts";

Deno.test("hFromProfile() integrates f = 1 to the disk area π r²", () => {
  const t = Array.from({ length: 33 }, (_, i) => i);
  const h = hFromProfile({ t, f: t.map(() => 1) }, [0, 0.5, 3, 10.25, 32, 40]);
  [0, 0.5, 3, 10.25, 32, 40].forEach((r, i) =>
    assert.ok(Math.abs(h[i] - Math.PI * r * r) < 1e-9 * (1 + r * r))
  );
});

Deno.test("hFromProfile() is exact for a linear profile, folded from a line through the centre", () => {
  // f(ρ) = 2 − ρ/16 sampled at ±0.5, ±1.5, ... (a centre between pixels): 2π∫₀ʳ fρ dρ =
  // 2π (r² − r³/24), with f held constant (= 2 − 0.5/16) on [0, 0.5].
  const t: number[] = [], f: number[] = [];
  for (let i = -31.5; i <= 31.5; i += 1) {
    t.push(i);
    f.push(2 - Math.abs(i) / 16);
  }
  const exact = (r: number) => {
    const c = 2 - 0.5 / 16, a = Math.min(r, 0.5);
    const inner = (c * a * a) / 2;
    const outer = r > 0.5 ? (r * r - 0.25) - (r ** 3 - 0.125) / 48 : 0;
    return 2 * Math.PI * (inner + outer);
  };
  const radii = [0.25, 0.5, 7, 12.3, 31.5];
  const h = hFromProfile({ t, f }, radii);
  radii.forEach((r, i) => assert.ok(Math.abs(h[i] - exact(r)) < 1e-9 * exact(r), `r = ${r}`));
});

Deno.test("hFromProfile() rejects a negative radius", () => {
  assert.throws(() => hFromProfile({ t: [0, 1], f: [1, 1] }, [-1]), RangeError);
});

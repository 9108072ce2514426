import assert from "node:assert/strict";
import { describeArchitecture } from "../../lib/ml/model.ts";
import {
  parameterCount,
  partSummary,
  progressiveDiagramSvg,
  stepsFromConfigs,
  sub,
} from "./arch_diagram.ts";
import { stepLossText } from "./arch_item.ts";
import { stepDecoderConfig, stepEncoderConfig } from "./train_stages.ts";

const enc = stepEncoderConfig([1, 8, 4, 4, 3, 2], 1);
const configs = [1, 2, 3].map((k) => ({
  encoders: Array.from({ length: k }, () => enc),
  decoder: stepDecoderConfig(k, [2, 3, 4, 4, 8, 1], "bce"),
  bnEpsilon: 1e-5,
}));

Deno.test("parameterCount() sums kernels and biases of P-Tab 1's encoder", () => {
  // 9·(1·8 + 8·4 + 4·4 + 4·3 + 3·2 + 2·1) + (8 + 4 + 4 + 3 + 2 + 1) = 9·76 + 22.
  assert.equal(parameterCount(enc), 9 * 76 + 22);
  assert.equal(parameterCount(enc), describeArchitecture(enc).reduce((s, r) => s + r.params, 0));
});

Deno.test("partSummary() describes the layers from the configuration", () => {
  const s = partSummary(enc);
  assert.match(
    s,
    /^6 × conv 3×3 \/2, depths 1→8→4→4→3→2→1, leaky ReLU 0.2 \(last layer linear\), biases, 706 parameters$/,
  );
  assert.match(
    partSummary(configs[2].decoder),
    /depths 3→2→3→4→4→8→1, leaky ReLU 0.2 \(last layer sigmoid\)/,
  );
});

Deno.test("progressiveDiagramSvg() draws k encoders per step, all but the newest frozen", () => {
  const steps = stepsFromConfigs(configs, (k) => stepLossText(k, "bce"));
  assert.deepEqual(steps.map((s) => s.frozen), [0, 1, 2]);
  const svg = progressiveDiagramSvg(steps, "title");
  assert.equal(svg.match(/>E₁</g)?.length, 3);
  assert.equal(svg.match(/>E₃</g)?.length, 1);
  assert.equal(svg.match(/>frozen</g)?.length, 3);
  assert.equal(svg.match(/>trained</g)?.length, 3);
  assert.match(svg, /z = \(z₁, z₂, z₃\)/);
  assert.match(svg, /D₃: 6 × convT 3×3 ×2, depths 3→2→3→4→4→8→1/);
});

Deno.test("stepLossText() writes S47's loss of step k", () => {
  assert.equal(stepLossText(1, "bce"), "L = BCE(x̂, x)");
  assert.equal(stepLossText(2, "mse"), "L = MSE(x̂, x)\n+ λ_cov · Cov(z₁, z₂)²");
  assert.equal(
    stepLossText(3, "bce"),
    "L = BCE(x̂, x)\n+ λ_cov · (1/2)·[Cov(z₁, z₃)² + Cov(z₂, z₃)²]",
  );
  assert.equal(sub(12), "₁₂");
});

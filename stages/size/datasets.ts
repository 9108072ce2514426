/**
 * The disk datasets every size experiment shares (P§4.1, P§4.4, App. A, App. C): one stage
 * each, so a dataset is generated once and every model trained on it reuses the cached entry.
 *
 * Training sets use the paper's Monte Carlo blur (800 samples, σ = 0.5, as the authors' code).
 * The test set uses the exact radial blur instead: it is what the Monte Carlo estimates, minus
 * the noise, so measured errors reflect the model and not the sampling of the test images.
 *
 * @module
 */
import { diskDatasetStage } from "../../lib/ml/train_stage.ts";
import { authorsCodeData, authorsCodeTestData } from "../../lib/ml/authors_code.ts";

/** P§4.1: 3000 disks, radius uniform on (0, 32). */
export const dataUniform = diskDatasetStage({
  id: "data-uniform",
  description: "3000 training disks, radius uniform on (0, 32), Monte Carlo blur (P§4.1, App. A)",
  sampler: { kind: "uniform", min: 0, max: 32 },
  seed: 1,
  code: authorsCodeData(32),
  module: import.meta.url,
});

/** P-Fig 5 and App. C: radii limited to r ≤ R = 18 (App. C's value; P-Fig 5 does not give R). */
export const dataLimited = diskDatasetStage({
  id: "data-limited",
  description: "3000 training disks, radius uniform on (0, 18] only (P-Fig 5, App. C: R = 18)",
  sampler: { kind: "uniform", min: 0, max: 18 },
  seed: 2,
  code: authorsCodeData(18),
  module: import.meta.url,
});

/** P-Fig 6: no radius in [11, 18]. */
export const dataHole = diskDatasetStage({
  id: "data-hole",
  description: "3000 training disks, radius uniform on (0, 32) without [11, 18] (P-Fig 6)",
  sampler: { kind: "hole", min: 0, max: 32, holeMin: 11, holeMax: 18 },
  seed: 3,
  code: authorsCodeData(32),
  module: import.meta.url,
});

/** The test grid: 300 radii from 0 to 32 (the authors' code), exact blur. */
export const dataTest = diskDatasetStage({
  id: "data-test",
  description: "test disks: 300 radii on a regular grid over [0, 32], exact blur",
  sampler: { kind: "grid", min: 0, max: 32 },
  count: 300,
  blur: "exact",
  seed: 4,
  code: authorsCodeTestData(),
  module: import.meta.url,
});

/** Every dataset stage. */
export const datasetStages = [dataUniform, dataLimited, dataHole, dataTest];

/**
 * The size experiments of P§4.1–4.3 and App. A–C: the shared disk datasets, the four
 * trainings, the item stages (`arch`, `data`, `ae-d1`, `latent`, `weights`, `nobias`,
 * `h-vs-z`, `airy`, `limited`, `limited-nobias`) and the measures they use.
 *
 * @module
 */

export * from "./ae_d1.ts";
export * from "./airy.ts";
export * from "./arch.ts";
export * from "./blur_agreement.ts";
export * from "./data.ts";
export * from "./datasets.ts";
export * from "./h_vs_z.ts";
export * from "./iou.ts";
export * from "./latent.ts";
export * from "./limited.ts";
export * from "./limited_nobias.ts";
export * from "./linear_fit.ts";
export * from "./monotonicity.ts";
export * from "./nobias.ts";
export * from "./profiles.ts";
export * from "./radius_estimate.ts";
export * from "./rank_one.ts";
export * from "./stage_util.ts";
export * from "./stages.ts";
export * from "./test_set.ts";
export * from "./training.ts";
export * from "./uniformity.ts";
export * from "./weights.ts";

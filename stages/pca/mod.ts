/**
 * The PCA-like autoencoder of the talk (S40–S51): ellipse and grey-disk datasets, the
 * progressive training with frozen encoders, batch normalisation and the covariance loss, the
 * code measurements, and the stages.
 *
 * @module
 */

export * from "./arch_diagram.ts";
export * from "./attributes.ts";
export * from "./ellipses.ts";
export * from "./grey_disks.ts";
export * from "./latent_eval.ts";
export * from "./latent_model.ts";
export * from "./latent_stats.ts";
export * from "./latent_train.ts";
export * from "./losses.ts";
export * from "./stages.ts";
export * from "./summary.ts";

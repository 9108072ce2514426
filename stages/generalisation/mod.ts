/**
 * Generalisation across a hole in the training radii: the `hole`, `reg` and `lambda` items
 * (P§4.4, P-Figs 6–8, S22–S26), their trainings and their measurements.
 *
 * @module
 */
export * from "./evaluate.ts";
export * from "./hole.ts";
export * from "./hole_interval.ts";
export * from "./lambda.ts";
export * from "./metrics.ts";
export * from "./models.ts";
export * from "./plots.ts";
export * from "./reg.ts";
export * from "./stages.ts";
export * from "./trainings.ts";

/**
 * The DCGAN baseline of App. D: the model (raw tfjs ops), its optimiser and training loop,
 * projection onto a 1-D generator's range, the item's metrics, figures and stages.
 *
 * @module
 */
export * from "./adam.ts";
export * from "./analysis.ts";
export * from "./dcgan_stage.ts";
export * from "./figures.ts";
export * from "./metrics.ts";
export * from "./model.ts";
export * from "./projection.ts";
export * from "./stages.ts";
export * from "./train.ts";
export * from "./train_stage.ts";
export * from "./weights.ts";

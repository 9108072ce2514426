/**
 * The registry: every stage of the project, in one list to read top to bottom. The engine
 * (`pipeline/`) gets this list from `stages/main.ts` and never imports `stages/` itself.
 *
 * @module
 */
import type { AnyStage } from "../pipeline/stage.ts";

/** Every stage, in the order `dag` lists them (dependencies need not come first). */
export const stages: AnyStage[] = [];

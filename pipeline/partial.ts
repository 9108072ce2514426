/**
 * `reproduce --partial`: runs a stage over those of its inputs whose stages are up to date now,
 * and runs nothing else. It is for a report of what a long profile has finished so far: a
 * profile run in parts on a borrowed GPU may never have every stage up to date at once.
 *
 * Only stages the entry module names (`Hooks.partial`) may run so: they must read the inputs
 * their context lists and no others. A narrowed stage declares fewer inputs, so its key (which
 * covers every input by name and content) differs from the whole stage's, and the two are
 * cached apart; with every input up to date the narrowed stage is the whole stage.
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import { type Graph, select, splitRef } from "./graph.ts";
import { listed } from "./key.ts";
import type { Layout } from "./layout.ts";
import type { Planner } from "./planner.ts";
import type { AnyStage, OutputRef } from "./stage.ts";
import { computeStatus } from "./status.ts";

/** A stage narrowed to its up-to-date inputs, and the upstream stages it goes without. */
export interface Narrowed {
  /** The stage with only the inputs whose stages are up to date. */
  readonly stage: AnyStage;
  /** Upstream stages left out (not up to date), in the stage's input order. */
  readonly leftOut: readonly string[];
}

/**
 * Narrows each target to the inputs whose stages are up to date under `planner`'s settings.
 * Partial stages upstream of a target are narrowed too and count as available to it, since
 * this run builds them: `--partial report` also draws the training curves it shows. Throws a
 * usage error for a target the entry does not allow, or a target with no input up to date.
 */
export function narrowTargets(
  layout: Layout,
  graph: Graph,
  planner: Planner,
  targets: readonly string[],
  allowed: readonly string[],
): Map<string, Narrowed> {
  if (allowed.length === 0) {
    throw new UsageError(
      "Cannot use --partial: no stage of this project runs on part of its inputs",
    );
  }
  const requested = targets.length ? targets : allowed;
  for (const id of requested) {
    if (!allowed.includes(id)) {
      throw new UsageError(
        `Cannot run "${id}" with --partial: only ${
          allowed.map((a) => `"${a}"`).join(", ").replace(/, ([^,]*)$/, " and $1")
        } can run on the inputs that are up to date; drop --partial to run "${id}" whole`,
      );
    }
  }
  const chosen = new Set(
    select(graph, requested).map((s) => s.id).filter((id) => allowed.includes(id)),
  );
  // The status of every stage upstream of them, once (a key needs its inputs' entries, so
  // this walks each chain to its start anyway).
  const upstream = [...new Set([...chosen].flatMap((id) => graph.deps.get(id) ?? []))];
  const upToDate = new Set(
    upstream.length === 0 ? [] : computeStatus(layout, graph, planner, upstream)
      .filter((r) => r.state === "up-to-date")
      .map((r) => r.id),
  );
  const out = new Map<string, Narrowed>();
  // Topological order, so that an upstream partial stage is settled before its users.
  for (const stage of graph.order) {
    const id = stage.id;
    if (!chosen.has(id)) continue;
    const ups = graph.deps.get(id) ?? [];
    const fresh = (u: string) => upToDate.has(u) || out.has(u);
    const inputs: Record<string, OutputRef> = {};
    for (const [name, ref] of Object.entries(stage.inputs)) {
      if (fresh(splitRef(ref)[0])) inputs[name] = ref;
    }
    if (Object.keys(inputs).length === 0 && Object.keys(stage.inputs).length > 0) {
      // A stage pulled in only for a target's sake is left out; a target is an error.
      if (!requested.includes(id)) continue;
      throw new UsageError(
        `Cannot run "${id}" with --partial: none of its inputs is up to date in profile ` +
          `${planner.settings.profile}; run \`reproduce\` for some of ${listed(ups)} first`,
      );
    }
    out.set(id, { stage: { ...stage, inputs }, leftOut: ups.filter((u) => !fresh(u)) });
  }
  return out;
}

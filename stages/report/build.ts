/**
 * Assembles the report from the stage entries and the paper catalogue: one item per catalogue
 * entry (with its checks, figures and provenance, or "not yet reproduced"), checks of items the
 * catalogue does not know in an extra section, and the verdict counts. Pure: no I/O, no clock.
 *
 * @module
 */

import {
  CATALOGUE,
  type CatalogueItem,
  SECTION_ORDER,
  SECTION_TITLES,
  UNREPRODUCIBLE,
  type UnreproducibleItem,
} from "../../paper/catalogue.ts";
import type {
  FigureRef,
  FigureSection,
  ItemStatus,
  Provenance,
  Report,
  ReportCheck,
  ReportItem,
  ReportSection,
  StageEntry,
  TableRef,
} from "./model.ts";
import { isNotAvailable } from "../../lib/common/not_available.ts";

/** Options of `buildReport`. */
export interface BuildOptions {
  /** Profile of the report's own run; stages without a manifest are taken to share it. */
  readonly profile: string;
  /** The catalogue to lay out (default: the paper catalogue). */
  readonly catalogue?: readonly CatalogueItem[];
  /** Items out of reach (default: the paper catalogue's). */
  readonly unreproducible?: readonly UnreproducibleItem[];
  /** The training-curves stage's entry, shown as the "Training" section (none: no section). */
  readonly training?: StageEntry;
  /** Stages left out for want of an up-to-date result (`reproduce --partial`). */
  readonly leftOut?: readonly string[];
}

/** The paper, as named in the title. */
export const PAPER_TITLE = "Processing Simple Geometric Attributes with Autoencoders";

/** The quick-profile caveat attached to each failing check measured on that profile. */
export const QUICK_CAVEAT = "quick profile: fewer steps and smaller sets than the paper; " +
  "a failure here may not hold in the paper profile";

/** What the "Training" section says it shows. */
export const TRAINING_INTRO = "Loss against update of every trained model, and the first and " +
  "final logged losses: whether each model converged. Nothing here is a claim of the paper, " +
  "so nothing is checked.";

/** The title's note of a partial report. */
export const PARTIAL_TITLE = "partial";

/** Why a left-out stage's results are missing from an item (`role`: its own stage or a helper). */
export function leftOutNote(stage: string, profile: string, role: "own" | "helper"): string {
  return role === "own"
    ? `stage "${stage}" has no up-to-date result in the ${profile} profile yet, so this ` +
      `partial report leaves the item out`
    : `helper stage "${stage}" has no up-to-date result in the ${profile} profile yet, so ` +
      `its checks and figures are missing from this partial report`;
}

/** The partial report's banner, with `code` to format each stage id (plain text otherwise). */
export function partialBanner(
  report: Report,
  code: (id: string) => string = (id) => id,
): string | null {
  const ids = report.leftOut ?? [];
  if (ids.length === 0) return null;
  return `This report was made by \`reproduce --partial\` from the stages that were up to date ` +
    `in the ${report.profile} profile. ${ids.length} stage${ids.length === 1 ? "" : "s"} ` +
    `had no up-to-date result and ${ids.length === 1 ? "is" : "are"} left out: ` +
    `${ids.map(code).join(", ")}. Their items read “not yet reproduced”, and the items they ` +
    `help lack their checks.`;
}

/** The "Training" section of a stage entry. */
export function trainingSection(entry: StageEntry): FigureSection {
  return {
    id: "training",
    title: "Training",
    intro: TRAINING_INTRO,
    figures: entry.figures,
    tables: entry.tables,
    provenance: entry.provenance,
    errors: entry.errors,
  };
}

/** Builds the report from the collected stage entries. */
export function buildReport(entries: readonly StageEntry[], options: BuildOptions): Report {
  const catalogue = options.catalogue ?? CATALOGUE;
  const unreproducible = options.unreproducible ?? UNREPRODUCIBLE;
  const known = new Set(catalogue.map((c) => c.id));
  const ownStages = new Set(catalogue.map((c) => c.stage));
  const leftOut = new Set(options.leftOut ?? []);

  // Every check, tagged with its stage and profile, grouped by the item it belongs to.
  const byItem = new Map<string, { entry: StageEntry; check: ReportCheck }[]>();
  for (const entry of entries) {
    const quick = (entry.provenance.profile ?? options.profile) === "quick";
    for (const c of entry.checks) {
      const list = byItem.get(c.item) ?? [];
      list.push({ entry, check: { ...c, stage: entry.id, quick } });
      byItem.set(c.item, list);
    }
  }

  const makeItem = (
    id: string,
    catalogueItem: CatalogueItem | undefined,
    own: StageEntry | undefined,
  ): ReportItem => {
    const contributions = byItem.get(id) ?? [];
    const stages: StageEntry[] = own ? [own] : [];
    for (const { entry } of contributions) if (!stages.includes(entry)) stages.push(entry);
    // Figures come from the item's own stage, and from helper stages (those that are no
    // catalogue item's own stage), so that no figure is shown under two items.
    const figureStages = stages.filter((s) => s === own || !ownStages.has(s.id));
    const figures: FigureRef[] = figureStages.flatMap((s) => s.figures);
    const tables: TableRef[] = figureStages.flatMap((s) => s.tables);
    const provenance: Provenance[] = stages.map((s) => s.provenance);
    const checks = contributions.map((c) => c.check);
    const errors = stages.flatMap((s) => s.errors);
    const notes = stages.flatMap((s) => s.notes);
    if (catalogueItem && leftOut.has(catalogueItem.stage)) {
      notes.push(leftOutNote(catalogueItem.stage, options.profile, "own"));
    }
    for (const h of catalogueItem?.helpers ?? []) {
      if (leftOut.has(h)) notes.push(leftOutNote(h, options.profile, "helper"));
    }
    // An item whose measures are not available has no figure to expect.
    const unavailable = checks.length > 0 && checks.every(isNotAvailable);
    if (
      own && catalogueItem && own.figures.length === 0 && catalogueItem.figures.length > 0 &&
      !unavailable
    ) {
      notes.push(
        `stage "${own.id}" produced no figure (expected ${catalogueItem.figures.join(", ")})`,
      );
    }
    return {
      id,
      ...(catalogueItem ? { catalogue: catalogueItem } : {}),
      status: itemStatus(stages.length > 0, checks, errors),
      checks,
      figures,
      tables,
      provenance,
      errors,
      notes,
    };
  };

  const sections: ReportSection[] = SECTION_ORDER.map((section) => ({
    id: section,
    title: SECTION_TITLES[section],
    items: catalogue
      .filter((c) => c.section === section)
      .map((c) => makeItem(c.id, c, entries.find((e) => e.id === c.stage))),
  }));

  // Checks of items the catalogue does not know, and helper stages with something to show.
  const otherIds = [...byItem.keys()].filter((id) => !known.has(id));
  const others = otherIds.map((id) => makeItem(id, undefined, undefined));
  for (const entry of entries) {
    const contributed = entry.checks.length > 0;
    const shown = ownStages.has(entry.id) || otherIds.includes(entry.id) || contributed;
    if (!shown && (entry.figures.length > 0 || entry.errors.length > 0)) {
      others.push(makeItem(entry.id, undefined, entry));
    }
  }
  if (others.length > 0) {
    sections.push({ id: "other", title: "Other checks and stages", items: others });
  }

  const counts: Record<ItemStatus, number> = {
    pass: 0,
    fail: 0,
    reported: 0,
    missing: 0,
    error: 0,
    unavailable: 0,
  };
  for (const section of sections) for (const it of section.items) counts[it.status]++;

  const provenances = entries.map((e) => e.provenance);
  const quick = options.profile === "quick" || provenances.some((p) => p.profile === "quick");
  const finishedTimes = provenances
    .map((p) => p.finished)
    .filter((f): f is string => f !== undefined && Number.isFinite(Date.parse(f)));
  finishedTimes.sort((a, b) => Date.parse(a) - Date.parse(b));
  const backends = [
    ...new Set(
      provenances
        // "none": a stage that computes nothing on a backend (its key holds none).
        .filter((p) => p.backend !== undefined && p.backend !== "none")
        .map((p) => (p.adapter ? `${p.backend} (${p.adapter})` : p.backend as string)),
    ),
  ].sort();

  const titleNotes = [
    ...(quick ? ["quick profile"] : []),
    ...(leftOut.size ? [PARTIAL_TITLE] : []),
  ];
  return {
    title: `Reproduction report: ${PAPER_TITLE}` +
      (titleNotes.length ? ` (${titleNotes.join(", ")})` : ""),
    profile: options.profile,
    quick,
    ...(finishedTimes.length > 0 ? { finished: finishedTimes[finishedTimes.length - 1] } : {}),
    backends,
    counts,
    sections,
    ...(options.training ? { training: trainingSection(options.training) } : {}),
    unreproducible,
    ...(leftOut.size ? { leftOut: [...leftOut] } : {}),
  };
}

/**
 * The verdict of an item: `missing` without any stage; `fail` when a check fails; `error`
 * when a stage could not be read properly; `pass` when every check with a bar passes;
 * `unavailable` when every check says what it measures is not here; `reported` when there is
 * nothing to pass or fail (report-only checks, or figures only).
 */
export function itemStatus(
  hasStage: boolean,
  checks: readonly ReportCheck[],
  errors: readonly string[],
): ItemStatus {
  if (!hasStage) return "missing";
  if (checks.some((c) => c.pass === false)) return "fail";
  if (errors.length > 0) return "error";
  if (checks.some((c) => c.pass === true)) return "pass";
  if (checks.length > 0 && checks.every(isNotAvailable)) return "unavailable";
  return "reported";
}

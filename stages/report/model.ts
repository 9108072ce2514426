/**
 * The data model of the reproduction report: what the collector reads from the cache, what
 * `buildReport` assembles, and what the renderers turn into HTML and Markdown. Everything here
 * is plain JSON (figure bytes travel separately), so a `Report` is also written as `report.json`.
 *
 * @module
 */

import type { CatalogueItem, Section, UnreproducibleItem } from "../../paper/catalogue.ts";
import type { Check } from "../../lib/common/checks.ts";
import type { Json } from "../../pipeline/stage.ts";

/**
 * Verdict of one catalogue item. `unavailable`: its stage ran but what it measures is not here
 * (every check is a `notAvailableCheck`, e.g. the authors' weights file is absent).
 */
export type ItemStatus = "pass" | "fail" | "reported" | "missing" | "error" | "unavailable";

/** A figure file found in a stage's cache entry. */
export interface FigureRef {
  /** Stage that wrote it. */
  readonly stage: string;
  /** File name inside the stage's cache entry, e.g. `figure.png`. */
  readonly file: string;
  /** Name of the copy beside the report: `<stage>--<file>`. */
  readonly name: string;
  /** Media type, which decides how it is embedded. */
  readonly mime: "image/png" | "image/svg+xml";
  /** Pixel width, when the file says. */
  readonly width?: number;
  /** Pixel height, when the file says. */
  readonly height?: number;
}

/** A Markdown table file found in a stage's cache entry. */
export interface TableRef {
  /** Stage that wrote it. */
  readonly stage: string;
  /** File name inside the stage's cache entry, e.g. `table.md`. */
  readonly file: string;
  /** Name of the copy beside the report: `<stage>--<file>`. */
  readonly name: string;
  /** The Markdown text. */
  readonly markdown: string;
}

/** Where a stage's results come from, read from the cache manifest (every field optional). */
export interface Provenance {
  /** Stage id. */
  readonly stage: string;
  /** Whether a manifest was found at all. */
  readonly manifest: boolean;
  /** Cache key (a hash). */
  readonly key?: string;
  /** Profile the stage ran under (`paper` or `quick`). */
  readonly profile?: string;
  /** Compute backend (`cpu`, `webgpu`, `tensorflow`). */
  readonly backend?: string;
  /** GPU adapter description, when there was one. */
  readonly adapter?: string;
  /** Seeds of the stage's generators, by name. */
  readonly seeds?: Readonly<Record<string, number>>;
  /** Parameters the stage ran with. */
  readonly params?: Readonly<Record<string, Json>>;
  /** Start time (ISO 8601). */
  readonly started?: string;
  /** End time (ISO 8601). */
  readonly finished?: string;
  /** Run time in milliseconds. */
  readonly durationMs?: number;
  /** Deno version. */
  readonly deno?: string;
}

/** Everything the report knows about one stage it was given. */
export interface StageEntry {
  /** Stage id. */
  readonly id: string;
  /** The stage's checks (empty when missing or unreadable; see `errors`). */
  readonly checks: readonly Check[];
  /** Figures beside the checks, in display order. */
  readonly figures: readonly FigureRef[];
  /** Markdown tables beside the checks. */
  readonly tables: readonly TableRef[];
  /** Provenance from the manifest. */
  readonly provenance: Provenance;
  /** What could not be read, in words (an empty list when all went well). */
  readonly errors: readonly string[];
  /** Remarks that do not put the results in doubt (e.g. a verdict recomputed). */
  readonly notes: readonly string[];
}

/** A check as shown in the report: the stage's record plus where it came from. */
export interface ReportCheck extends Check {
  /** Stage that wrote the check. */
  readonly stage: string;
  /** True when it was measured on the `quick` profile. */
  readonly quick: boolean;
}

/** One item of the report: the catalogue's words and what our run measured. */
export interface ReportItem {
  /** Item id (a catalogue id, or the `item` of a check the catalogue does not know). */
  readonly id: string;
  /** The catalogue entry; absent for checks of unknown items. */
  readonly catalogue?: CatalogueItem;
  /** The verdict. */
  readonly status: ItemStatus;
  /** The checks measured for the item. */
  readonly checks: readonly ReportCheck[];
  /** Figures of the stages behind the item. */
  readonly figures: readonly FigureRef[];
  /** Tables of the stages behind the item. */
  readonly tables: readonly TableRef[];
  /** Provenance of the stages behind the item. */
  readonly provenance: readonly Provenance[];
  /** Problems met while reading the item's stages (they make the verdict `error`). */
  readonly errors: readonly string[];
  /** Remarks, such as a missing figure or a recomputed verdict. */
  readonly notes: readonly string[];
}

/** A section of the report. */
export interface ReportSection {
  /** Section id; `other` holds checks of items the catalogue does not know. */
  readonly id: Section | "other";
  /** Heading. */
  readonly title: string;
  /** Items, in catalogue order. */
  readonly items: readonly ReportItem[];
}

/**
 * A section of figures and tables that test no claim of the paper (the training curves): shown
 * after the catalogue's sections, outside the summary and the verdict counts.
 */
export interface FigureSection {
  /** Section id (the HTML anchor is `section-<id>`). */
  readonly id: string;
  /** Heading. */
  readonly title: string;
  /** One paragraph: what the section shows and why. */
  readonly intro: string;
  /** The stage's figures. */
  readonly figures: readonly FigureRef[];
  /** The stage's Markdown tables. */
  readonly tables: readonly TableRef[];
  /** Provenance of the stage. */
  readonly provenance: Provenance;
  /** What could not be read. */
  readonly errors: readonly string[];
}

/** One item decided in both a quick run and a paper-scale run (`paper_scale.ts`). */
export interface ScaleRow {
  readonly item: string;
  readonly quick: "pass" | "fail";
  readonly paperScale: "pass" | "fail";
  /** Why they differ, when they do and a reason is recorded. */
  readonly why?: string;
}

/** The comparison shown in a quick run's report. */
export interface ScaleComparison {
  /** The reference's path, relative to the project. */
  readonly run: string;
  /** When the reference's results finished, as it says. */
  readonly finished?: string;
  /** Items decided (pass or fail) in both, in the report's order. */
  readonly rows: readonly ScaleRow[];
  /** Items decided here that the reference leaves undecided (not reproduced, reported). */
  readonly unknown: readonly string[];
}

/** The whole report, as rendered and as written to `report.json`. */
export interface Report {
  /** Title, which names the quick profile when it was used. */
  readonly title: string;
  /** The profile of the report stage's run. */
  readonly profile: string;
  /** True when any result comes from the `quick` profile. */
  readonly quick: boolean;
  /** The latest `finished` time among the stages (the report has no clock of its own). */
  readonly finished?: string;
  /** Backends and adapters met among the stages that compute on one. */
  readonly backends: readonly string[];
  /** Number of items per verdict. */
  readonly counts: Readonly<Record<ItemStatus, number>>;
  /** The sections, in order. */
  readonly sections: readonly ReportSection[];
  /** The training curves of every trained model, when the report was given them. */
  readonly training?: FigureSection;
  /** Items out of reach here, with reasons. */
  readonly unreproducible: readonly UnreproducibleItem[];
  /** A quick run's verdicts against a published paper-scale run's (`paper_scale.ts`). */
  readonly againstPaperScale?: ScaleComparison;
  /**
   * Stages the report goes without because they had no up-to-date result in its profile
   * (`reproduce --partial`); absent from a whole report.
   */
  readonly leftOut?: readonly string[];
}

/** The profile as the report's header names it, saying what `code` and `quick` mean. */
export function profileText(report: Pick<Report, "profile" | "quick">): string {
  if (report.profile === "code") {
    return "code (the authors' released code's settings for the disk data sets and the disk " +
      "autoencoder's trainings, each with the line that sets it: `deno task dag`; every other " +
      "stage keeps the paper's)";
  }
  return report.quick ? `${report.profile} (results from the quick profile)` : report.profile;
}

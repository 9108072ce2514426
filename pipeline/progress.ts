/**
 * Shows what is running. On a terminal: one live line per running stage (step, values, ETA),
 * redrawn in place. Without a terminal (CI): plain timestamped lines, at most one per stage
 * every few seconds plus every start and end.
 *
 * @module
 */
import type { Progress } from "./stage.ts";

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m${String(Math.floor(s) % 60).padStart(2, "0")}s`;
  return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
}

interface Line {
  id: string;
  started: number;
  firstStep?: { step: number; at: number };
  text: string;
  lastPrinted: number;
}

/** Where progress goes. */
export class ProgressBoard {
  readonly #live: boolean;
  readonly #write: (s: string) => void;
  readonly #lines = new Map<string, Line>();
  #drawn = 0;

  /** `live`: redraw lines in place (a terminal); otherwise print timestamped lines. */
  constructor(live: boolean, write?: (s: string) => void) {
    this.#live = live;
    this.#write = write ?? ((s) => Deno.stderr.writeSync(new TextEncoder().encode(s)));
  }

  /** A stage started. */
  start(id: string, note = ""): void {
    this.#lines.set(id, {
      id,
      started: performance.now(),
      text: `${id}: starting`,
      lastPrinted: 0,
    });
    this.message(`▶ ${id}${note ? ` (${note})` : ""}`);
  }

  /** A stage reported progress. */
  update(id: string, p: Progress): void {
    const line = this.#lines.get(id);
    if (!line) return;
    const now = performance.now();
    if (!line.firstStep || p.step < line.firstStep.step) line.firstStep = { step: p.step, at: now };
    let eta = "";
    if (p.total && p.step > line.firstStep.step) {
      const rate = (p.step - line.firstStep.step) / ((now - line.firstStep.at) / 1000);
      eta = ` ETA ${formatDuration((p.total - p.step) / rate)}`;
    }
    const vals = Object.entries(p.values ?? {})
      .map(([k, v]) =>
        `${k} ${
          Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
            ? v.toExponential(3)
            : v.toPrecision(4)
        }`
      )
      .join(" ");
    const pct = p.total ? ` ${(100 * p.step / p.total).toFixed(0)}%` : "";
    line.text =
      `${id}: ${p.phase ? p.phase + " " : ""}step ${p.step}${p.total ? "/" + p.total : ""}` +
      `${pct}${vals ? " " + vals : ""}${eta} (${formatDuration((now - line.started) / 1000)})`;
    if (this.#live) this.#redraw();
    else if (now - line.lastPrinted > 10_000 || p.step === p.total) {
      line.lastPrinted = now;
      this.#plain(line.text);
    }
  }

  /** A stage ended. */
  end(id: string, text: string): void {
    this.#lines.delete(id);
    this.message(text);
  }

  /** A line that stays (above the live lines). */
  message(text: string): void {
    if (this.#live) {
      this.#clear();
      this.#write(text + "\n");
      this.#redraw();
    } else this.#plain(text);
  }

  /** Removes the live lines (before exiting). */
  close(): void {
    if (this.#live) this.#clear();
  }

  #plain(text: string): void {
    this.#write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
  }

  #clear(): void {
    if (this.#drawn) this.#write(`\x1b[${this.#drawn}A\x1b[J`);
    this.#drawn = 0;
  }

  #redraw(): void {
    this.#clear();
    const cols = Deno.stderr.isTerminal() ? Deno.consoleSize().columns : 120;
    const lines = [...this.#lines.values()].map((l) => l.text.slice(0, cols - 1));
    if (lines.length) this.#write(lines.join("\n") + "\n");
    this.#drawn = lines.length;
  }
}

/**
 * A benchmark process asked for one timed block at a time: the `--serve` mode of the PyTorch
 * reference (`bench_torch.ts`) and of the bench itself (`bench_scaling.ts`, one process per
 * thread count).
 *
 * Why: on a shared machine what else runs changes from second to second. Two programs compared
 * one whole run after the other see different machines; two that stay warm and take turns, a
 * block of one then a block of the other, each idle while the other runs, see nearly the same.
 * The protocol: after its warm-up the process prints one JSON line (its settings), then for
 * each line `K` it reads on stdin it times K steps (or blocks) and prints one JSON line; it ends
 * at the end of stdin.
 *
 * @module
 */

/** Splits a byte stream into lines (without their "\n"). */
export async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, nl);
      pending = pending.slice(nl + 1);
    }
  }
  pending += decoder.decode();
  if (pending !== "") yield pending;
}

/** A process in `--serve` mode (see the module doc), started at once. */
export class ServedProcess {
  readonly #what: string;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #stdout: AsyncGenerator<string>;
  readonly #stderr: Promise<string>;

  /**
   * `what` names it in errors ("the torch reference"); `command` and `args` start it, pinned to
   * `cores` (taskset's list, "0" or "0-1") where given.
   */
  constructor(what: string, command: string, args: string[], cores?: string) {
    this.#what = what;
    const [cmd, cmdArgs] = cores === undefined
      ? [command, args]
      : ["taskset", ["-c", cores, command, ...args]];
    this.#child = new Deno.Command(cmd, {
      args: cmdArgs,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#stdout = lines(this.#child.stdout);
    this.#stderr = new Response(this.#child.stderr).text();
  }

  /** The next line it prints, parsed; throws with the end of its stderr when it ended instead. */
  async next<T>(): Promise<T> {
    const r = await this.#stdout.next();
    if (r.done) {
      const status = await this.#child.status;
      const err = (await this.#stderr).trim().split("\n").slice(-5).join("\n");
      throw new Error(`Cannot run ${this.#what}: exit code ${status.code}:\n${err}`);
    }
    try {
      return JSON.parse(r.value) as T;
    } catch {
      throw new Error(`Cannot run ${this.#what}: it printed ${JSON.stringify(r.value)}, not JSON`);
    }
  }

  /** Asks for `k` (steps or blocks, as the process counts them) and returns its answer. */
  async block<T>(k: number): Promise<T> {
    await this.#stdin.write(new TextEncoder().encode(`${k}\n`));
    return await this.next<T>();
  }

  /** Closes its stdin, which ends it, and waits (reading what is left, which frees the pipes). */
  async close(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    for await (const _ of this.#stdout) {
      // nothing more is asked of it
    }
    await this.#child.status;
    await this.#stderr;
  }

  /** Ends it now (after an error). */
  async kill(): Promise<void> {
    try {
      this.#child.kill();
    } catch {
      // already ended
    }
    await this.close();
  }
}

/**
 * Reads the lines of stdin as the counts a served process is asked for, calling `serve(k)` for
 * each and printing its answer as one JSON line, until stdin ends. A line that is not a
 * positive integer ends it with an error.
 */
export async function serveBlocks(serve: (k: number) => Promise<unknown>): Promise<void> {
  const out = new TextEncoder();
  for await (const line of lines(Deno.stdin.readable)) {
    const k = Number(line.trim());
    if (!Number.isInteger(k) || k < 1) {
      throw new Error(`Cannot serve "${line}": expected a positive integer of blocks per line`);
    }
    const answer = await serve(k);
    await Deno.stdout.write(out.encode(JSON.stringify(answer) + "\n"));
  }
}

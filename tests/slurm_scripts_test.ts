/**
 * The Slurm scripts, without Slurm: their syntax, and what `submit.sh` queues (an `sbatch` on
 * PATH that records its arguments stands in for the real one).
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";

const REPO = new URL("..", import.meta.url).pathname;
const SLURM = join(REPO, "scripts", "slurm");
/** Three trainings, one per shard. */
const TARGETS = ["limited", "nobias", "limited-nobias"];

async function bash(args: string[], env: Record<string, string> = {}) {
  const r = await new Deno.Command("bash", { args, cwd: REPO, env, stdin: "null" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: r.code, out: text(r.stdout), err: text(r.stderr) };
}

Deno.test("the Slurm scripts parse, and the shard script is a job array", async () => {
  for (const f of ["paper_shards.sbatch", "merge_shards.sbatch", "submit.sh"]) {
    const r = await bash(["-n", join(SLURM, f)]);
    assert.equal(r.code, 0, `${f}: ${r.err}`);
  }
  const shard = Deno.readTextFileSync(join(SLURM, "paper_shards.sbatch"));
  assert.match(shard, /^#SBATCH --array=1-\d+$/m);
  assert.match(shard, /--shard "\$I\/\$SHARDS"/);
});

Deno.test("submit.sh checks the command line, then queues the array and the merge after it", async () => {
  const bin = Deno.makeTempDirSync({ prefix: "fake-sbatch-" });
  const calls = join(bin, "calls.txt");
  Deno.writeTextFileSync(
    join(bin, "sbatch"),
    `#!/bin/bash\necho "$*" >> "${calls}"\necho 4242\n`,
    { mode: 0o755 },
  );
  const PATH = `${bin}:${dirname(Deno.execPath())}:${Deno.env.get("PATH")}`;
  const ok = await bash([join(SLURM, "submit.sh"), "3", "quick", "cpu", ...TARGETS], { PATH });
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^\* shard 1\/3 /m);
  assert.match(ok.out, /queued shards as job 4242 \(array 1-3\) and the merge as job 4242/);
  const [array, merge] = Deno.readTextFileSync(calls).trim().split("\n");
  assert.match(
    array,
    /^--parsable --array=1-3 --export=ALL,SHARDS=3,PROFILE=quick,BACKEND=cpu .*paper_shards\.sbatch limited nobias limited-nobias$/,
  );
  assert.match(
    merge,
    /^--parsable --dependency=afterok:4242 --export=ALL,SHARDS=3,.*merge_shards\.sbatch limited nobias limited-nobias$/,
  );
  // Bad input is refused before anything is queued.
  Deno.removeSync(calls);
  for (const args of [["0"], ["x"], ["4", "quick", "cpu", ...TARGETS]]) {
    const bad = await bash([join(SLURM, "submit.sh"), ...args], { PATH });
    assert.equal(bad.code, 2, `${args.join(" ")}: ${bad.err}`);
  }
  assert.throws(() => Deno.statSync(calls));
});

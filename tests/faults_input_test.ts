/**
 * Bad input for every command, as a tester would try it: out-of-range and oddly written numbers,
 * empty values, options a command does not take, paths that do not exist, are directories, have
 * spaces or lead outside, and archives that are partial, forged or from a newer version. Each
 * must end with exit code 2 and one line naming the thing and the fix, and leave `data/` exactly
 * as it was (a hash of the tree before and after).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { packTarGz, unpackTarGz } from "../pipeline/tar.ts";
import { type Run, TASK_PERMISSIONS, toy } from "./cli_util.ts";
import { assertUsage, built, dataHash, entryDir, fresh, Q } from "./faults_util.ts";

const REPO = new URL("..", import.meta.url).pathname;

/** Runs `cases` a few at a time (they only read the project) and checks each. */
async function expectUsage(
  run: (args: string[]) => Promise<Run>,
  cases: Array<[string[], RegExp]>,
): Promise<void> {
  for (let i = 0; i < cases.length; i += 4) {
    await Promise.all(
      cases.slice(i, i + 4).map(async ([args, re]) => {
        assertUsage(await run(args), re, JSON.stringify(args));
      }),
    );
  }
}

/** A project with `computed` and its inputs built, and an archive of them outside it. */
async function setUp(): Promise<{ dir: string; outside: string; archive: string }> {
  const dir = await built("computed");
  const outside = fresh();
  const archive = join(outside, "good.tar.gz");
  const ex = await toy(dir, ["export", archive, "computed", ...Q]);
  assert.equal(ex.code, 0, ex.err);
  return { dir, outside, archive };
}

Deno.test("reproduce, status, dag, verify, gc: every bad input is exit 2, one line, data/ untouched", async () => {
  const { dir } = await setUp();
  const before = dataHash(dir);
  const jobs = ["0", "65", "1e1", "0x10", "", " 4", "NaN", "Infinity", "=-1", "2.5"];
  const numbers: Array<[string, RegExp]> = [
    ["0x10", /"0x10" is not a finite number; write a decimal such as 16/],
    ["", /"" is not a finite number/],
    ["NaN", /"NaN" is not a finite number/],
    ["Infinity", /"Infinity" is not a finite number/],
    ["-Infinity", /is not a finite number/],
    ["1e400", /"1e400" is not a finite number/],
    ["abc", /"abc" is not a finite number/],
    ["0", /must be at least 1/],
    ["1e9", /must be at most 5000 \(1000 times its largest declared value\)/],
    ["2.5", /an integer is required/],
    ["0b11", /is not a finite number/],
  ];
  await expectUsage((a) => toy(dir, a), [
    [["reproduce", "sourc"], /no such stage \(did you mean "source"\?\)/],
    [
      ["reproduce", "--jobs", "-1"],
      /Cannot read the value of --jobs: it starts with "-"; write --jobs=VALUE/,
    ],
    [["reproduce", ""], /no such stage/],
    ...jobs.map((j): [string[], RegExp] => [
      ["reproduce", ...(j.startsWith("=") ? [`--jobs${j}`] : ["--jobs", j]), ...Q],
      /Cannot use --jobs .*: expected auto or an integer from 1 to 64/,
    ]),
    ...numbers.map(([v, re]): [string[], RegExp] => [
      ["reproduce", "source", "--set", `source.n=${v}`, ...Q],
      re,
    ]),
    [["reproduce", "--set", "source.scale=-1", ...Q], /must be at least 0 \(its declared values/],
    [["reproduce", "--set", "source.scale=1e4", ...Q], /must be at most 1000/],
    [["reproduce", "--set", "slow.ms=5 s", ...Q], /"5 s" is not a finite number/],
    [
      ["reproduce", "--set", "source.n=4", "--set", "source.n=5", ...Q],
      /Cannot set "source\.n" twice/,
    ],
    [["reproduce", "--set", "=3"], /expected --set stage\.param=value/],
    [["reproduce", "--profile", ""], /Unknown profile ""; use paper, quick, code/],
    [["reproduce", "--backend", ""], /Unknown backend ""/],
    [["reproduce", "--backend", "absent-lib", "--profile", "quick"], /package is not installed/],
    [["reproduce", "--root", join(dir, "no such dir")], /--root .*: no such directory/],
    [["reproduce", "--root", join(dir, "data", "runs.log")], /--root .*: not a directory/],
    [["reproduce", "--mermaid"], /Cannot use --mermaid with reproduce: it applies to dag only/],
    [["reproduce", "--foreign-locks"], /--foreign-locks with reproduce: it applies to gc only/],
    [["status", "nope", ...Q], /no such stage/],
    [
      ["status", "--jobs", "2", ...Q],
      /Cannot use --jobs with status: it applies to reproduce only/,
    ],
    [["status", "--force"], /Cannot use --force with status/],
    [["status", "--set", "source.n=0x10", ...Q], /is not a finite number/],
    [["dag", "source"], /Cannot run dag on "source": it takes no targets/],
    [["dag", "--force"], /Cannot use --force with dag/],
    [["dag", "--set", "source.n=3"], /Cannot use --set with dag/],
    [["verify", "nope", ...Q], /no such stage/],
    [["verify", "--jobs", "2", ...Q], /Cannot use --jobs with verify/],
    [["verify", "--backend", "absent-lib", "--profile", "quick"], /package is not installed/],
    [["gc", "source", ...Q], /Cannot run gc on "source": it takes no targets/],
    [["gc", "--force", ...Q], /Cannot use --force with gc/],
    [["gc", "--set", "source.n=-1", ...Q], /must be at least 1/],
    [["frobnicate"], /Unknown command "frobnicate"/],
    [["reproduce", "--bogus"], /Unknown option "--bogus"/],
  ]);
  assert.equal(dataHash(dir), before);
});

Deno.test("export and import: bad paths and bad archives are exit 2, one line, data/ untouched", async () => {
  const { dir, outside, archive } = await setUp();
  const key = entryDir(dir, "source").split("/").at(-1)!;
  const files = unpackTarGz(Deno.readFileSync(archive));
  /** Writes an archive of `entries` beside the good one. */
  const forge = (name: string, entries: Array<[string, Uint8Array]>) => {
    const path = join(outside, name);
    Deno.writeFileSync(path, packTarGz(entries));
    return path;
  };
  /** The archive with `source`'s manifest edited by `edit`. */
  const withManifest = (name: string, edit: (m: Record<string, unknown>) => void) =>
    forge(
      name,
      files.map(([p, d]): [string, Uint8Array] => {
        if (p !== `cache/source/${key}/manifest.json`) return [p, d];
        const m = JSON.parse(new TextDecoder().decode(d));
        edit(m);
        return [p, new TextEncoder().encode(JSON.stringify(m))];
      }),
    );
  const good = Deno.readFileSync(archive);
  const truncated = join(outside, "truncated.tar.gz");
  Deno.writeFileSync(truncated, good.slice(0, Math.floor(good.length / 2)));
  const unended = join(outside, "unended.tar.gz");
  const tar = new Uint8Array(gunzipSync(good));
  Deno.writeFileSync(unended, gzipSync(tar.slice(0, tar.length - 1024)));
  const notArchive = join(outside, "notes.txt");
  Deno.writeTextFileSync(notArchive, "not an archive");
  const numbers = `cache/source/${key}/numbers.json`;
  const before = dataHash(dir);
  await expectUsage((a) => toy(dir, a), [
    [["export", ...Q], /Cannot export: give the archive path/],
    [["export", "", ...Q], /Cannot export to "": give a file path/],
    [
      ["export", join(outside, "missing dir", "x.tar.gz"), ...Q],
      /"[^"]*missing dir" does not exist/,
    ],
    [["export", join(archive, "x.tar.gz"), ...Q], /good\.tar\.gz" is not a directory/],
    [["export", outside, ...Q], /it is a directory; give a file path such as data\/results/],
    [["export", "data/cache/x.tar.gz", ...Q], /data\/cache\/ belongs to the cache/],
    [["export", "data/quarantine/x.tar.gz", ...Q], /data\/quarantine\/ belongs to the cache/],
    [["export", join(outside, "x.tar.gz"), "nope", ...Q], /no such stage/],
    [["export", join(outside, "x.tar.gz"), "--no-inputs", ...Q], /name the stages to export/],
    [["export", join(outside, "x.tar.gz"), "--force", ...Q], /--force with export/],
    [["import"], /give one archive or more/],
    [["import", archive, notArchive], /Cannot import .*notes\.txt.*is it an archive made by/],
    [["import", ""], /Cannot import "": give the path of an archive/],
    [["import", join(outside, "no such.tar.gz")], /no such file; give the path of an archive/],
    [["import", outside], /it is a directory/],
    [["import", archive, ...Q], /Cannot use --profile with import/],
    [["import", notArchive], /Cannot import .*is it an archive made by `export`\?/],
    [["import", truncated], /Cannot import .*truncated\.tar\.gz/],
    [["import", unended], /truncated tar archive \(no end marker\)/],
    [["import", forge("empty.tar.gz", [])], /holds no cache entry and no checkpoint/],
    [
      ["import", withManifest("backend.tar.gz", (m) => m.backend = "fake-gpu")],
      /entry source\/\w+ fails its manifest: manifest\.json says backend "fake-gpu"/,
    ],
    [
      ["import", withManifest("params.tar.gz", (m) => m.params = { n: 9, scale: 1 })],
      /parameters that differ from those of its key/,
    ],
    [
      [
        "import",
        withManifest("profile.tar.gz", (m) => (m.parts as Record<string, unknown>).profile = "x"),
      ],
      /key parts that hash to \w+…, not its key/,
    ],
    [
      ["import", withManifest("newer.tar.gz", (m) => m.format = 2)],
      /has format 2, newer than this version reads \(1\); update the project/,
    ],
    [
      [
        "import",
        forge(
          "content.tar.gz",
          files.map(([p, d]) => [p, p === numbers ? new TextEncoder().encode("[1]") : d]),
        ),
      ],
      /numbers\.json differs from it/,
    ],
    [
      ["import", forge("missing.tar.gz", files.filter(([p]) => p !== numbers))],
      /numbers\.json is missing/,
    ],
    [
      [
        "import",
        forge("extra.tar.gz", [...files, [`cache/source/${key}/x.txt`, new Uint8Array(1)]]),
      ],
      /holds "x\.txt", which its manifest does not list/,
    ],
    [
      ["import", forge("stage.tar.gz", [[`cache/nostage/${key}/a.json`, new Uint8Array(1)]])],
      /holds stage "nostage", which this project does not have/,
    ],
    [
      ["import", forge("climb.tar.gz", [[`cache/source/../../../x`, new Uint8Array(1)]])],
      /unexpected path/,
    ],
  ]);
  // With the tasks' permissions, which read only the project: the fix is where to put it.
  await expectUsage((a) => toy(dir, a, {}, TASK_PERMISSIONS), [
    [["import", archive], /no permission to read it .*put it under data\//],
    [["status", "--root", outside, ...Q], /--root .*: no permission to read it/],
    [["export", join(outside, "x.tar.gz"), ...Q], /no permission to write there .*data\/results/],
  ]);
  assert.equal(dataHash(dir), before);
});

Deno.test("paths with spaces work; dag shows the bounds; a software backend warns in one line", async () => {
  const { dir } = await setUp();
  const spaced = join(fresh(), "with space");
  Deno.mkdirSync(spaced);
  const ex = await toy(dir, ["export", join(spaced, "a b.tar.gz"), "source", ...Q]);
  assert.equal(ex.code, 0, ex.err);
  const other = fresh();
  const im = await toy(other, ["import", join(spaced, "a b.tar.gz")]);
  assert.equal(im.code, 0, im.err);
  assert.match(im.out, /imported 1 entries/);
  // dag shows the range each number is checked against.
  const dag = await toy(other, ["dag"]);
  assert.match(dag.out, /params: n=5 \(quick 3\) in \[1, 5000\], scale=1 in \[0, 1000\]/);
  // " 5" is 5: surrounding blanks are not a different number.
  const blank = await toy(other, ["status", "source", "--set", "source.n= 3", ...Q]);
  assert.match(blank.out, /source\s+up-to-date/);
  const soft = await toy(other, [
    "reproduce",
    "source",
    "--backend",
    "soft-gpu",
    "--profile",
    "quick",
  ]);
  assert.equal(soft.code, 0, soft.err);
  const warnings = soft.err.split("\n").filter((l) => l.startsWith("warning:"));
  assert.deepEqual(warnings, [
    "warning: --backend soft-gpu runs on a software adapter, slower than --backend cpu",
  ]);
});

Deno.test("bundle and bench: bad input is exit 2, one line", async () => {
  const run = (script: string) => async (args: string[]): Promise<Run> => {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, ...args],
      cwd: REPO,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const dec = new TextDecoder();
    return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
  };
  await expectUsage(run("pipeline/bundle.ts"), [
    [[], /Usage: deno task bundle ENTRY\.ts \[OUT\.js\]/],
    [["a.ts", "b.js", "c"], /Usage: deno task bundle/],
    [["stages/no_such.ts"], /Cannot bundle "stages\/no_such\.ts": no such file in the project/],
    [["stages"], /Cannot bundle "stages": no such file in the project, or not a module/],
    [["README.md"], /not a module/],
    [["../outside.ts"], /Cannot bundle "\.\.\/outside\.ts": it is outside the project/],
    [["stages/main.ts", "../x.js"], /must sit inside the project/],
    [["stages/main.ts", "stages"], /Cannot bundle to "stages": it is a directory/],
  ]);
  await expectUsage(run("bench/bench_status.ts"), [
    [["--stages", "0x10"], /Cannot use --stages "0x10": expected an integer from 1 to 100000/],
    [["--repeats", "0"], /Cannot use --repeats "0"/],
    [["--stages", "1e3"], /Cannot use --stages "1e3"/],
    [["--bogus"], /Unknown option '--bogus'/],
  ]);
  await expectUsage(run("bench/bench.ts"), [
    [["--batch", "abc"], /--batch/],
  ]);
});

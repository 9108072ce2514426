/**
 * Fault injection into the cache of a toy project: damaged files under `verify`, entries that
 * lost their manifest, and manifests edited by hand. Nothing on disk is trusted: each fault is
 * named, the entry set aside in `data/quarantine/` and rebuilt, and `gc` clears the quarantine.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { entries, runs, toy } from "./cli_util.ts";
import {
  built,
  copies,
  dataHash,
  editJson,
  entryDir,
  flipByte,
  fresh,
  Q,
  quarantined,
} from "./faults_util.ts";

const DAMAGE: Array<[string, (path: string) => void, RegExp]> = [
  ["a flipped byte", (p) => flipByte(p, 1), /numbers\.json: content changed/],
  ["a truncated file", (p) => Deno.truncateSync(p, 2), /numbers\.json: size 2, expected \d+/],
  ["a deleted file", (p) => Deno.removeSync(p), /numbers\.json: missing/],
];

Deno.test("verify reads the bytes: a damaged cached file fails it, by name, and nothing is rerun", async () => {
  // The cases run side by side, each in its own project (as in all loops below).
  const dirs = copies(await built("doubled"), DAMAGE.length);
  await Promise.all(DAMAGE.map(async ([what, harm, re], i) => {
    const dir = dirs[i];
    const file = join(entryDir(dir, "source"), "numbers.json");
    harm(file);
    const before = dataHash(dir);
    const r = await toy(dir, ["verify", "doubled", ...Q]);
    assert.equal(r.code, 1, `${what}: ${r.err}`);
    assert.match(r.err, re, what);
    assert.match(r.err, new RegExp(`source: cached file data/cache/source/\\w+/numbers\\.json`));
    assert.doesNotMatch(r.err, /bit-identical/, what);
    assert.deepEqual(runs(dir), ["source", "doubled"], `${what}: nothing reran`);
    assert.equal(dataHash(dir), before, `${what}: verify changed nothing`);
    // reproduce heals it; verify then passes, with the real reason for its reruns.
    const heal = await toy(dir, ["reproduce", "doubled", ...Q]);
    assert.equal(heal.code, 0, heal.err);
    assert.match(heal.err, /source: cached entry \w+ is damaged .*moved to data\/quarantine\//);
    assert.equal(quarantined(dir).length, 1);
    const ok = await toy(dir, ["verify", "doubled", ...Q]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(
      ok.err,
      /doubled \(verify: rerun from scratch, to compare with cached entry \w+\)/,
    );
    assert.match(ok.err, /doubled: bit-identical/);
    assert.doesNotMatch(ok.err + heal.err, /recipe change/);
  }));
});

Deno.test("an entry whose manifest was deleted is set aside and rebuilt, forced or not", async () => {
  const dirs = copies(await built("source"), 2);
  await Promise.all([[], ["--force"]].map(async (force, i) => {
    const dir = dirs[i];
    const entry = entryDir(dir, "source");
    Deno.removeSync(join(entry, "manifest.json"));
    const st = await toy(dir, ["status", "source", ...Q]);
    assert.equal(st.code, 0, st.err);
    assert.match(
      st.out,
      /source\s+corrupt\s+\w+\s+manifest\.json is missing; reproduce sets it aside/,
    );
    const v = await toy(dir, ["verify", "source", ...Q]);
    assert.equal(v.code, 1, v.err);
    assert.match(
      v.err,
      /source: cached entry data\/cache\/source\/\w+ is damaged: manifest\.json is missing/,
    );
    const r = await toy(dir, ["reproduce", "source", ...force, ...Q]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /cached entry \w+ is damaged \(manifest\.json is missing\); moved to/);
    assert.equal(entries(dir, "source").length, 1);
    const [q] = quarantined(dir);
    const note = Deno.readTextFileSync(join(dir, "data", "quarantine", q, "QUARANTINE.txt"));
    assert.match(note, /why manifest\.json is missing/);
    assert.ok(Deno.statSync(join(dir, "data", "quarantine", q, "numbers.json")).isFile);
    const again = await toy(dir, ["reproduce", "source", ...Q]);
    assert.match(again.err, /0 ran, 1 cached/);
  }));
});

Deno.test("gc lists and clears the quarantine, and removes a damaged entry it would have kept", async () => {
  const dir = await built("source");
  Deno.removeSync(join(entryDir(dir, "source"), "manifest.json"));
  const gc1 = await toy(dir, ["gc", ...Q]);
  assert.equal(gc1.code, 0, gc1.err);
  assert.match(gc1.out, /removed damaged data\/cache\/source\/\w+ \(manifest\.json is missing\)/);
  assert.match(gc1.out, /removed: 1 entries/);
  assert.deepEqual(entries(dir, "source"), []);
  assert.equal((await toy(dir, ["reproduce", "source", ...Q])).code, 0);
  flipByte(join(entryDir(dir, "source"), "numbers.json"));
  assert.equal((await toy(dir, ["reproduce", "source", ...Q])).code, 0);
  const [q] = quarantined(dir);
  const dry = await toy(dir, ["gc", "--dry-run", ...Q]);
  assert.match(dry.out, new RegExp(`would remove data/quarantine/${q}`));
  assert.match(dry.out, /1 quarantined entries/);
  assert.deepEqual(quarantined(dir), [q]);
  const gc2 = await toy(dir, ["gc", ...Q]);
  assert.match(gc2.out, new RegExp(`removed data/quarantine/${q}`));
  assert.deepEqual(quarantined(dir), []);
  assert.equal(entries(dir, "source").length, 1, "the sound entry stays");
});

Deno.test("an edited manifest is corruption: the key is re-derived from its parts", async () => {
  const forgeries: Array<[string, (m: Record<string, unknown>) => void, RegExp]> = [
    ["backend", (m) => m.backend = "fake-gpu", /says backend "fake-gpu", its key backend "cpu"/],
    ["params", (m) => m.params = { n: 99, scale: 1 }, /parameters that differ from those/],
    [
      "parts.profile",
      (m) => (m.parts as Record<string, unknown>).profile = "paper",
      /key parts that hash to \w+…, not its key/,
    ],
    ["key", (m) => m.key = "0".repeat(64), /names key 000000000000…/],
    ["format", (m) => m.format = 2, /format 2, newer than this version reads/],
    [
      "an output path",
      (m) => m.outputs = { "../../../x.json": { sha256: "0".repeat(64), size: 1 } },
      /names output "\.\.\/\.\.\/\.\.\/x\.json", not a file name/,
    ],
  ];
  const dirs = copies(await built("computed"), forgeries.length);
  await Promise.all(forgeries.map(async ([what, forge, re], i) => {
    const dir = dirs[i];
    const entry = entryDir(dir, "computed");
    editJson(join(entry, "manifest.json"), forge);
    const st = await toy(dir, ["status", "computed", ...Q]);
    assert.match(st.out, /computed\s+corrupt/, what);
    const r = await toy(dir, ["reproduce", "computed", ...Q]);
    assert.equal(r.code, 0, `${what}: ${r.err}`);
    const line = r.err.split("\n").find((l) => l.includes("is damaged"));
    assert.match(line ?? "", re, what);
    assert.match(line ?? "", /moved to data\/quarantine\/computed-\w+.*; rebuilding$/, what);
    const prov = JSON.parse(
      Deno.readTextFileSync(join(dir, "figures", "quick", "computed", "_provenance.json")),
    );
    assert.deepEqual([prov.backend, prov.profile], ["cpu", "quick"], `${what}: not published`);
  }));
});

Deno.test("an entry directory that is a file or empty, or a stage folder that is a file, does not block the rebuild", async () => {
  const dir = fresh();
  assert.equal((await toy(dir, ["reproduce", "source", ...Q])).code, 0);
  const entry = entryDir(dir, "source");
  Deno.removeSync(entry, { recursive: true });
  Deno.writeTextFileSync(entry, "not a directory");
  const r = await toy(dir, ["reproduce", "source", ...Q]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /is damaged \(manifest\.json is unreadable/);
  Deno.removeSync(entryDir(dir, "source"), { recursive: true });
  Deno.mkdirSync(entry);
  const r2 = await toy(dir, ["reproduce", "source", ...Q]);
  assert.equal(r2.code, 0, r2.err);
  assert.match(r2.err, /is damaged \(manifest\.json is missing\)/);
  // The stage's own folder a file: it is what gets set aside.
  Deno.removeSync(join(dir, "data", "cache", "source"), { recursive: true });
  Deno.writeTextFileSync(join(dir, "data", "cache", "source"), "not a directory");
  const r3 = await toy(dir, ["reproduce", "source", ...Q]);
  assert.equal(r3.code, 0, r3.err);
  assert.equal(entries(dir, "source").length, 1);
  assert.equal(quarantined(dir).length, 3);
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { Layout } from "./layout.ts";
import type { Manifest } from "./manifest.ts";
import { PROVENANCE_FILE, publish, PUBLISH_TMP_PREFIX } from "./publish.ts";
import type { AnyStage } from "./stage.ts";

const KEY = "ab".repeat(32);

/** A project in a temporary directory with one cache entry of stage `fig`. */
function project(files: Record<string, string>) {
  const root = Deno.makeTempDirSync();
  const layout = new Layout(root);
  const entry = layout.entry("fig", KEY);
  Deno.mkdirSync(entry, { recursive: true });
  for (const [name, text] of Object.entries(files)) Deno.writeTextFileSync(join(entry, name), text);
  const manifest = {
    key: KEY,
    profile: "quick",
    backend: "cpu",
    adapter: null,
    finished: "2026-01-01T00:00:00.000Z",
    outputs: Object.fromEntries(Object.keys(files).map((f) => [f, { sha256: "", size: 0 }])),
  } as unknown as Manifest;
  return { root, layout, manifest };
}

const stage = (publishMode?: AnyStage["publish"]) =>
  ({ id: "fig", publish: publishMode }) as unknown as AnyStage;

const ls = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("publish() copies what a reader looks at, with provenance, and replaces the last copy", () => {
  const { root, layout, manifest } = project({ "a.png": "png", "t.md": "md", "w.bin": "bin" });
  try {
    Deno.mkdirSync(join(layout.figures, "fig"), { recursive: true });
    Deno.writeTextFileSync(join(layout.figures, "fig", "old.png"), "from an earlier run");
    publish(layout, stage(), manifest);
    assert.deepEqual(ls(join(layout.figures, "fig")), [PROVENANCE_FILE, "a.png", "t.md"]);
    assert.equal(Deno.readTextFileSync(join(layout.figures, "fig", "a.png")), "png");
    const prov = JSON.parse(Deno.readTextFileSync(join(layout.figures, "fig", PROVENANCE_FILE)));
    assert.equal(prov.entry, `data/cache/fig/${KEY}`);
    assert.deepEqual(ls(layout.figures), ["fig"], "no temporary name left behind");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("publish() with mode root writes beside the other files, and none writes nothing", () => {
  const { root, layout, manifest } = project({ "index.html": "<p>", "REPORT.md": "# r" });
  try {
    Deno.mkdirSync(join(layout.figures, "other"), { recursive: true });
    publish(layout, stage("none"), manifest);
    assert.deepEqual(ls(layout.figures), ["other"]);
    publish(layout, stage("root"), manifest);
    publish(layout, stage("root"), manifest);
    assert.deepEqual(ls(layout.figures), ["REPORT.md", PROVENANCE_FILE, "index.html", "other"]);
    assert.equal(Deno.readTextFileSync(join(layout.figures, "index.html")), "<p>");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("publish() with mode root removes the files of the last root publication it does not write", () => {
  const { root, layout, manifest } = project({ "index.html": "<p>", "old--figure.png": "png" });
  try {
    Deno.mkdirSync(layout.figures, { recursive: true });
    Deno.writeTextFileSync(join(layout.figures, "notes.txt"), "the user's own");
    publish(layout, stage("root"), manifest);
    const prov = JSON.parse(Deno.readTextFileSync(join(layout.figures, PROVENANCE_FILE)));
    assert.deepEqual(prov.files, ["index.html", "old--figure.png"]);
    // The next report has no such figure: its copy goes, nothing else does.
    const next = {
      ...manifest,
      outputs: { "index.html": { sha256: "", size: 0 } },
    } as unknown as Manifest;
    publish(layout, stage("root"), next);
    assert.deepEqual(ls(layout.figures), [PROVENANCE_FILE, "index.html", "notes.txt"]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("publish() from processes racing on one stage never fails nor leaves a partial copy", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 20; i++) files[`f${i}.png`] = `figure ${i}`;
  const { root, layout, manifest } = project(files);
  try {
    const script = `
      import { publish } from ${JSON.stringify(new URL("./publish.ts", import.meta.url).href)};
      import { Layout } from ${JSON.stringify(new URL("./layout.ts", import.meta.url).href)};
      const manifest = JSON.parse(Deno.args[1]);
      for (let i = 0; i < 40; i++) publish(new Layout(Deno.args[0]), { id: "fig" }, manifest);
    `;
    const runs = Array.from({ length: 4 }, () =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", "--no-config", script, root, JSON.stringify(manifest)],
        stdout: "piped",
        stderr: "piped",
      }).output());
    for (const r of await Promise.all(runs)) {
      assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    }
    assert.deepEqual(
      ls(join(layout.figures, "fig")),
      [PROVENANCE_FILE, ...Object.keys(files)].sort(),
    );
    assert.ok(!ls(layout.figures).some((n) => n.startsWith(PUBLISH_TMP_PREFIX)));
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

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
/** The profile's folder the fixture's entry publishes into. */
const quick = (layout: Layout) => join(layout.figures, "quick");

Deno.test("publish() copies what a reader looks at, with provenance, and replaces the last copy", () => {
  const { root, layout, manifest } = project({ "a.png": "png", "t.md": "md", "w.bin": "bin" });
  try {
    Deno.mkdirSync(join(quick(layout), "fig"), { recursive: true });
    Deno.writeTextFileSync(join(quick(layout), "fig", "old.png"), "from an earlier run");
    publish(layout, stage(), manifest);
    assert.deepEqual(ls(join(quick(layout), "fig")), [PROVENANCE_FILE, "a.png", "t.md"]);
    assert.equal(Deno.readTextFileSync(join(quick(layout), "fig", "a.png")), "png");
    const prov = JSON.parse(Deno.readTextFileSync(join(quick(layout), "fig", PROVENANCE_FILE)));
    assert.equal(prov.entry, `data/cache/fig/${KEY}`);
    assert.equal(prov.profile, "quick");
    assert.deepEqual(ls(layout.figures), ["quick"], "no temporary name left behind");
    // Another profile's run of the stage goes to its own folder, beside this one.
    publish(layout, stage(), { ...manifest, profile: "paper" } as Manifest);
    assert.deepEqual(ls(layout.figures), ["paper", "quick"]);
    assert.deepEqual(ls(join(layout.figures, "paper", "fig")), [PROVENANCE_FILE, "a.png", "t.md"]);
    assert.deepEqual(ls(join(quick(layout), "fig")), [PROVENANCE_FILE, "a.png", "t.md"]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("publish() with mode root writes beside the other files, and none writes nothing", () => {
  const { root, layout, manifest } = project({ "index.html": "<p>", "REPORT.md": "# r" });
  try {
    Deno.mkdirSync(join(quick(layout), "other"), { recursive: true });
    publish(layout, stage("none"), manifest);
    assert.deepEqual(ls(quick(layout)), ["other"]);
    publish(layout, stage("root"), manifest);
    publish(layout, stage("root"), manifest);
    assert.deepEqual(ls(quick(layout)), ["REPORT.md", PROVENANCE_FILE, "index.html", "other"]);
    assert.equal(Deno.readTextFileSync(join(quick(layout), "index.html")), "<p>");
    // The top of figures/ links every profile's report.
    assert.deepEqual(ls(layout.figures), ["REPORT.md", "index.html", "quick"]);
    publish(layout, stage("root"), { ...manifest, profile: "paper" } as Manifest);
    const md = Deno.readTextFileSync(join(layout.figures, "REPORT.md"));
    assert.match(
      md,
      /- \[paper\]\(paper\/REPORT\.md\): profile paper: backend cpu, made 2026-01-01/,
    );
    assert.match(md, /- \[quick\]\(quick\/REPORT\.md\)/);
    const html = Deno.readTextFileSync(join(layout.figures, "index.html"));
    assert.match(html, /<a href="paper\/index\.html">paper<\/a>/);
    assert.match(html, /<a href="quick\/index\.html">quick<\/a>/);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("publish() with mode root removes the files of the last root publication it does not write", () => {
  const { root, layout, manifest } = project({ "index.html": "<p>", "old--figure.png": "png" });
  try {
    Deno.mkdirSync(quick(layout), { recursive: true });
    Deno.writeTextFileSync(join(quick(layout), "notes.txt"), "the user's own");
    publish(layout, stage("root"), manifest);
    const prov = JSON.parse(Deno.readTextFileSync(join(quick(layout), PROVENANCE_FILE)));
    assert.deepEqual(prov.files, ["index.html", "old--figure.png"]);
    // The next report has no such figure: its copy goes, nothing else does.
    const next = {
      ...manifest,
      outputs: { "index.html": { sha256: "", size: 0 } },
    } as unknown as Manifest;
    publish(layout, stage("root"), next);
    assert.deepEqual(ls(quick(layout)), [PROVENANCE_FILE, "index.html", "notes.txt"]);
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
      ls(join(quick(layout), "fig")),
      [PROVENANCE_FILE, ...Object.keys(files)].sort(),
    );
    assert.ok(!ls(layout.figures).some((n) => n.startsWith(PUBLISH_TMP_PREFIX)));
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

/**
 * Renders the report in headless Chromium and checks that every image loaded. Skips, with a
 * message, where no Chromium is on PATH (install Debian's `chromium` to run it).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { buildReport } from "./build.ts";
import { renderHtml } from "./html.ts";
import { pngSize } from "./image_size.ts";
import { collectFixture } from "./_fixture.ts";
import { dumpDom, findChromium, screenshot } from "./_chromium.ts";

const CHROMIUM = findChromium();
if (CHROMIUM === null) {
  console.warn("SKIPPING the browser tests: no chromium on PATH (apt-get install chromium)");
}

Deno.test({
  name: "renderHtml() output loads every figure in headless Chromium",
  ignore: CHROMIUM === null,
  async fn() {
    const { root, entries, images } = await collectFixture("quick");
    try {
      const html = renderHtml(buildReport(entries, { profile: "quick" }), {
        images,
        testMode: true,
      });
      const path = join(root, "index.html");
      await Deno.writeTextFile(path, html);
      const dom = await dumpDom(CHROMIUM!, path);
      const ok = /data-images-ok="(\d+)\/(\d+)"/.exec(dom);
      assert.ok(ok, "the page's image probe did not run");
      assert.equal(Number(ok[2]), images.size, "every figure should be an <img>");
      const broken = /data-images-broken="([^"]*)"/.exec(dom)?.[1];
      assert.equal(Number(ok[1]), images.size, `broken images: ${broken}`);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "renderHtml() image probe reports a broken figure (negative control)",
  ignore: CHROMIUM === null,
  async fn() {
    const { root, entries, images } = await collectFixture("quick");
    try {
      // Corrupt one PNG after its header so that the browser cannot decode it.
      const bytes = images.get("hole--figure.png")!.slice();
      bytes.fill(0, 40);
      images.set("hole--figure.png", bytes);
      const html = renderHtml(buildReport(entries, { profile: "quick" }), {
        images,
        testMode: true,
      });
      const path = join(root, "index.html");
      await Deno.writeTextFile(path, html);
      const dom = await dumpDom(CHROMIUM!, path);
      assert.match(dom, new RegExp(`data-images-ok="${images.size - 1}/${images.size}"`));
      assert.match(dom, /data-images-broken="hole\/figure.png"/);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "screenshot() of the report gives a PNG of the window's size",
  ignore: CHROMIUM === null,
  async fn() {
    const { root, entries, images } = await collectFixture("quick");
    try {
      const path = join(root, "index.html");
      await Deno.writeTextFile(
        path,
        renderHtml(buildReport(entries, { profile: "quick" }), { images }),
      );
      const png = join(root, "shot.png");
      await screenshot(CHROMIUM!, path, png, 900, 1200);
      const bytes = await Deno.readFile(png);
      assert.deepEqual(pngSize(bytes), { width: 900, height: 1200 });
      assert.ok(bytes.length > 20_000, "a blank page compresses to almost nothing");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

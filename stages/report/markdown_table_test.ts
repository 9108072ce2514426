import assert from "node:assert/strict";
import { markdownToHtml } from "./markdown_table.ts";

Deno.test("markdownToHtml() turns a pipe table into an HTML table with alignment", () => {
  const html = markdownToHtml(
    ["## Table 2", "", "| a | b \\| c |", "| --- | ---: |", "| `x` | **2** |", "", "tail *note*"]
      .join("\n"),
  );
  assert.equal(
    html,
    [
      "<h5>Table 2</h5>",
      `<table class="data"><thead><tr><th>a</th><th style="text-align:right">b | c</th></tr>` +
      `</thead><tbody><tr><td><code>x</code></td><td style="text-align:right">` +
      `<strong>2</strong></td></tr></tbody></table>`,
      "<p>tail <em>note</em></p>",
    ].join("\n"),
  );
});

Deno.test("markdownToHtml() escapes HTML in the text", () => {
  assert.equal(markdownToHtml("<script>x</script>"), "<p>&lt;script&gt;x&lt;/script&gt;</p>");
});

/**
 * The reproduction report: the `report` stage, and the pure functions behind it (collecting a
 * stage's results, assembling the report, rendering HTML and Markdown).
 *
 * @module
 */

export * from "./model.ts";
export * from "./format.ts";
export * from "./escape.ts";
export * from "./image_size.ts";
export * from "./parse_checks.ts";
export * from "./provenance.ts";
export * from "./collect.ts";
export * from "./build.ts";
export * from "./markdown_table.ts";
export * from "./html.ts";
export * from "./markdown.ts";
export * from "./style.ts";
export * from "./stage.ts";

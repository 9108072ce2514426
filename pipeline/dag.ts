/**
 * `dag`: the graph as indented text or as a Mermaid flowchart.
 *
 * @module
 */
import { type Graph, splitRef } from "./graph.ts";
import { paramBounds } from "./params.ts";

/** The graph as text: each stage with its inputs, outputs and parameters (default, quick value,
 * code value with its source, and the range of numbers). */
export function dagText(graph: Graph): string {
  return graph.order.map((s) => {
    const ins = Object.entries(s.inputs).map(([n, r]) => `${n} ← ${r}`);
    const params = Object.entries(s.params).map(([k, d]) => {
      // The range `--set` accepts, declared or implied (see `paramBounds`).
      const b = /^(number|integer)/.test(d.type) ? paramBounds(d) : null;
      return `${k}=${JSON.stringify(d.default)}${
        d.quick !== undefined ? ` (quick ${JSON.stringify(d.quick)})` : ""
      }${d.code !== undefined ? ` (code ${JSON.stringify(d.code.value)}: ${d.code.source})` : ""}${
        b ? ` in [${b.min}, ${b.max}]` : ""
      }`;
    });
    return [
      `${s.id}${s.compute ? " [compute]" : ""}: ${s.description}`,
      ...(ins.length ? [`    in:  ${ins.join(", ")}`] : []),
      `    out: ${s.outputs.join(", ")}`,
      ...(params.length ? [`    params: ${params.join(", ")}`] : []),
    ].join("\n");
  }).join("\n");
}

/** The graph as a Mermaid flowchart. */
export function dagMermaid(graph: Graph): string {
  const lines = ["flowchart LR"];
  for (const s of graph.order) lines.push(`  ${s.id.replaceAll("-", "_")}["${s.id}"]`);
  for (const s of graph.order) {
    for (const ref of new Set(Object.values(s.inputs).map((r) => splitRef(r)[0]))) {
      lines.push(`  ${ref.replaceAll("-", "_")} --> ${s.id.replaceAll("-", "_")}`);
    }
  }
  return lines.join("\n");
}

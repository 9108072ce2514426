/**
 * `dag`: the graph as indented text or as a Mermaid flowchart.
 *
 * @module
 */
import { type Graph, splitRef } from "./graph.ts";

/** The graph as text: each stage with its inputs and outputs. */
export function dagText(graph: Graph): string {
  return graph.order.map((s) => {
    const ins = Object.entries(s.inputs).map(([n, r]) => `${n} ← ${r}`);
    const params = Object.entries(s.params).map(([k, d]) =>
      `${k}=${JSON.stringify(d.default)}${
        d.quick !== undefined ? ` (quick ${JSON.stringify(d.quick)})` : ""
      }`
    );
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

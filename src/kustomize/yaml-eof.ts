import { isScalar, visit, type Document, type Scalar } from "yaml";

/**
 * Issue 18: a block scalar (`|`, `>`) whose last line ends the file without a line break has no
 * final line break in go-yaml (the YAML spec's clip and keep chomping keep a break only when there
 * is one), while the yaml package adds one. A ConfigMap value written that way would carry an
 * extra "\n" (printed `|` instead of `|-`). This takes it off again, on the one scalar that can
 * be affected: the one running to the end of the text.
 */
export function dropEofLineBreak(doc: Document.Parsed | Document, text: string): void {
  if (text === "" || text.endsWith("\n") || text.endsWith("\r")) return;
  visit(doc, {
    Scalar(_key, node) {
      if (endsText(node, text)) trimBreak(node);
    },
  });
}

function endsText(node: Scalar, text: string): boolean {
  return (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") && node.range?.[1] === text.length;
}

function trimBreak(node: Scalar): void {
  if (isScalar(node) && typeof node.value === "string" && node.value.endsWith("\n")) node.value = node.value.slice(0, -1);
}

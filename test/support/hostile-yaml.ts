/**
 * Hostile YAML for the parser's tests and the fault suite (issue 14): inputs a tenant with commit
 * access could push to take a controller down.
 */

/**
 * A "billion laughs" ConfigMap: a list of nine strings, then `levels - 1` lists of nine aliases to
 * the list before, so the last list stands for 9^levels strings (9 levels: 420 bytes, 387 million).
 */
export function aliasBomb(levels: number, name = "bomb"): string {
  const names = "abcdefghijklmnop";
  const lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", `  name: ${name}`, "data:"];
  lines.push(`  a: &a [${Array(9).fill('"lol"').join(",")}]`);
  for (let i = 1; i < levels; i++) {
    lines.push(
      `  ${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(",")}]`,
    );
  }
  return lines.join("\n") + "\n";
}

/** A ConfigMap whose data value is a flow sequence nested `depth` levels deep (`[[[…]]]`). */
export function deepNesting(depth: number, name = "deep"): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
}

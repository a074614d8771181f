/**
 * kustomize prints a resource by encoding it to YAML with yaml.v3 and decoding that again
 * (kyaml's RNode.MarshalJSON), and yaml.v3's emitter is not faithful for folded (`>`) scalars: where
 * a line that starts with no blank is followed by a break, it writes one extra line break whenever
 * the value's first character is not blank (it looks for the next line at the value's start, not
 * after the break: emitterc.go, yaml_emitter_write_folded_scalar). Read back, that extra break
 * folds away before a normal line, but before a more-indented line (one starting with a blank) it
 * stays: `one\n  more` comes out as `one\n\n  more` (issue 18, grafana-operator's dashboards).
 *
 * `refoldFolded` returns the value a folded scalar has after that round trip. Values the emitter
 * cannot write as a block scalar (a space before a break, a trailing space) are written quoted and
 * come back unchanged.
 */
export function refoldFolded(value: string): string {
  const first = /[^\n]/.exec(value);
  if (!first || first[0] === " " || first[0] === "\t") return value;
  if (/ \n/.test(value) || value.endsWith(" ")) return value;
  const lines = value.split("\n");
  const out: string[] = [];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    out.push(line);
    if (n === lines.length - 1 || line === "" || line.startsWith(" ") || line.startsWith("\t")) continue;
    // The next non-empty line: an extra break survives only before a more-indented one.
    let m = n + 1;
    while (m < lines.length - 1 && lines[m] === "") m++;
    const next = lines[m]!;
    if (m < lines.length && (next.startsWith(" ") || next.startsWith("\t"))) out.push("");
  }
  return out.join("\n");
}

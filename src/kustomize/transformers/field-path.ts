/**
 * Field paths as replacements (and vars) write them: dot-separated, `\.` escapes a dot, a
 * bracketed part may contain dots (`[name=a.b]`), and a bracketed part without `=` is a plain key
 * (`metadata.annotations.[example.com/x]`). Mirrors kyaml's SmarterPathSplitter so paths split the
 * same way.
 */
export function splitFieldPath(path: string): string[] {
  let parts = path.split(".");
  if (parts.length > 1 && parts[0] === "") parts = parts.slice(1);
  const joined: string[] = [parts[0]!];
  for (const part of parts.slice(1)) {
    const last = joined.length - 1;
    if (joined[last]!.endsWith("\\")) joined[last] = `${joined[last]!.slice(0, -1)}.${part}`;
    else joined.push(part);
  }
  const out: string[] = [];
  for (let i = 0; i < joined.length; i++) {
    const elem = joined[i]!;
    if (!elem.startsWith("[") || elem.endsWith("]")) {
      out.push(elem);
      continue;
    }
    const bracketed = [elem];
    while (i < joined.length - 1) {
      i++;
      bracketed.push(joined[i]!);
      if (joined[i]!.endsWith("]")) break;
    }
    const text = bracketed.join(".");
    out.push(text.includes("=") ? text : text.replace(/^\[+|\]+$/g, ""));
  }
  return out;
}

/** Whether a path part selects list elements by a field value (`[name=x]`, `[=x]`). */
export function isListIndex(part: string): boolean {
  return part.startsWith("[") && part.endsWith("]");
}

/** Whether a path part is a non-negative list index. */
export function isIndexNumber(part: string): boolean {
  return /^\+?[0-9]+$/.test(part);
}

/** Splits `[name=value]` into its field and value; throws when there is no `=`. */
export function splitIndexNameValue(part: string): { field: string; value: string } {
  const inner = part.replace(/\]$/, "").replace(/^\[/, "");
  const eq = inner.indexOf("=");
  if (eq < 0) throw new Error("list path element must contain fieldName=fieldValue for element to match");
  return { field: inner.slice(0, eq), value: inner.slice(eq + 1) };
}

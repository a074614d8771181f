import { stringify } from "yaml";

/** ANSI colours, used only on a terminal. */
const COLOURS = { red: "\u001b[31m", green: "\u001b[32m", yellow: "\u001b[33m", reset: "\u001b[0m" } as const;

/** Colours a Ready status cell the way a reader scans it: True green, False red, else yellow. */
export function colourStatus(status: string, tty: boolean): string {
  if (!tty) return status;
  const colour = status === "True" ? COLOURS.green : status === "False" ? COLOURS.red : COLOURS.yellow;
  return `${colour}${status}${COLOURS.reset}`;
}

/** Formats rows as a left-aligned table with a header, like kubectl and flux print. */
export function formatTable(header: string[], rows: string[][]): string {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters by definition
  const visible = (s: string): number => s.replace(/\u001b\[\d+m/g, "").length;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? ""))));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat((widths[i] ?? 0) - visible(c) + 3)))
      .join("")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** Prints data for scripts: `-o json` or `-o yaml`. */
export function formatData(data: unknown, format: "json" | "yaml"): string {
  return format === "json" ? JSON.stringify(data, null, 2) + "\n" : stringify(data);
}

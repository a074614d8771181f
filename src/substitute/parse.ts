/**
 * Parser for Flux's post-build substitution syntax (the `fluxcd/pkg/envsubst` dialect of bash
 * parameter expansion).
 *
 * Only `${...}` is an expression; `$$` is an escaped `$` in plain text; bare `$var` is text. The
 * accepted grammar, including its oddities, follows Flux's parser so that what fails there fails
 * here: `${var-default}` and `${var+x}` are "missing closing brace", `${a/b}` is a bad
 * substitution, and a parse error anywhere in a resource fails the whole substitution.
 */

/** A parsed piece of text: literal text or one `${...}` expression. */
export type ExpansionNode = TextNode | FuncNode;

/** Literal text, escapes already resolved. */
export interface TextNode {
  readonly kind: "text";
  readonly value: string;
}

/** One `${...}`: `op` is "" for `${var}`, else the operator (`:-`, `//`, `^^`, `#`, ...). */
export interface FuncNode {
  readonly kind: "func";
  readonly param: string;
  readonly op: string;
  /** Operator arguments; each is literal text or a nested expression. */
  readonly args: readonly ExpansionNode[];
}

/** Parse errors, worded like Flux's so users can search for them. */
export const ParseErrors = {
  badSubstitution: "bad substitution",
  missingClosingBrace: "missing closing brace",
  variableName: "unable to parse variable name",
  funcSubstitution: "unable to parse substitution within function",
} as const;

/** A malformed `${...}` expression. */
export class SubstitutionSyntaxError extends Error {
  override readonly name = "SubstitutionSyntaxError";
}

const IDENT = /[\p{L}\p{Nd}_]+/uy;

/** Cursor over the input; one instance per parse. */
class Parser {
  i = 0;
  constructor(readonly s: string) {}

  fail(message: string): never {
    throw new SubstitutionSyntaxError(message);
  }

  at(offset = 0): string {
    return this.s[this.i + offset] ?? "";
  }

  opensFunc(): boolean {
    return this.s.startsWith("${", this.i);
  }

  /** `$$` anywhere, `\/` and `\\` where backslash escapes are on: the next char is literal. */
  isEscape(backslash: boolean): boolean {
    const c = this.at();
    const n = this.at(1);
    return (c === "$" && n === "$") || (backslash && c === "\\" && (n === "/" || n === "\\"));
  }

  ident(): string | undefined {
    IDENT.lastIndex = this.i;
    const name = IDENT.exec(this.s)?.[0];
    if (name !== undefined) this.i += name.length;
    return name;
  }

  consumeClose(message: string = ParseErrors.badSubstitution): void {
    if (this.at() !== "}") this.fail(message);
    this.i++;
  }

  parseTop(): ExpansionNode[] {
    const nodes: ExpansionNode[] = [];
    let text = "";
    while (this.i < this.s.length) {
      if (this.opensFunc()) {
        if (text !== "") nodes.push({ kind: "text", value: text });
        text = "";
        this.i += 2;
        nodes.push(this.parseFunc());
      } else if (this.isEscape(false)) {
        text += "$";
        this.i += 2;
      } else {
        const next = this.s.indexOf("$", this.i + 1);
        const end = next === -1 ? this.s.length : next;
        text += this.s.slice(this.i, end);
        this.i = end;
      }
    }
    if (text !== "") nodes.push({ kind: "text", value: text });
    return nodes;
  }

  /** One argument: a nested `${...}` or a run of text up to a stop character or `${`. */
  parseParam(stop: (c: string) => boolean, escapes: boolean): ExpansionNode {
    if (this.opensFunc()) {
      this.i += 2;
      return this.parseFunc();
    }
    let text = "";
    let first = true;
    while (this.i < this.s.length && !(this.opensFunc() && !first)) {
      if (escapes && this.isEscape(true)) {
        text += this.at(1);
        this.i += 2;
      } else if (stop(this.at())) {
        break;
      } else {
        text += this.at();
        this.i++;
      }
      first = false;
    }
    if (text === "" && first) this.fail(ParseErrors.funcSubstitution);
    return { kind: "text", value: text };
  }

  parseFunc(): FuncNode {
    if (this.at() === "#") return this.parseLength();
    const name = this.ident();
    if (name === undefined) this.fail(ParseErrors.variableName);
    const c = this.at();
    if (c === ":") return this.parseColon(name);
    if (c === "=") return this.parseDefault(name);
    if (c === "," || c === "^") return this.parseCasing(name);
    if (c === "/") return this.parseReplace(name);
    if (c === "#" || c === "%") return this.parseRemove(name, c);
    this.consumeClose(ParseErrors.missingClosingBrace);
    return { kind: "func", param: name, op: "", args: [] };
  }

  takeOp(allowed: string, max: number): string {
    let op = "";
    while (op.length < max && this.at() !== "" && allowed.includes(this.at())) op += this.s[this.i++];
    return op;
  }

  parseLength(): FuncNode {
    this.i++;
    const name = this.ident();
    if (name === undefined) this.fail(ParseErrors.badSubstitution);
    this.consumeClose();
    return { kind: "func", param: name, op: "#", args: [] };
  }

  parseDefault(param: string): FuncNode {
    const op = this.at() === "=" ? "=" : this.s.slice(this.i, this.i + 2);
    this.i += op.length;
    const args: ExpansionNode[] = [];
    while (this.at() !== "}") args.push(this.parseParam((c) => c === "}", false));
    this.i++;
    return { kind: "func", param, op, args };
  }

  parseColon(param: string): FuncNode {
    const next = this.at(1);
    if (next !== "" && "=-?+".includes(next)) return this.parseDefault(param);
    // Flux's scanner loses its place when `:` is followed by a multi-byte character or the end
    // of input, and reports a bad substitution; so do we.
    if (next === "" || next.charCodeAt(0) > 0x7f) this.fail(ParseErrors.badSubstitution);
    return this.parseSubstr(param);
  }

  parseSubstr(param: string): FuncNode {
    this.i++;
    const args = [this.parseParam((c) => c === ":" || c === "}", false)];
    if (this.at() === "}") {
      this.i++;
      return { kind: "func", param, op: ":", args };
    }
    if (this.takeOp(":", Infinity) === "") this.fail(ParseErrors.badSubstitution);
    args.push(this.parseParam((c) => c === "}", false));
    this.consumeClose();
    return { kind: "func", param, op: ":", args };
  }

  parseCasing(param: string): FuncNode {
    const op = this.takeOp(",^", 2);
    this.consumeClose();
    return { kind: "func", param, op, args: [] };
  }

  parseReplace(param: string): FuncNode {
    this.i++;
    const op = "/" + ("/#%".includes(this.at()) && this.at() !== "" ? this.s[this.i++] : "");
    const args = [this.parseParam((c) => c === "/", true)];
    // Flux takes a run of slashes as the delimiter, so `${a/b//c}` replaces "b" with "c".
    if (this.takeOp("/", Infinity) === "") this.fail(ParseErrors.badSubstitution);
    if (this.at() !== "}") args.push(this.parseParam((c) => c === "}", true));
    this.consumeClose();
    return { kind: "func", param, op, args };
  }

  parseRemove(param: string, c: string): FuncNode {
    const op = this.takeOp(c, 2);
    const args = [this.parseParam((ch) => ch === "}", false)];
    this.consumeClose();
    return { kind: "func", param, op, args };
  }
}

/** Parses `text` into literal and expression nodes; throws {@link SubstitutionSyntaxError}. */
export function parseExpansions(text: string): ExpansionNode[] {
  return new Parser(text).parseTop();
}

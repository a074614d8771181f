import { describe, expect, it } from "vitest";
import { expand, SubstitutionSyntaxError, UnsetVariableError } from "./envsubst.js";

const vars = (o: Record<string, string>) => new Map(Object.entries(o));

describe("expand: supported forms (expected values checked against Flux's envsubst)", () => {
  it.each([
    ["plain text", {}, "abcdEFGH28ij", "abcdEFGH28ij"],
    ["${var}", { v: "x" }, "a-${v}-b", "a-x-b"],
    ["length", { v: "abcdEFGH28ij" }, "${#v}", "12"],
    ["length counts UTF-8 bytes", { v: "héllo" }, "${#v}", "6"],
    ["upper first", { v: "abcd" }, "${v^}", "Abcd"],
    ["upper all", { v: "abcd" }, "${v^^}", "ABCD"],
    ["lower first", { v: "ABCD" }, "${v,}", "aBCD"],
    ["lower all", { v: "ABCD" }, "${v,,}", "abcd"],
    ["mixed case op is a no-op", { v: "aBc" }, "${v,^}", "aBc"],
    ["substring offset", { p: "/home/bozo/ideas/thoughts.for.today" }, "${p:11}", "ideas/thoughts.for.today"],
    ["substring offset+len", { p: "/home/bozo/ideas/thoughts.for.today" }, "${p:11:5}", "ideas"],
    ["substring past end", { p: "abc" }, "${p:5}", ""],
    ["substring negative offset needs a space in bash, not here", { p: "abcdef" }, "${p:-2}", "abcdef"],
    ["substring unparsable offset keeps value", { p: "abcdef" }, "${p: -2}", "abcdef"],
    ["substring length past end", { p: "abcdef" }, "${p:2:100}", "cdef"],
    ["default = unused", { v: "abc" }, "${v=xyz}", "abc"],
    ["default = used", {}, "${v=xyz}", "xyz"],
    ["default := used", {}, "${v:=xyz}", "xyz"],
    ["default :- used", {}, "${v:-xyz}", "xyz"],
    ["default used for empty value with =", { v: "" }, "${v=xyz}", "xyz"],
    [":? behaves as a default", {}, "${v:?xyz}", "xyz"],
    [":+ behaves as a default", { v: "set" }, "${v:+xyz}", "set"],
    ["empty default", {}, "${v:-}", ""],
    ["nested default", { d: "foo" }, "something ${v=${d}}", "something foo"],
    ["nested default with suffix", { d: "foo1" }, "foo: ${v=${d}-suffix}", "foo: foo1-suffix"],
    ["nested default with prefix", { d: "foo1" }, "foo: ${v=prefix${d}-suffix}", "foo: prefixfoo1-suffix"],
    ["nested function in default", { a: "abcd" }, "${v=${a^^}}", "ABCD"],
    ["replace suffix", { s: "abcABC123ABCabc" }, "${s/%abc/XYZ}", "abcABC123ABCXYZ"],
    ["replace prefix", { s: "abcABC123ABCabc" }, "${s/#abc/XYZ}", "XYZABC123ABCabc"],
    ["replace prefix without replacement is a no-op", { s: "abcX" }, "${s/#abc/}", "abcX"],
    ["replace all", { s: "abcABC123ABCabc" }, "${s//abc/xyz}", "xyzABC123ABCxyz"],
    ["replace first", { s: "abcABC123ABCabc" }, "${s/abc/xyz}", "xyzABC123ABCabc"],
    ["replace with blank", { s: "foo.bar" }, "${s/./}", "foobar"],
    ["escaped slash in pattern", { s: "foo/bar" }, "${s/\\//-}", "foo-bar"],
    ["escaped slash, replace all", { s: "foo/bar/baz" }, "${s//\\//-}", "foo-bar-baz"],
    ["run of slashes is one delimiter", { s: "abc" }, "${s/b//X}", "aXc"],
    ["trim shortest prefix", { f: "bash.string.txt" }, "${f#*.}", "string.txt"],
    ["trim shortest prefix path", { f: "/path/to/file" }, "${f#*/}", "path/to/file"],
    ["trim longest prefix", { f: "bash.string.txt" }, "${f##*.}", "txt"],
    ["trim longest prefix path", { f: "path/to/file" }, "${f##*/}", "file"],
    ["trim shortest suffix", { f: "bash.string.txt" }, "${f%.*}", "bash.string"],
    ["trim longest suffix", { f: "bash.string.txt" }, "${f%%.*}", "bash"],
    ["trim with class", { f: "v1.2.3" }, "${f#[a-z]}", "1.2.3"],
    ["trim with bad pattern keeps value", { f: "abc" }, "${f#[}", "abc"],
    ["trim with no match keeps value", { f: "abc" }, "${f#x}", "abc"],
    ["$${var} escapes", { v: "x" }, "$${v}", "${v}"],
    ["$$ is an escaped dollar", {}, "$$v and $$$$", "$v and $$"],
    ["bare $var untouched", { v: "x" }, "$v ${v}", "$v x"],
    ["mixed escapes", { v: "abc" }, "some text ${v}$${v$${v}$v${v}", "some text abc${v${v}$vabc"],
    ["escaped expression with nested default", { d: "foo" }, "something $${v=${d}}", "something ${v=foo}"],
    ["backslashes outside expressions stay", { d: "foo" }, "\\\\something ${v=${d}}", "\\\\something foo"],
    ["lone dollar and braces", {}, "cost: $5 {x} }", "cost: $5 {x} }"],
    ["unicode variable names parse", { é: "x" }, "${é}", "x"],
  ])("%s", (_name, values, input, output) => {
    expect(expand(input, vars(values), false)).toBe(output);
  });
});

describe("expand: strict mode", () => {
  it("substitutes defined variables, including empty ones", () => {
    expect(expand("${foo}|${empty}", vars({ foo: "bar", empty: "" }), true)).toBe("bar|");
  });

  it.each(["${missing:-fallback}", "${missing:=fallback}", "${missing=fallback}"])("allows %s", (input) =>
    expect(expand(input, vars({}), true)).toBe("fallback"),
  );

  it.each([
    "${missing}",
    "${#missing}",
    "${missing^}",
    "${missing^^}",
    "${missing,}",
    "${missing,,}",
    "${missing:0}",
    "${missing:0:10}",
    "${missing/p/r}",
    "${missing//p/r}",
    "${missing/#p/r}",
    "${missing/%p/r}",
    "${missing#p}",
    "${missing##p}",
    "${missing%p}",
    "${missing%%p}",
    "${set:-${missing}}",
  ])("rejects %s naming the variable", (input) => {
    const run = () => expand(input, vars({ set: "x" }), true);
    expect(run).toThrow(UnsetVariableError);
    expect(run).toThrow('variable not set (strict mode): "missing"');
  });

  it("non-strict mode expands undefined variables to empty", () => {
    expect(expand("a${missing}b${#missing}", vars({}), false)).toBe("ab0");
  });
});

describe("expand: syntax errors (as Flux reports them)", () => {
  it.each([
    ["${var-default}", "missing closing brace"],
    ["${var+x}", "missing closing brace"],
    ["${var?x}", "missing closing brace"],
    ["${var", "missing closing brace"],
    ["${foo bar}", "missing closing brace"],
    ["${}", "unable to parse variable name"],
    ["${ var}", "unable to parse variable name"],
    ["${#}", "bad substitution"],
    ["${a/b}", "bad substitution"],
    ["${a///x}", "unable to parse substitution within function"],
    ["${a#}", "unable to parse substitution within function"],
    ["${a:-x", "unable to parse substitution within function"],
    ["${a:}", "unable to parse substitution within function"],
    ["${a:", "bad substitution"],
    ["${a:é}", "bad substitution"],
    ["${a^^^}", "bad substitution"],
    ["${a#x${b}}", "bad substitution"],
  ])("%s → %s", (input, message) => {
    const run = () => expand(input, vars({ a: "x", b: "y", var: "v" }), false);
    expect(run).toThrow(SubstitutionSyntaxError);
    expect(run).toThrow(message);
  });
});

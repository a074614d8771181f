import { describe, expect, it } from "vitest";
import { buildTree } from "../testing/tree.js";

/** Golden tests for the printer: JSON types, go-yaml v2 key order, quoting, folding and block scalars. Expected outputs come from `kubectl kustomize` (kustomize v5.5.0). */
describe("kustomize output", () => {
  it("scalars in labels and annotations print as the text written", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `resources:
- r.yaml
`,
      "r.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: x
  annotations:
    zeta: 'single'
    alpha: "double"
    num: "123"
    numplain: 123
    float: 1.0
    bool: yes
    boolq: "true"
    octal: 0777
    hex: 0x1F
    exp: 1e3
    empty: ""
    nullv:
    tilde: ~
    a10: x
    a2: y
    colon: "a: b"
    hash: "a #b"
    lead: " lead"
    multi: "line1\\nline2"
    multitrail: "line1  \\nline2"
    fold: >
      folded text
      more
    long: this is a very long string that goes on and on and on past eighty characters for sure yes indeed it does
    longq: "this is a very long string that goes on and on and on past eighty characters for sure yes indeed it does"
    star: "*foo"
    date: 2001-12-14
    tab: "a\\tb"
    uni: "é"
data:
  list: [a, b]
  obj: {a: 1}
  nested:
  - - a
    - b
  - x: 1
    y: [ ]
  emptym: {}
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  emptym: {}
  list:
  - a
  - b
  nested:
  - - a
    - b
  - x: 1
    "y": []
  obj:
    a: 1
kind: ConfigMap
metadata:
  annotations:
    a2: "y"
    a10: x
    alpha: double
    bool: "yes"
    boolq: "true"
    colon: 'a: b'
    date: "2001-12-14"
    empty: ""
    exp: "1e3"
    float: "1.0"
    fold: |
      folded text more
    hash: 'a #b'
    hex: "0x1F"
    lead: ' lead'
    long: this is a very long string that goes on and on and on past eighty characters
      for sure yes indeed it does
    longq: this is a very long string that goes on and on and on past eighty characters
      for sure yes indeed it does
    multi: |-
      line1
      line2
    multitrail: "line1  \\nline2"
    nullv: ""
    num: "123"
    numplain: "123"
    octal: "0777"
    star: '*foo'
    tab: "a\\tb"
    tilde: "~"
    uni: é
    zeta: single
  name: x
`);
  });

  it("typed scalars, sorted keys, folded long strings, block literals", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `resources:
- r.yaml
`,
      "r.yaml": `apiVersion: v1
kind: Foo
metadata:
  name: x
  creationTimestamp: null
spec:
  float: 1.0
  float2: 1.5
  bigf: 1e21
  smallf: 0.0000001
  octal: 0777
  octal2: 0o17
  hex: 0x1F
  under: 1_000
  exp: 1e3
  yes: yes
  nullv:
  date: 2001-12-14
  ts: 2001-12-14T21:59:43.10-05:00
  bigint: 99999999999999999999
  args:
  - this is a very long string that goes on and on and on past eighty characters for sure yes indeed it does
  - - this is a very long string that goes on and on and on past eighty characters for sure yes indeed it does
  longkey: "this is a very long string that goes on and on and on past eighty characters for sure yes indeed it does 'x'"
  lq: " this is a very long string that goes on and on and on past eighty characters for sure yes indeed it does 'x' "
  dq: "this is a very long string that goes on and on and on past eighty characters for sure yes indeed it does\\t"
  nested:
    deeper:
      x: a very long string that goes on and on and on past eighty characters for sure yes indeed it does
  lit: "a\\n b\\n"
  lit2: " a\\nb\\n\\n"
  lit3: "a\\n\\nb"
  keys:
    app.kubernetes.io/name: a
    app: b
    a-b: c
    ab: d
    a_b: e
    A: f
    a01: g
    a1: h
    x10y: i
    x9y: j
    "1": k
    "10": l
    "2": m
    é: n
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: Foo
metadata:
  creationTimestamp: null
  name: x
spec:
  args:
  - this is a very long string that goes on and on and on past eighty characters for
    sure yes indeed it does
  - - this is a very long string that goes on and on and on past eighty characters
      for sure yes indeed it does
  bigf: 1e+21
  bigint: 1e+20
  date: "2001-12-14T00:00:00Z"
  dq: "this is a very long string that goes on and on and on past eighty characters
    for sure yes indeed it does\\t"
  exp: 1000
  float: 1
  float2: 1.5
  hex: 31
  keys:
    "1": k
    "2": m
    "10": l
    A: f
    a-b: c
    a_b: e
    a1: h
    a01: g
    ab: d
    app: b
    app.kubernetes.io/name: a
    x9y: j
    x10y: i
    é: "n"
  lit: |
    a
     b
  lit2: |2+
     a
    b

  lit3: |-
    a

    b
  longkey: this is a very long string that goes on and on and on past eighty characters
    for sure yes indeed it does 'x'
  lq: ' this is a very long string that goes on and on and on past eighty characters
    for sure yes indeed it does ''x'' '
  nested:
    deeper:
      x: a very long string that goes on and on and on past eighty characters for
        sure yes indeed it does
  nullv: null
  octal: 511
  octal2: 15
  smallf: 1e-07
  ts: "2001-12-14T21:59:43.1-05:00"
  under: 1000
  "yes": "yes"
`);
  });

  it("quoting and escaping choices of go-yaml", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `resources:
- r.yaml
`,
      "r.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: styles
data:
  emoji: "smile \u{1f600}"
  ctrl: "bell\\a"
  nbsp: "a\\u00a0b"
  quote: 'it''s'
  dq: "say \\"hi\\""
  backslash: "a\\\\b"
  dash: "-"
  dashword: "- item"
  colonend: "key:"
  hashmid: "a#b"
  lead: "  two"
  trail: "trail "
  onlynl: "\\n"
  nlnl: "a\\n\\n"
  crlf: "a\\r\\nb"
  tabnl: "a\\tb\\nc"
  base60: "1:20"
  sci: "1e10"
  dot: ".5"
  dotword: ".hidden"
  plus: "+1"
  minus: "-1"
  hex: "0xff"
  octal: "0o17"
  under: "1_000"
  tilde: "~"
  nullword: "null"
  y: "Y"
  on: "on"
  OFF: "OFF"
  long-sq: " this is a very long string that goes on and on and on past eighty characters for sure yes 'indeed' it does"
  long-dq: "this is a very long string that goes on and on and on past eighty characters for sure  yes\\tindeed"
  longword: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbb
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
data:
  "OFF": "OFF"
  backslash: a\\b
  base60: "1:20"
  colonend: 'key:'
  crlf: "a\\r\\nb"
  ctrl: "bell\\a"
  dash: '-'
  dashword: '- item'
  dot: ".5"
  dotword: .hidden
  dq: say "hi"
  emoji: "smile \\U0001F600"
  hashmid: a#b
  hex: "0xff"
  lead: '  two'
  long-dq: "this is a very long string that goes on and on and on past eighty characters
    for sure  yes\\tindeed"
  long-sq: ' this is a very long string that goes on and on and on past eighty characters
    for sure yes ''indeed'' it does'
  longword: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    bbb
  minus: "-1"
  nbsp: a\u{a0}b
  nlnl: |+
    a

  nullword: "null"
  octal: "0o17"
  "on": "on"
  onlynl: |2+

  plus: "+1"
  quote: it's
  sci: "1e10"
  tabnl: "a\\tb\\nc"
  tilde: "~"
  trail: 'trail '
  under: "1_000"
  "y": "Y"
kind: ConfigMap
metadata:
  name: styles
`);
  });
});

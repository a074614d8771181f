import { describe, expect, it } from "vitest";
import { buildTree } from "../testing/tree.js";

/** Golden tests for the printer: JSON types, go-yaml v2 key order, quoting, folding and block scalars. Expected outputs come from `kubectl kustomize` (kustomize v5.5.0). */
describe("kustomize output", () => {
  it("plain scalars typed like yaml.v3, numbers printed like Go's JSON then go-yaml", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `resources:
- r.yaml
`,
      "r.yaml": `apiVersion: v1
kind: Foo
metadata:
  name: fuzz
spec:
  k000: 0
  s000: "0"
  k001: -0
  s001: "-0"
  k002: +0
  s002: "+0"
  k003: 00
  s003: "00"
  k004: 007
  s004: "007"
  k005: 08
  s005: "08"
  k006: 0777
  s006: "0777"
  k007: 0o17
  s007: "0o17"
  k008: 0x1f
  s008: "0x1f"
  k009: 0X1F
  s009: "0X1F"
  k010: 0b101
  s010: "0b101"
  k011: 0B101
  s011: "0B101"
  k012: 1_000
  s012: "1_000"
  k013: 1__0
  s013: "1__0"
  k014: _1
  s014: "_1"
  k015: 1_
  s015: "1_"
  k016: 1.0
  s016: "1.0"
  k017: 1.50
  s017: "1.50"
  k018: -1.5e3
  s018: "-1.5e3"
  k019: 1e3
  s019: "1e3"
  k020: 1E3
  s020: "1E3"
  k021: 1e+3
  s021: "1e+3"
  k022: 1e-3
  s022: "1e-3"
  k023: .5
  s023: ".5"
  k024: -.5
  s024: "-.5"
  k025: 5.
  s025: "5."
  k026: +.5
  s026: "+.5"
  k027: 1.2.3
  s027: "1.2.3"
  k028: 0.1
  s028: "0.1"
  k029: 123456789012345678901
  s029: "123456789012345678901"
  k030: 9223372036854775807
  s030: "9223372036854775807"
  k031: 9223372036854775808
  s031: "9223372036854775808"
  k032: 18446744073709551615
  s032: "18446744073709551615"
  k033: 18446744073709551616
  s033: "18446744073709551616"
  k034: -9223372036854775808
  s034: "-9223372036854775808"
  k035: -9223372036854775809
  s035: "-9223372036854775809"
  k036: 1e21
  s036: "1e21"
  k037: 1e20
  s037: "1e20"
  k038: 123456.7
  s038: "123456.7"
  k039: 1234567.5
  s039: "1234567.5"
  k040: 0.000001
  s040: "0.000001"
  k041: 0.0000001
  s041: "0.0000001"
  k042: true
  s042: "true"
  k043: True
  s043: "True"
  k044: TRUE
  s044: "TRUE"
  k045: tRUE
  s045: "tRUE"
  k046: yes
  s046: "yes"
  k047: no
  s047: "no"
  k048: on
  s048: "on"
  k049: off
  s049: "off"
  k050: y
  s050: "y"
  k051: n
  s051: "n"
  k052: null
  s052: "null"
  k053: Null
  s053: "Null"
  k054: NULL
  s054: "NULL"
  k055: ~
  s055: "~"
  k056: 2001-12-14
  s056: "2001-12-14"
  k057: 2001-12-14 21:59:43.10 -5
  s057: "2001-12-14 21:59:43.10 -5"
  k058: 2001-12-14t21:59:43.10-05:00
  s058: "2001-12-14t21:59:43.10-05:00"
  k059: 2001-1-2
  s059: "2001-1-2"
  k060: 1:20
  s060: "1:20"
  k061: 1:20:30
  s061: "1:20:30"
  k062: -1:20
  s062: "-1:20"
  k063: 12:60
  s063: "12:60"
  k067: 0x
  s067: "0x"
  k068: 0o
  s068: "0o"
  k069: 0b
  s069: "0b"
  s070: "-"
  s071: "+"
  k072: 1-2
  s072: "1-2"
  k073: 1e
  s073: "1e"
  k074: e1
  s074: "e1"
  k075: 0.
  s075: "0."
  k076: 00.5
  s076: "00.5"
  k077: 1_2.5
  s077: "1_2.5"
  k078: 0x_1
  s078: "0x_1"
  s079: "1,000"
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: Foo
metadata:
  name: fuzz
spec:
  k000: 0
  k001: 0
  k002: 0
  k003: 0
  k004: 7
  k005: 8
  k006: 511
  k007: 15
  k008: 31
  k009: 31
  k010: 5
  k011: 5
  k012: 1000
  k013: 10
  k014: _1
  k015: 1
  k016: 1
  k017: 1.5
  k018: -1500
  k019: 1000
  k020: 1000
  k021: 1000
  k022: 0.001
  k023: 0.5
  k024: -0.5
  k025: 5
  k026: 0.5
  k027: 1.2.3
  k028: 0.1
  k029: 1.2345678901234568e+20
  k030: 9223372036854775807
  k031: 9223372036854775808
  k032: 18446744073709551615
  k033: 1.8446744073709552e+19
  k034: -9223372036854775808
  k035: -9.223372036854776e+18
  k036: 1e+21
  k037: 1e+20
  k038: 123456.7
  k039: 1.2345675e+06
  k040: 1e-06
  k041: 1e-07
  k042: true
  k043: true
  k044: true
  k045: tRUE
  k046: "yes"
  k047: "no"
  k048: "on"
  k049: "off"
  k050: "y"
  k051: "n"
  k052: null
  k053: null
  k054: null
  k055: null
  k056: "2001-12-14T00:00:00Z"
  k057: 2001-12-14 21:59:43.10 -5
  k058: "2001-12-14T21:59:43.1-05:00"
  k059: "2001-01-02T00:00:00Z"
  k060: "1:20"
  k061: "1:20:30"
  k062: "-1:20"
  k063: 12:60
  k067: 0x
  k068: 0o
  k069: 0b
  k072: 1-2
  k073: 1e
  k074: e1
  k075: 0
  k076: 0.5
  k077: 12.5
  k078: 1
  s000: "0"
  s001: "-0"
  s002: "+0"
  s003: "00"
  s004: "007"
  s005: "08"
  s006: "0777"
  s007: "0o17"
  s008: "0x1f"
  s009: "0X1F"
  s010: "0b101"
  s011: "0B101"
  s012: "1_000"
  s013: "1__0"
  s014: _1
  s015: "1_"
  s016: "1.0"
  s017: "1.50"
  s018: "-1.5e3"
  s019: "1e3"
  s020: "1E3"
  s021: "1e+3"
  s022: "1e-3"
  s023: ".5"
  s024: "-.5"
  s025: "5."
  s026: "+.5"
  s027: 1.2.3
  s028: "0.1"
  s029: "123456789012345678901"
  s030: "9223372036854775807"
  s031: "9223372036854775808"
  s032: "18446744073709551615"
  s033: "18446744073709551616"
  s034: "-9223372036854775808"
  s035: "-9223372036854775809"
  s036: "1e21"
  s037: "1e20"
  s038: "123456.7"
  s039: "1234567.5"
  s040: "0.000001"
  s041: "0.0000001"
  s042: "true"
  s043: "True"
  s044: "TRUE"
  s045: tRUE
  s046: "yes"
  s047: "no"
  s048: "on"
  s049: "off"
  s050: "y"
  s051: "n"
  s052: "null"
  s053: "Null"
  s054: "NULL"
  s055: "~"
  s056: "2001-12-14"
  s057: 2001-12-14 21:59:43.10 -5
  s058: "2001-12-14t21:59:43.10-05:00"
  s059: "2001-1-2"
  s060: "1:20"
  s061: "1:20:30"
  s062: "-1:20"
  s063: 12:60
  s067: 0x
  s068: 0o
  s069: 0b
  s070: '-'
  s071: +
  s072: 1-2
  s073: 1e
  s074: e1
  s075: "0."
  s076: "00.5"
  s077: "1_2.5"
  s078: "0x_1"
  s079: 1,000
`);
  });

  it("integral floats print as integers, others in Go's shortest form", () => {
    const out = buildTree(
      {
      "kustomization.yaml": `resources:
- r.yaml
`,
      "r.yaml": `apiVersion: v1
kind: Foo
metadata:
  name: x
spec:
  a: 1000000.0
  b: 1e6
  c: 2.5e6
  d: 100000.0
  e: 123456789.0
  f: 1e15
  g: 12345678.9
`,
      },
    );
    expect(out).toBe(`apiVersion: v1
kind: Foo
metadata:
  name: x
spec:
  a: 1000000
  b: 1000000
  c: 2500000
  d: 100000
  e: 123456789
  f: 1000000000000000
  g: 1.23456789e+07
`);
  });

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

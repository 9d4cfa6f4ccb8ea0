import { describe, expect, it } from "vitest";
import { parseRules, RuleSyntaxError } from "../../src/tag/index.js";
import { parseValid } from "./helpers.js";

const BASE = [
  "rule R", //                       1
  '  description "d"', //            2
  "  group G", //                    3
  "  order 1", //                    4
  "  state active", //               5
  "  applies_to x509", //            6
  '  when a = "x"', //               7
  '  tag vendor="V"', //             8
  '  example match {"a": "x"}', //   9
  '  example nomatch {"a": "y"}', // 10
];

/** BASE with line `n` (1-based) replaced; `null` removes it; an array inserts several lines. */
function variant(n: number, replacement: string | string[] | null): string {
  const lines = [...BASE];
  lines.splice(n - 1, 1, ...(replacement === null ? [] : Array.isArray(replacement) ? replacement : [replacement]));
  return `${lines.join("\n")}\n`;
}

function firstError(text: string): RuleSyntaxError {
  const { errors } = parseRules(text, "t.rules");
  expect(errors.length, `no error for:\n${text}`).toBeGreaterThan(0);
  return errors[0]!;
}

describe("parser: valid rules", () => {
  it("reads every field", () => {
    const [r] = parseValid(
      [
        "# leading comment",
        "rule ASUS_asuscomm_lets_encrypt_cert_for_AiCloud   # trailing comment",
        '  description "Identifies ASUS routers - for AiCloud"',
        "  group ASUS",
        "  order 102",
        "  state testing",
        "  applies_to x509, tls",
        "  when issuer.common_name = \"Let's Encrypt Authority X3\"",
        "   and subject.common_name =~ /\\.asuscomm\\.com$/",
        '  tag vendor="ASUS" device_type="router" product="AiCloud"',
        '  reference "https://example.org/asus#aicloud"',
        '  reference "second"',
        '  example match   { "subject": {"common_name": ["myhome.asuscomm.com"]}, "issuer": {"common_name": ["Let\'s Encrypt Authority X3"]} }',
        '  expect vendor="ASUS"',
        '  example nomatch { "subject": {"common_name": ["example.com"]}, "issuer": {"common_name": ["Let\'s Encrypt Authority X3"]} }',
      ].join("\n"),
    );
    expect(r).toMatchObject({
      name: "ASUS_asuscomm_lets_encrypt_cert_for_AiCloud",
      description: "Identifies ASUS routers - for AiCloud",
      group: "ASUS",
      order: 102,
      state: "testing",
      appliesTo: ["x509", "tls"],
      references: ["https://example.org/asus#aicloud", "second"],
      line: 2,
      file: "test.rules",
    });
    expect(r!.when.type).toBe("and");
    expect(r!.tags.map((t) => [t.key, t.raw])).toEqual([
      ["vendor", "ASUS"],
      ["device_type", "router"],
      ["product", "AiCloud"],
    ]);
    expect(r!.examples.map((e) => [e.kind, e.line, e.expect])).toEqual([
      ["match", 13, { vendor: "ASUS" }],
      ["nomatch", 15, undefined],
    ]);
    expect(r!.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("continues fields over lines, skips comments and blank lines, accepts CRLF", () => {
    const text = [
      "rule R",
      '  description "d"  # a comment',
      "  group G",
      "",
      "  order -5",
      "  state active",
      "  applies_to mqtt",
      "  when (a = \"#not a comment\"   # but this is",
      "# a comment line inside the condition",
      "",
      "        or b =~ /x#y/)",
      "    and c exists",
      '  tag vendor="V"',
      '      product="P"',
      "  example match {",
      '     "a": "#not a comment",  # comment',
      '     "c": 1 }',
      '  example nomatch {"c": 1}',
    ].join("\r\n");
    const [r] = parseValid(text);
    expect(r!.order).toBe(-5);
    expect(r!.tags.map((t) => t.key)).toEqual(["vendor", "product"]);
    expect(r!.examples[0]!.value).toEqual({ a: "#not a comment", c: 1 });
    expect(r!.when).toMatchObject({ type: "and", items: [{ type: "or" }, { type: "test", op: "exists" }] });
  });

  it("a keyword followed by an operator on a continuation line is a path, not a field", () => {
    const [r] = parseValid(variant(7, ['  when a = "x"', '   or state = "up"', "   or order > 3"]));
    expect(r!.when).toMatchObject({ type: "or", items: [{ path: { text: "a" } }, { path: { text: "state" } }, { path: { text: "order" } }] });
  });

  it("reads paths: dashes, indexes, quoted names, envelope fields", () => {
    const [r] = parseValid(variant(7, '  when attributes.printer-make-and-model[0]."x.y" = "a" and $port = 8443 and all(a.b) != "c" and any(d) = 1'));
    const paths = (r!.when as { items: Array<{ path: { text: string; segments: unknown[]; envelope: boolean } }> }).items.map((t) => t.path);
    expect(paths[0]).toEqual({ text: 'attributes.printer-make-and-model[0]."x.y"', segments: ["attributes", "printer-make-and-model", 0, "x.y"], envelope: false, offset: expect.any(Number) });
    expect(paths[1]).toMatchObject({ text: "$port", envelope: true, segments: ["port"] });
    expect(r!.when).toMatchObject({ items: [{}, {}, { quantifier: "all", op: "!=" }, { quantifier: "any" }] });
  });

  it("reads every operator and value kind", () => {
    const ops = [
      'a = "s"',
      "a = 1.5",
      "a = true",
      "a != false",
      'a ~= "S"',
      "a =~ /x/ism",
      "a !~ /x/",
      'a contains "s"',
      'a startswith "s"',
      'a endswith "s"',
      'a icontains "s"',
      'a istartswith "s"',
      'a iendswith "s"',
      'a in ["a", 1, true, 10.0.0.0/8, 2001:db8::/32, 192.0.2.1, ::1]',
      "a < -1",
      "a <= 2",
      "a > 3e2",
      "a >= 4",
      "a exists",
    ];
    const [r] = parseValid(variant(7, `  when ${ops.join(" and ")}`));
    const items = (r!.when as { items: Array<{ op: string }> }).items;
    expect(items.map((i) => i.op)).toEqual(["=", "=", "=", "!=", "~=", "=~", "!~", "contains", "startswith", "endswith", "icontains", "istartswith", "iendswith", "in", "<", "<=", ">", ">=", "exists"]);
    expect(items[13]).toMatchObject({ value: { type: "list", values: ["a", 1, true], cidrs: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1", "::1"] } });
    expect(items[16]).toMatchObject({ value: { value: 300 } });
  });

  it("gives not, and, or their usual precedence", () => {
    const [r] = parseValid(variant(7, '  when not a = "1" or b = "2" and not not c = "3"'));
    expect(r!.when).toMatchObject({
      type: "or",
      items: [{ type: "not", item: { type: "test" } }, { type: "and", items: [{ type: "test" }, { type: "not", item: { type: "not" } }] }],
    });
  });

  it("reads capture references in tag values", () => {
    const [r] = parseValid(variant(7, "  when a =~ /^(RT)-(?<model>\\w+)$/").replace('tag vendor="V"', 'tag model="${model}" product="x${1}y${2}z" vendor="$5"'));
    expect(r!.tags.map((t) => t.parts)).toEqual([[{ capture: "model" }], ["x", { capture: 1 }, "y", { capture: 2 }, "z"], ["$5"]]);
  });

  it("hashes the rule text: any change gives another hash", () => {
    const a = parseValid(variant(4, "  order 1"))[0]!.hash;
    const b = parseValid(variant(4, "  order 2"))[0]!.hash;
    expect(a).not.toBe(b);
    expect(parseValid(variant(4, "  order 1"))[0]!.hash).toBe(a);
  });
});

describe("parser: errors name file, line, column and what was expected", () => {
  const cases: Array<[string, string, number, number, RegExp, string?]> = [
    ["empty value", variant(7, "  when a = "), 7, 12, /unexpected end of field/, "a string, number, `true` or `false` after ="],
    ["==", variant(7, '  when a == "x"'), 7, 10, /unknown operator `==`/, "`=`"],
    ["no operator", variant(7, "  when a"), 7, 9, /unexpected end of field/, "an operator"],
    ["bad operator", variant(7, '  when a like "x"'), 7, 10, /unexpected `like`/, "an operator"],
    ["=~ without regex", variant(7, '  when a =~ "x"'), 7, 13, /unexpected string/, "a regex /…/ after =~"],
    ["= with a regex", variant(7, "  when a = /x/"), 7, 12, /a regex needs `=~`/],
    ["back-reference", variant(7, "  when a =~ /(a)\\1/"), 7, 17, /re2: invalid escape sequence: \\1.*back-references and look-around/],
    ["look-ahead", variant(7, "  when a =~ /a(?=b)/"), 7, 15, /re2: invalid perl operator: \(\?=/],
    ["look-behind", variant(7, "  when a =~ /x(?<!b)y/"), 7, 15, /re2: invalid .*\(\?<!?/],
    ["bad repetition", variant(7, "  when a =~ /a**/"), 7, 15, /re2: bad repetition operator: \*\*/],
    ["unterminated regex", variant(7, "  when a =~ /abc"), 7, 13, /unterminated regex/, "a closing `/` on the same line (write `\\/` for a slash inside)"],
    ["unknown regex flag", variant(7, "  when a =~ /x/q"), 7, 16, /unknown regex flag `q`/, "`i`, `s` or `m`"],
    ["empty regex", variant(7, "  when a =~ //"), 7, 13, /empty regex/],
    ["unclosed paren", variant(7, '  when (a = "x"'), 7, 16, /unexpected end of field/, "`and`, `or` or `)`"],
    ["missing and", variant(7, '  when a = "x" b = "y"'), 7, 16, /unexpected `b`/, "`and`, `or` or end of condition"],
    ["contains a number", variant(7, "  when a contains 5"), 7, 19, /unexpected/, "a quoted string after contains"],
    ["> a string", variant(7, '  when a > "x"'), 7, 12, /unexpected string/, "a number after >"],
    ["empty list", variant(7, "  when a in []"), 7, 14, /unexpected `]` in the list/],
    ["trailing comma", variant(7, '  when a in ["x", ]'), 7, 19, /unexpected `]` in the list/],
    ["bad CIDR", variant(7, "  when a in [10.0.0.0/33]"), 7, 14, /bad address or CIDR `10.0.0.0\/33`/],
    ["in without list", variant(7, '  when a in "x"'), 7, 13, /unexpected string/, "`[` starting the list after `in`"],
    ["list without comma", variant(7, '  when a in ["x" "y"]'), 7, 18, /unexpected string in the list/, "`,` or `]`"],
    ["unknown $field", variant(7, "  when $foo = 1"), 7, 8, /unknown record field `\$foo`/, "`$ip`"],
    ["all(...) exists", variant(7, "  when all(a) exists"), 7, 15, /`exists` takes a bare path/],
    ["all without )", variant(7, '  when all(a = "x"'), 7, 14, /unexpected `=`/, "`)` closing the path"],
    ["bad escape", variant(7, '  when a = "x\\q"'), 7, 14, /invalid escape in string/],
    ["unterminated string", variant(7, '  when a = "x'), 7, 12, /unterminated string/],
    ["empty condition", variant(7, "  when"), 7, 7, /empty condition/],
    ["path starting with a digit", variant(7, '  when 1a = "x"'), 7, 8, /unexpected/, "a path"],
    ["bad index", variant(7, '  when a[x] = "y"'), 7, 9, /bad list index/],
    ["state", variant(5, "  state published"), 5, 9, /unexpected `published`/, "`active`, `testing` or `disabled`"],
    ["order word", variant(4, "  order high"), 4, 9, /unexpected `high`/, "an integer order (lower wins)"],
    ["order fraction", variant(4, "  order 1.5"), 4, 9, /order must be an integer/],
    ["unknown kind", variant(6, "  applies_to x509, smtp"), 6, 20, /unknown kind `smtp`/, "`x509`"],
    ["kind twice", variant(6, "  applies_to x509,x509"), 6, 19, /given twice/],
    ["unquoted tag value", variant(8, "  tag vendor=ASUS"), 8, 14, /unexpected `ASUS`/, "a quoted value after `vendor=`"],
    ["reserved tag key", variant(8, '  tag rule="x"'), 8, 7, /reserved/],
    ["tag key twice", variant(8, '  tag vendor="x" vendor="y"'), 8, 18, /given twice/],
    ["capture without regex", variant(8, '  tag vendor="${1}"'), 8, 7, /no `=~` regex outside `not`/],
    ["bad capture syntax", variant(8, '  tag vendor="a${x"'), 8, 16, /bad capture reference/, "`${N}` or `${name}`"],
    ["bad JSON", variant(9, '  example match {"a": }'), 9, 24, /invalid JSON in example/],
    ["JSON not an object", variant(9, "  example match [1]"), 9, 17, /unexpected `\[`/, "a JSON object `{…}` (the record the rule sees)"],
    ["example kind", variant(9, '  example maybe {"a": 1}'), 9, 11, /unexpected `maybe`/, "`match` or `nomatch`"],
    ["unquoted description", variant(2, "  description d"), 2, 15, /unexpected `d`/, "a quoted description"],
    ["missing order", variant(4, null), 1, 6, /lacks `order`/, "a `order` line"],
    ["missing examples", variant(10, null), 1, 6, /no `example nomatch`/],
    ["field twice", variant(4, "  group H"), 4, 3, /`group` given twice in one rule \(first on line 3\)/],
    ["unknown field", variant(4, ["  order 1", "  priority 5"]), 5, 3, /unknown field `priority`/, "`description`"],
    ["unknown first field", variant(2, ["  colour red", '  description "d"']), 2, 3, /unknown field `colour`/],
    ["expect after nomatch", variant(10, ['  example nomatch {"a": "y"}', '  expect vendor="V"']), 11, 3, /`expect` must follow an `example match` line/],
    ["extra after rule name", variant(1, "rule R extra"), 1, 8, /unexpected `extra` after the rule name/],
    ["bad rule name", variant(1, "rule R/x"), 1, 7, /invalid character `\/` in rule name/],
    ["rule without name", variant(1, "rule"), 1, 5, /rule without a name/],
    ["unindented line", `foo\n${variant(1, "rule R")}`, 1, 1, /unexpected `foo` at the start of a line/, "`rule NAME`"],
    ["indented line first", `  order 1\n${variant(1, "rule R")}`, 1, 3, /indented line outside a rule/],
  ];

  it.each(cases)("%s", (_name, text, line, column, message, expected) => {
    const e = firstError(text);
    expect(e).toBeInstanceOf(RuleSyntaxError);
    expect({ line: e.line, column: e.column }, e.message).toEqual({ line, column });
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`t.rules:${line}:${column}: `)).toBe(true);
    if (expected !== undefined) expect(e.message).toContain(expected);
    expect(e.exitCode).toBe(2);
  });

  it("reports the errors of every rule of a file, and keeps the good rules out of trouble", () => {
    const text = [
      variant(7, "  when a = "),
      variant(5, "  state nope").replace("rule R", "rule S"),
      BASE.join("\n").replace("rule R", "rule T"),
      variant(4, "  order x").replace("rule R", "rule U"),
    ].join("\n");
    const { rules, errors } = parseRules(text, "t.rules");
    expect(errors.map((e) => [e.line, e.rule])).toEqual([
      [7, "R"],
      [16, "S"],
      [36, "U"],
    ]);
    expect(rules.map((r) => r.name)).toEqual(["T"]);
  });

  it("reports several errors inside one rule", () => {
    const text = variant(5, "  state nope").replace("  order 1", "  order x");
    expect(parseRules(text, "t.rules").errors.map((e) => e.line)).toEqual([4, 5]);
  });

  it("refuses a rule name used twice in one file", () => {
    const text = `${BASE.join("\n")}\n${BASE.join("\n")}\n`;
    const { errors, rules } = parseRules(text, "t.rules");
    expect(errors.map((e) => [e.line, e.column, e.reason])).toEqual([[11, 6, "duplicate rule name `R` (first defined on line 1)"]]);
    expect(rules).toHaveLength(1);
  });

  it("checks capture references against the regexes' groups", () => {
    const withTag = (when: string, tag: string) => variant(7, `  when ${when}`).replace('tag vendor="V"', `tag ${tag}`);
    expect(firstError(withTag("a =~ /(x)/", 'model="${2}"')).reason).toMatch(/at most 1 group/);
    expect(firstError(withTag("a =~ /(?<m>x)/", 'model="${n}"')).reason).toMatch(/no regex of the condition has a group named `n`/);
    expect(firstError(withTag("not a =~ /(x)/", 'model="${1}"')).reason).toMatch(/no `=~` regex outside `not`/);
    expect(parseRules(withTag("a =~ /(x)/ and b =~ /(y)(z)/", 'model="${2}"'), "t").errors).toEqual([]);
  });

  it("formats the expected list as prose", () => {
    const e = firstError(variant(5, "  state nope"));
    expect(e.message).toBe("t.rules:5:9: unexpected `nope` (expected `active`, `testing` or `disabled`)");
  });
});

/**
 * A condition as canonical text: the same condition written differently (operands of `and`/`or` in
 * another order, extra parentheses, other spacing) gives the same text. Lint uses it to find rules
 * with duplicate conditions and tests contradicted by their own negation.
 */
import type { Condition, Scalar, TestNode, TestValue } from "./ast.js";

function scalar(v: Scalar): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

function value(v: TestValue): string {
  switch (v.type) {
    case "none":
      return "";
    case "scalar":
      return ` ${scalar(v.value)}`;
    case "regex":
      return ` /${v.regex.source}/${[...v.regex.flags].sort().join("")}`;
    case "list":
      return ` [${[...v.values.map(scalar), ...v.cidrs].sort().join(", ")}]`;
  }
}

export function canonicalTest(t: TestNode): string {
  const path = t.quantifier === "all" ? `all(${t.path.text})` : t.path.text;
  return `${path} ${t.op}${value(t.value)}`;
}

export function canonical(c: Condition): string {
  switch (c.type) {
    case "test":
      return canonicalTest(c);
    case "not":
      return `not ${canonical(c.item)}`;
    case "and":
    case "or": {
      // Flatten nested and/and, or/or, then sort.
      const parts: string[] = [];
      const collect = (x: Condition): void => {
        if (x.type === c.type) x.items.forEach(collect);
        else parts.push(canonical(x));
      };
      collect(c);
      return `(${[...new Set(parts)].sort().join(` ${c.type} `)})`;
    }
  }
}

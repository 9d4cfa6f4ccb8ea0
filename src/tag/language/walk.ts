/** Walking a condition tree: its tests in written order, and whether each sits under a `not`. */
import type { Condition, TestNode } from "./ast.js";

export interface TestVisit {
  test: TestNode;
  /** False under an odd number of `not`s. */
  positive: boolean;
}

export function conditionTests(cond: Condition): TestVisit[] {
  const out: TestVisit[] = [];
  const walk = (c: Condition, positive: boolean): void => {
    if (c.type === "test") out.push({ test: c, positive });
    else if (c.type === "not") walk(c.item, !positive);
    else for (const item of c.items) walk(item, positive);
  };
  walk(cond, true);
  return out;
}

export function regexTests(cond: Condition): TestVisit[] {
  return conditionTests(cond).filter((t) => t.test.value.type === "regex");
}

/**
 * The index's paths of plain names as one tree, so that a record is walked once however many indexed
 * paths share a prefix (`subject.common_name`, `subject.organization`, … all go through `subject`).
 * Same semantics as language/paths.ts: lists met on the way or at the end are walked element by
 * element, nulls and wrong types yield nothing, inherited properties are never reached.
 */
export type Sink = (value: unknown) => unknown;

export interface TrieNode {
  names: string[];
  children: TrieNode[];
  /** Per child: the name is one objects inherit (`constructor`, …), so it needs an own-property check. */
  inherited: boolean[];
  /** Called with every value a path ending here reaches. */
  sinks: Sink[];
}

function node(): TrieNode {
  return { names: [], children: [], inherited: [], sinks: [] };
}

export function buildTrie(paths: ReadonlyArray<{ names: readonly string[]; sink: Sink }>): TrieNode {
  const root = node();
  for (const { names, sink } of paths) {
    let at = root;
    for (const name of names) {
      let i = at.names.indexOf(name);
      if (i === -1) {
        i = at.names.push(name) - 1;
        at.children.push(node());
        at.inherited.push(name in Object.prototype);
      }
      at = at.children[i]!;
    }
    at.sinks.push(sink);
  }
  return root;
}

/**
 * The walk, as straight-line code per tree node with the names as constant keys: V8 then uses named
 * property loads, which stay fast across the many object shapes records come in (a loop over the names
 * with `value[name]` measured ~25 % slower over the whole tagger). Names are embedded as JSON string
 * literals: no code can be injected through a rule file.
 */
export function compileTrie(root: TrieNode): (value: unknown) => void {
  const fns: string[] = [];
  const sinks: Sink[] = [];
  const emit = (at: TrieNode): number => {
    const id = fns.length;
    fns.push("");
    const lines = [
      `function f${id}(v) {`,
      "  if (v === null || v === undefined) return;",
      `  if (Array.isArray(v)) { for (let k = 0; k < v.length; k++) f${id}(v[k]); return; }`,
    ];
    for (const sink of at.sinks) lines.push(`  s[${sinks.push(sink) - 1}](v);`);
    if (at.names.length > 0) {
      lines.push("  if (typeof v !== 'object') return;");
      at.names.forEach((name, i) => {
        const child = emit(at.children[i]!);
        const key = JSON.stringify(name);
        lines.push(at.inherited[i] ? `  if (Object.hasOwn(v, ${key})) f${child}(v[${key}]);` : `  f${child}(v[${key}]);`);
      });
    }
    lines.push("}");
    fns[id] = lines.join("\n");
    return id;
  };
  emit(root);
  const make = new Function("s", `${fns.join("\n")}\nreturn f0;`) as (s: Sink[]) => (value: unknown) => void;
  return make(sinks);
}

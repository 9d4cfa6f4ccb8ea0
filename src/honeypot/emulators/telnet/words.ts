/**
 * Splits a shell command line the way ash would for the commands bots type: quotes ('…', "…" with
 * \\ \" \$ \` escapes, bare backslash), `;` `&&` `||` `&` between commands, `|` pipes, `>` `>>` `<`
 * `2>` `2>&1` redirections, `#` comments. No expansion of any kind ($VAR, $(…), globs stay literal):
 * nothing the attacker types is ever evaluated. Text is latin1 (one char per byte), so `echo -ne`
 * can write back exactly the bytes it was given. Bounded: at most MAX_WORDS words per line.
 */
export type Token = { kind: "word"; text: string } | { kind: "op"; op: ";" | "&&" | "||" | "|" } | { kind: "redir"; op: ">" | ">>" | "<" | "2>" | "2>>" | "2>&1" };

const MAX_WORDS = 512;

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let word = "";
  let inWord = false;
  const endWord = () => {
    if (inWord && tokens.length < MAX_WORDS) tokens.push({ kind: "word", text: word });
    word = "";
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === " " || c === "\t") {
      endWord();
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word += end === -1 ? line.slice(i + 1) : line.slice(i + 1, end);
      inWord = true;
      i = end === -1 ? line.length : end;
    } else if (c === '"') {
      inWord = true;
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\" && i + 1 < line.length && '\\"$`'.includes(line[i + 1]!)) i++;
        word += line[i]!;
      }
    } else if (c === "\\") {
      inWord = true;
      if (i + 1 < line.length) word += line[++i]!;
    } else if (c === "#" && !inWord) {
      break;
    } else if (c === ";" || c === "\n") {
      endWord();
      tokens.push({ kind: "op", op: ";" });
    } else if (c === "&") {
      endWord();
      if (line[i + 1] === "&") {
        i++;
        tokens.push({ kind: "op", op: "&&" });
      } else tokens.push({ kind: "op", op: ";" }); // background: runs (not) like anything else here
    } else if (c === "|") {
      endWord();
      if (line[i + 1] === "|") {
        i++;
        tokens.push({ kind: "op", op: "||" });
      } else tokens.push({ kind: "op", op: "|" });
    } else if (c === ">" || c === "<") {
      const fd2 = inWord && word === "2";
      if (fd2) {
        word = "";
        inWord = false;
      } else endWord();
      if (c === "<") tokens.push({ kind: "redir", op: "<" });
      else if (line[i + 1] === ">") {
        i++;
        tokens.push({ kind: "redir", op: fd2 ? "2>>" : ">>" });
      } else if (fd2 && line.startsWith("&1", i + 1)) {
        i += 2;
        tokens.push({ kind: "redir", op: "2>&1" });
      } else tokens.push({ kind: "redir", op: fd2 ? "2>" : ">" });
    } else {
      word += c;
      inWord = true;
    }
  }
  endWord();
  return tokens;
}

export interface SimpleCommand {
  words: string[];
  stdout?: { file: string; append: boolean };
  stderr?: { file: string } | "stdout";
  stdin?: string;
}

/** A list of pipelines joined by `;`, `&&`, `||` (the operator before each, ";" for the first). */
export interface Pipeline {
  op: ";" | "&&" | "||";
  commands: SimpleCommand[];
}

export function parseLine(line: string): Pipeline[] {
  const pipelines: Pipeline[] = [];
  let pipeline: Pipeline = { op: ";", commands: [] };
  let cmd: SimpleCommand = { words: [] };
  const tokens = tokenize(line);
  const endCommand = () => {
    if (cmd.words.length > 0 || cmd.stdout) pipeline.commands.push(cmd);
    cmd = { words: [] };
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "word") cmd.words.push(t.text);
    else if (t.kind === "redir") {
      if (t.op === "2>&1") {
        cmd.stderr = "stdout";
        continue;
      }
      const next = tokens[i + 1];
      if (next?.kind !== "word") continue;
      i++;
      if (t.op === ">" || t.op === ">>") cmd.stdout = { file: next.text, append: t.op === ">>" };
      else if (t.op === "<") cmd.stdin = next.text;
      else cmd.stderr = { file: next.text };
    } else if (t.op === "|") endCommand();
    else {
      endCommand();
      if (pipeline.commands.length > 0) pipelines.push(pipeline);
      pipeline = { op: t.op, commands: [] };
    }
  }
  endCommand();
  if (pipeline.commands.length > 0) pipelines.push(pipeline);
  return pipelines;
}

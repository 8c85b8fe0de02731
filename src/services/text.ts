/**
 * Text Postgres cannot store. `text` and `jsonb` refuse U+0000 ("\u0000"), and `jsonb` refuses
 * a UTF-16 surrogate without its pair ("\ud800" alone), which `text` would silently turn into
 * U+FFFD. A request carrying either is refused as BAD_USER_INPUT where it enters (the GraphQL
 * edge checks every argument and variable, src/graphql/text.ts; names are checked by their
 * services), not when a row holding it fails to commit, possibly beside other requests' rows.
 */
import { InvalidInputError } from "../core/errors.ts";

/** String.prototype.isWellFormed (Node ≥ 20, ES2024): false when a surrogate lacks its pair. Native: the regex scan it replaced took ~95 ms of the event loop on a 20 MB string. */
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Why `text` cannot be stored, or null when it can. */
export function textProblem(text: string): string | null {
  if (text.includes("\u0000")) return "a NUL character (U+0000)";
  if (!isWellFormed(text)) return "an unpaired UTF-16 surrogate (invalid Unicode)";
  return null;
}

/**
 * The first string in `value` (object keys included, at any depth) that cannot be stored, with
 * its path (`inputs[3].city`), or null. Iterative, so a deeply nested value cannot overflow the stack.
 */
export function findBadText(value: unknown, path: string): { path: string; problem: string } | null {
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === "string") {
      const problem = textProblem(v);
      if (problem) return { path: at, problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}[${i}]`]);
    } else if (v !== null && typeof v === "object") {
      for (const key of Object.keys(v)) {
        const problem = textProblem(key);
        if (problem) return { path: `${at}.${JSON.stringify(key).slice(1, -1)}`, problem: `a key holding ${problem}` };
        stack.push([(v as Record<string, unknown>)[key], `${at}.${key}`]);
      }
    }
  }
  return null;
}

/** Throws BAD_USER_INPUT naming `field` (and the path inside it) when `value` holds text that cannot be stored. */
export function checkText(value: unknown, field: string): void {
  const bad = findBadText(value, field);
  if (bad) throw new InvalidInputError(badTextMessage(bad), { field: shortPath(bad.path) });
}

export function badTextMessage(bad: { path: string; problem: string }): string {
  return `${shortPath(bad.path)} holds ${bad.problem}, which cannot be stored: remove it, or send text as valid Unicode without NUL characters.`;
}

/** A path as echoed back: keys are the caller's text, of any length. */
export function shortPath(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

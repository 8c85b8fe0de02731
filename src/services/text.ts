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

/** A container on the way down, with how to name it (paths are built only for what is refused). */
interface Frame {
  value: object;
  parent: Frame | null;
  step: string;
}

function pathOf(frame: Frame, last = ""): string {
  const steps = [last];
  for (let f: Frame | null = frame; f; f = f.parent) steps.push(f.step);
  return steps.reverse().join("");
}

/**
 * The first string in `value` (object keys included, at any depth) that cannot be stored, with
 * its path (`$inputs[3].city`), or null. Iterative, so a deeply nested value cannot overflow the
 * stack; strings are checked where they are met, so only containers take memory on the way.
 */
export function findBadText(value: unknown, path: string): { path: string; problem: string } | null {
  if (typeof value === "string") {
    const problem = textProblem(value);
    return problem ? { path, problem } : null;
  }
  if (value === null || typeof value !== "object") return null;
  const stack: Frame[] = [{ value, parent: null, step: path }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const container = frame.value;
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const item: unknown = container[i];
        if (typeof item === "string") {
          const problem = textProblem(item);
          if (problem) return { path: pathOf(frame, `[${i}]`), problem };
        } else if (item !== null && typeof item === "object") stack.push({ value: item, parent: frame, step: `[${i}]` });
      }
    } else {
      for (const key of Object.keys(container)) {
        const keyProblem = textProblem(key);
        if (keyProblem) return { path: pathOf(frame, `.${JSON.stringify(key).slice(1, -1)}`), problem: `a key holding ${keyProblem}` };
        const item: unknown = (container as Record<string, unknown>)[key];
        if (typeof item === "string") {
          const problem = textProblem(item);
          if (problem) return { path: pathOf(frame, `.${key}`), problem };
        } else if (item !== null && typeof item === "object") stack.push({ value: item, parent: frame, step: `.${key}` });
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

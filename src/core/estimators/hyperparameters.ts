/**
 * Declared hyperparameter tables and their validation (scikit-learn's `_parameter_constraints`
 * with `Interval` / `StrOptions`). Each estimator declares one table; `fit` checks its params
 * against it, and the API can call `validateHyperparameters` before queueing a training job.
 */
import { InvalidInputError } from "../errors.ts";

/**
 * An interval of the real line; `null` bounds are unbounded. `closed` says which finite
 * ends belong to it, as in sklearn's `Interval(Real, 0, None, closed="left")`.
 */
export interface Interval {
  low: number | null;
  high: number | null;
  closed: "both" | "left" | "right" | "neither";
}

interface SpecBase {
  description: string;
}

export type HyperparameterSpec =
  | (SpecBase & { type: "float"; interval: Interval; default: number })
  | (SpecBase & { type: "int"; interval: Interval; default: number })
  | (SpecBase & { type: "bool"; default: boolean })
  | (SpecBase & { type: "enum"; values: readonly string[]; default: string });

/** name → spec, in the order the API should list them. */
export type HyperparameterTable = Readonly<Record<string, HyperparameterSpec>>;

/** The defaults of a table, as a fresh params object. */
export function defaultHyperparameters(table: HyperparameterTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) out[name] = spec.default;
  return out;
}

/**
 * Check `params` against `table` and return them with defaults filled in.
 *
 * Throws InvalidInputError with `details.field = "hyperparameters.<name>"` for an unknown
 * name, a value of the wrong type, NaN/±Infinity, a non-integer where an int is declared,
 * or a value outside its interval / enumeration. Messages say what is allowed.
 *
 * @param estimator name used in messages (e.g. "LogisticRegression")
 */
export function validateHyperparameters(
  estimator: string,
  table: HyperparameterTable,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const out = defaultHyperparameters(table);
  for (const [name, value] of Object.entries(params)) {
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    const field = `hyperparameters.${name}`;
    if (!spec) {
      const known = Object.keys(table).join(", ");
      throw new InvalidInputError(`${estimator} has no hyperparameter "${name}"; valid names are: ${known}.`, {
        field,
      });
    }
    // `undefined` means "not given" (a GraphQL input with the field omitted): keep the default.
    if (value === undefined) continue;
    checkValue(estimator, name, spec, value, field);
    out[name] = value;
  }
  return out;
}

function checkValue(estimator: string, name: string, spec: HyperparameterSpec, value: unknown, field: string): void {
  const fail = (what: string): never => {
    throw new InvalidInputError(
      `${estimator}: hyperparameter "${name}" must be ${what}; got ${describe(value)}.`,
      { field },
    );
  };
  const allowed = describeAllowed(spec);
  switch (spec.type) {
    case "bool":
      if (typeof value !== "boolean") fail(allowed);
      return;
    case "enum":
      if (typeof value !== "string" || !spec.values.includes(value)) fail(allowed);
      return;
    case "float":
    case "int":
      if (typeof value !== "number" || !Number.isFinite(value)) fail(allowed);
      if (spec.type === "int" && !Number.isInteger(value)) fail(allowed);
      if (!inInterval(value as number, spec.interval)) fail(allowed);
      return;
  }
}

/** What a spec accepts, in words: "a finite number in (0, ∞)", "one of \"hinge\", …". */
export function describeAllowed(spec: HyperparameterSpec): string {
  switch (spec.type) {
    case "bool":
      return "a boolean (true or false)";
    case "enum":
      return `one of ${spec.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "float":
      return `a finite number in ${formatInterval(spec.interval)}`;
    case "int":
      return `an integer in ${formatInterval(spec.interval)}`;
  }
}

export function inInterval(v: number, { low, high, closed }: Interval): boolean {
  const leftClosed = closed === "both" || closed === "left";
  const rightClosed = closed === "both" || closed === "right";
  if (low !== null && (leftClosed ? v < low : v <= low)) return false;
  if (high !== null && (rightClosed ? v > high : v >= high)) return false;
  return true;
}

/** "[0, ∞)", "(0, 1]"… in the usual notation. */
export function formatInterval({ low, high, closed }: Interval): string {
  const left = low === null ? "(-∞" : `${closed === "both" || closed === "left" ? "[" : "("}${low}`;
  const right = high === null ? "∞)" : `${high}${closed === "both" || closed === "right" ? "]" : ")"}`;
  return `${left}, ${right}`;
}

function describe(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  return typeof value;
}

/**
 * Declared hyperparameter tables (scikit-learn's `_parameter_constraints`): every estimator
 * lists its parameters once, with type, allowed values and default; `fit` and the API check
 * user input against the same table.
 */
import { InvalidInputError } from "../errors.ts";

export type ParamSpec =
  | { type: "float"; default: number; min?: number; max?: number; exclusiveMin?: boolean; description: string }
  | { type: "int"; default: number; min?: number; max?: number; description: string }
  | { type: "bool"; default: boolean; description: string }
  | { type: "enum"; default: string; values: readonly string[]; description: string };

export type ParamTable = Record<string, ParamSpec>;

/** The allowed values as people write them: `(0, inf)`, `[1, 1000000]`, `squared_hinge | hinge`. */
export function describeAllowed(spec: ParamSpec): string {
  switch (spec.type) {
    case "bool":
      return "true | false";
    case "enum":
      return spec.values.join(" | ");
    default: {
      const low = spec.min === undefined ? "(-inf" : `${spec.type === "float" && spec.exclusiveMin ? "(" : "["}${spec.min}`;
      const high = spec.max === undefined ? "inf)" : `${spec.max}]`;
      return `${low}, ${high}`;
    }
  }
}

/**
 * Check `params` against `table` and fill defaults. An unknown name, a wrong type or a value
 * out of range throws InvalidInputError with `field: "hyperparameters.<name>"`.
 */
export function resolveParams(kind: string, table: ParamTable, params: Record<string, unknown>): Record<string, unknown> {
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new InvalidInputError(`hyperparameters must be an object of name → value.`, { field: "hyperparameters" });
  }
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(params)) {
    if (!(name in table)) {
      throw new InvalidInputError(
        `${kind} has no hyperparameter ${JSON.stringify(name)}; it accepts ${Object.keys(table).join(", ") || "none"}.`,
        { field: `hyperparameters.${name}` },
      );
    }
  }
  for (const [name, spec] of Object.entries(table)) {
    const value = params[name] ?? spec.default;
    const field = `hyperparameters.${name}`;
    const bad = () =>
      new InvalidInputError(`${kind} hyperparameter ${name} must be ${spec.type} in ${describeAllowed(spec)}, got ${JSON.stringify(value)}.`, { field });
    switch (spec.type) {
      case "bool":
        if (typeof value !== "boolean") throw bad();
        break;
      case "enum":
        if (typeof value !== "string" || !spec.values.includes(value)) throw bad();
        break;
      case "int":
      case "float": {
        if (typeof value !== "number" || !Number.isFinite(value)) throw bad();
        if (spec.type === "int" && !Number.isInteger(value)) throw bad();
        if (spec.min !== undefined && (value < spec.min || (spec.type === "float" && spec.exclusiveMin && value === spec.min))) throw bad();
        if (spec.max !== undefined && value > spec.max) throw bad();
      }
    }
    out[name] = value;
  }
  return out;
}

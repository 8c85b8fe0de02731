/**
 * Versioned serialization shared by the preprocessing transformers (STYLE §6): `toJSON()` gives
 * `{ kind, version, params, state }`; `fromJSON` checks kind and version before reading state.
 */
import { InvalidInputError } from "../errors.ts";
import type { SerializedEstimator } from "../estimators/types.ts";

export type { SerializedEstimator };

/** Check that `json` is a serialized `kind` at `version`, and return it typed. */
export function checkSerialized(json: unknown, kind: string, version: number): SerializedEstimator {
  const value = json as Partial<SerializedEstimator> | null;
  if (value === null || typeof value !== "object" || typeof value.params !== "object" || typeof value.state !== "object") {
    throw new InvalidInputError(`Expected a serialized ${kind} ({ kind, version, params, state }).`, { field: "kind" });
  }
  if (value.kind !== kind) {
    throw new InvalidInputError(`Expected a serialized ${kind}, got ${JSON.stringify(value.kind)}.`, { field: "kind" });
  }
  if (value.version !== version) {
    throw new InvalidInputError(`${kind} version ${JSON.stringify(value.version)} is not supported (this build reads version ${version}); refit the model.`, { field: "version" });
  }
  return value as SerializedEstimator;
}

/** Throw InvalidInputError unless `value` is one of `allowed`. */
export function checkEnum<T extends string | null>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) {
    throw new InvalidInputError(`${field} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(value)}.`, { field });
  }
  return value as T;
}

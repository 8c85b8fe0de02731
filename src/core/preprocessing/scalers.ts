/**
 * The numeric scalers a FeaturePipeline column may use, by name. Each is an affine map
 * x' = (x − center) / scale learned on the training rows, so the pipeline applies, serializes
 * and reports them (Standardization, raw-unit coefficients) the same way:
 *
 * | scale      | scikit-learn       | center      | scale                          |
 * |------------|--------------------|-------------|--------------------------------|
 * | `standard` | StandardScaler()   | mean        | population std (1 if constant) |
 * | `minmax`   | MinMaxScaler()     | minimum     | max − min (1 if constant)      |
 * | `robust`   | RobustScaler()     | median      | q75 − q25 (1 if zero)          |
 */
import { InvalidInputError } from "../errors.ts";
import { StandardScaler } from "./standard-scaler.ts";
import { MinMaxScaler } from "./min-max-scaler.ts";
import { RobustScaler } from "./robust-scaler.ts";

export type ScaleKind = "standard" | "minmax" | "robust";
export const SCALE_KINDS: readonly ScaleKind[] = ["standard", "minmax", "robust"];

export type Scaler = StandardScaler | MinMaxScaler | RobustScaler;

/** An unfitted scaler for a `scale` option. */
export function createScaler(kind: ScaleKind): Scaler {
  switch (kind) {
    case "standard":
      return new StandardScaler();
    case "minmax":
      return new MinMaxScaler();
    case "robust":
      return new RobustScaler();
  }
}

/** center and scale of a fitted scaler: x' = (x − center) / scale. */
export function affineOf(scaler: Scaler): { center: number; scale: number } {
  if (scaler.kind === "StandardScaler") return { center: scaler.mean_, scale: scaler.scale_ };
  return scaler.affine;
}

/** Rebuild a fitted scaler from its toJSON output, by its `kind`. */
export function scalerFromJSON(json: unknown): Scaler {
  const kind = (json as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case "StandardScaler":
      return StandardScaler.fromJSON(json);
    case "MinMaxScaler":
      return MinMaxScaler.fromJSON(json);
    case "RobustScaler":
      return RobustScaler.fromJSON(json);
    default:
      throw new InvalidInputError(`Expected a serialized StandardScaler, MinMaxScaler or RobustScaler, got ${JSON.stringify(kind)}.`, { field: "kind" });
  }
}

import { describe, it } from "vitest";
import cases from "../../fixtures/metrics/calibration.json" with { type: "json" };
import { calibrationCurve } from "../../../src/core/metrics/calibration.ts";
import { expectAllClose } from "../../support/close.ts";

describe("calibrationCurve against scikit-learn's calibration_curve", () => {
  it.each(cases.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    const points = calibrationCurve(c.y, c.prob, c.bins);
    expectAllClose(points.map((p) => p.fractionPositive), c.fractionPositive, 1e-12, 0, "fraction of positives");
    expectAllClose(points.map((p) => p.meanPredicted), c.meanPredicted, 1e-12, 0, "mean predicted");
  });
});

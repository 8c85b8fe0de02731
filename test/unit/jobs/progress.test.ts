import { describe, expect, it } from "vitest";
import { ProgressMeter } from "../../../src/jobs/progress.ts";

describe("ProgressMeter", () => {
  it("measures a stage by the gap's way to tol on a log scale", () => {
    const meter = new ProgressMeter(1e-4, 1000);
    expect(meter.update({ iteration: 1, objective: 5, gap: 1, stage: 0, stages: 1 }).fraction).toBeCloseTo(0.001, 10); // 1 of 1000 iterations
    expect(meter.update({ iteration: 2, objective: 4, gap: 1e-2, stage: 0, stages: 1 }).fraction).toBeCloseTo(0.5, 10); // log(1/1e-2) / log(1/1e-4)
    expect(meter.update({ iteration: 3, objective: 3, gap: 1e-3, stage: 0, stages: 1 }).fraction).toBeCloseTo(0.75, 10);
  });

  it("spreads stages evenly, never goes backwards and stays below 1 until the job is stored", () => {
    const meter = new ProgressMeter(1e-4, 100);
    const seen = [
      meter.update({ iteration: 50, objective: 1, gap: 1, stage: 0, stages: 2 }).fraction,
      meter.update({ iteration: 60, objective: 1, gap: 10, stage: 0, stages: 2 }).fraction, // the gap grew: no step back
      meter.update({ iteration: 1, objective: 1, gap: 1, stage: 1, stages: 2 }).fraction,
      meter.update({ iteration: 100, objective: 1, gap: 1e-9, stage: 1, stages: 2 }).fraction,
    ];
    expect(seen[0]).toBeCloseTo(0.25, 10);
    expect(seen[1]).toBeCloseTo(0.3, 10);
    expect(seen[2]).toBeCloseTo(0.505, 10);
    expect(seen[3]).toBe(0.99);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  });

  it("falls back to the share of max_iter without a gap or tol", () => {
    const meter = new ProgressMeter(undefined, 200);
    expect(meter.update({ iteration: 50, objective: 2, stage: 0, stages: 1 })).toEqual({ iteration: 50, objective: 2, fraction: 0.25, stage: 0, stages: 1 });
  });
});

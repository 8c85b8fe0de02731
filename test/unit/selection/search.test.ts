/**
 * Counting a search's candidates without building them (issue 22: a 6 × 30 grid or a billion
 * random trials built every candidate before the 500-fit limit was checked, then ran out of
 * heap). The count must equal what the builders build, and come back at once for spaces no
 * heap could hold.
 */
import { describe, expect, it } from "vitest";
import { candidateCount, parameterGrid, parameterSample } from "../../../src/core/selection/search.ts";
import { InvalidInputError } from "../../../src/core/errors.ts";

const values = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("candidateCount", () => {
  it.each([
    [{ alpha: values(4) }],
    [{ alpha: values(3), fit_intercept: [true, false] }],
    [{ a: values(2), b: values(5), c: values(1), d: values(3) }],
  ])("GRID: equals the length of parameterGrid(%j)", (space) => {
    expect(candidateCount(space, "GRID", 10)).toBe(parameterGrid(space).length);
  });

  it("RANDOM: equals the length of parameterSample (trials), whatever the space", () => {
    const space = { alpha: { low: 0.1, high: 10, log: true }, l1_ratio: [0.1, 0.5] };
    expect(candidateCount(space, "RANDOM", 7)).toBe(parameterSample(space, 7, 0).length);
  });

  it("counts six hyperparameters × 30 values (729 million) and a billion trials without building them", () => {
    const grid = Object.fromEntries(["a", "b", "c", "d", "e", "f"].map((name) => [name, values(30)]));
    const started = performance.now();
    expect(candidateCount(grid, "GRID", 10)).toBe(30 ** 6);
    expect(candidateCount(grid, "RANDOM", 1_000_000_000)).toBe(1_000_000_000);
    // Building even one percent of either would take seconds and gigabytes.
    expect(performance.now() - started).toBeLessThan(100);
  });

  it.each([
    ["an empty space", {}, "GRID", 1, "space"],
    ["an empty list", { alpha: [] }, "GRID", 1, "space.alpha"],
    ["a range in a grid", { alpha: { low: 1, high: 2 } }, "GRID", 1, "space.alpha"],
    ["zero trials", { alpha: [1] }, "RANDOM", 0, "trials"],
    ["fractional trials", { alpha: [1] }, "RANDOM", 1.5, "trials"],
  ] as const)("refuses %s as the builders do, naming the field", (_case, space, strategy, trials, field) => {
    expect(() => candidateCount(space, strategy, trials)).toThrow(InvalidInputError);
    try {
      candidateCount(space, strategy, trials);
    } catch (e) {
      expect((e as InvalidInputError).details.field).toBe(field);
    }
  });
});

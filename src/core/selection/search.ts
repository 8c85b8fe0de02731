/**
 * Hyperparameter search spaces: scikit-learn's ParameterGrid (every combination of listed
 * values) and ParameterSampler (values drawn per trial; a list is sampled uniformly, a range
 * `{ low, high, log?, integer? }` uniformly or log-uniformly). Seeded: same seed, same trials.
 */
import { InvalidInputError } from "../errors.ts";
import { createRandom } from "../random.ts";

export type Candidate = Record<string, unknown>;
export type Range = { low: number; high: number; log?: boolean; integer?: boolean };
export type Space = Record<string, unknown[] | Range>;

function checkSpace(space: unknown, allowRanges: boolean): asserts space is Space {
  if (space === null || typeof space !== "object" || Array.isArray(space) || Object.keys(space).length === 0) {
    throw new InvalidInputError("space must be a non-empty object of hyperparameter → values.", { field: "space" });
  }
  for (const [name, values] of Object.entries(space)) {
    const field = `space.${name}`;
    if (Array.isArray(values)) {
      if (values.length === 0) throw new InvalidInputError(`space.${name} lists no values; give at least one.`, { field });
      continue;
    }
    if (!allowRanges) throw new InvalidInputError(`A grid takes lists of values; space.${name} is not a list.`, { field });
    const r = values as Range;
    if (!r || typeof r !== "object" || !Number.isFinite(r.low) || !Number.isFinite(r.high) || !(r.low <= r.high) || (r.log && !(r.low > 0))) {
      throw new InvalidInputError(`space.${name} must be a list of values or { low, high, log?, integer? } with low ≤ high (and low > 0 when log).`, { field });
    }
  }
}

/**
 * How many candidates parameterGrid (GRID: the product of the lists' lengths) or
 * parameterSample (RANDOM: `trials`) would build, counted without building any, so that a
 * request can be refused before a 30⁶-candidate grid or a billion trials exhausts the heap.
 * The space is checked as the builders check it.
 */
export function candidateCount(space: unknown, strategy: "GRID" | "RANDOM", trials: number): number {
  if (strategy === "RANDOM") {
    checkSpace(space, true);
    if (!Number.isInteger(trials) || trials < 1) throw new InvalidInputError(`trials must be a positive integer, got ${trials}.`, { field: "trials" });
    return trials;
  }
  checkSpace(space, false);
  let count = 1;
  for (const values of Object.values(space) as unknown[][]) count *= values.length;
  return count;
}

/** Every combination, in the order of the keys then values (ParameterGrid's order). */
export function parameterGrid(space: unknown): Candidate[] {
  checkSpace(space, false);
  let out: Candidate[] = [{}];
  for (const [name, values] of Object.entries(space) as [string, unknown[]][]) {
    out = out.flatMap((partial) => values.map((value) => ({ ...partial, [name]: value })));
  }
  return out;
}

/** `trials` candidates drawn with `seed`. */
export function parameterSample(space: unknown, trials: number, seed: number): Candidate[] {
  checkSpace(space, true);
  if (!Number.isInteger(trials) || trials < 1) throw new InvalidInputError(`trials must be a positive integer, got ${trials}.`, { field: "trials" });
  const random = createRandom(seed);
  return Array.from({ length: trials }, () => {
    const candidate: Candidate = {};
    for (const [name, values] of Object.entries(space)) {
      if (Array.isArray(values)) {
        candidate[name] = values[random.int(0, values.length - 1)];
        continue;
      }
      const u = random.float();
      let v = values.log ? Math.exp(Math.log(values.low) + u * (Math.log(values.high) - Math.log(values.low))) : values.low + u * (values.high - values.low);
      if (values.integer) v = Math.min(values.high, Math.floor(v + 0.5));
      candidate[name] = v;
    }
    return candidate;
  });
}

/**
 * Model selection: hyperparameter search scored by cross-validation, and a leaderboard of
 * algorithms trained on one dataset and split. Both run on the request path, so both are
 * bounded: a request whose work exceeds MAX_FITS fits or MAX_ROW_FITS rows × fits is refused
 * up front with BAD_USER_INPUT naming the limit, instead of blocking the server.
 */
import { InvalidInputError } from "../core/errors.ts";
import { taskOf, validateHyperparameters, type Algorithm } from "../core/estimators/index.ts";
import { parameterGrid, parameterSample } from "../core/selection/search.ts";
import { scoringFor } from "../core/metrics/scoring.ts";
import { checkFolds, crossValidate, prepare, type Prepared } from "./fitting.ts";
import { checkModelName, type TrainingService } from "./training.ts";
import type { ModelRecord } from "./models.ts";

/** Most fits (candidates × folds) one request may run. */
export const MAX_FITS = 500;
/** Most training rows × fits one request may run (≈ a few seconds of work). */
export const MAX_ROW_FITS = 20_000_000;
const DEFAULT_FOLDS = 5;

export interface SearchInput {
  datasetId: string;
  algorithm: Algorithm;
  target: string;
  features?: string[] | null;
  space: unknown;
  strategy?: "GRID" | "RANDOM" | null;
  trials?: number | null;
  folds?: number | null;
  metric?: string | null;
  testFraction?: number | null;
  seed?: number | null;
  /** when set, the best candidate is trained as a model of this name */
  trainBest?: string | null;
}

export interface Trial {
  rank: number;
  hyperparameters: Record<string, unknown>;
  mean: number;
  std: number;
  fitSeconds: number;
}

export interface LeaderboardInput {
  datasetId: string;
  name: string;
  target: string;
  features?: string[] | null;
  candidates: { algorithm: Algorithm; hyperparameters?: unknown }[];
  metric?: string | null;
  folds?: number | null;
  testFraction?: number | null;
  seed?: number | null;
}

export interface FeatureSelectionInput {
  datasetId: string;
  algorithm: Algorithm;
  target: string;
  /** candidate columns; default every column but the target */
  features?: string[] | null;
  hyperparameters?: unknown;
  folds?: number | null;
  metric?: string | null;
  /** stop after this many features (default: all candidates) */
  maxFeatures?: number | null;
  testFraction?: number | null;
  seed?: number | null;
}

export class SelectionService {
  constructor(private readonly training: TrainingService) {}

  selectFeatures(workspaceId: string, input: FeatureSelectionInput) {
    return forwardSelection(this.training, workspaceId, input);
  }

  async searchHyperparameters(workspaceId: string, input: SearchInput) {
    const folds = input.folds ?? DEFAULT_FOLDS;
    const scoring = scoringFor(input.metric, taskOf(input.algorithm));
    const candidates = (input.strategy ?? "GRID") === "GRID" ? parameterGrid(input.space) : parameterSample(input.space, input.trials ?? 10, input.seed ?? 0);
    const resolved = candidates.map((candidate) => asSpaceError(() => validateHyperparameters(input.algorithm, candidate)));
    const trainBest = input.trainBest ? checkModelName(input.trainBest) : null;
    const plan = await this.training.plan(workspaceId, { ...input, folds });
    const prepared = prepare(plan.request(input.algorithm));
    checkFolds(prepared, folds);
    checkBudget(prepared, resolved.length * folds);

    const trials = resolved.map((hyperparameters) => {
      const started = performance.now();
      const cv = crossValidate(prepared, hyperparameters, folds)[scoring.name];
      if (!cv || typeof cv === "number") {
        throw new InvalidInputError(`Metric ${scoring.name} is undefined on these folds (e.g. a fold with one class); choose another metric.`, { field: "metric" });
      }
      return { rank: 0, hyperparameters, mean: cv.mean, std: cv.std, fitSeconds: (performance.now() - started) / 1000 };
    });
    rank(trials, (t) => t.mean, scoring.greaterIsBetter);
    const best = trials.find((t) => t.rank === 1)!;
    const model = trainBest ? await this.training.fitAndStore(workspaceId, trainBest, plan, prepared, best.hyperparameters) : null;
    return { metric: scoring.name, greaterIsBetter: scoring.greaterIsBetter, folds, trials, best, model };
  }

  /**
   * Train every candidate on the same dataset, split (and folds), each as a version of
   * `name`, ranked by the metric: the cross-validated mean when `folds` is given, else the
   * held-out test metric.
   */
  async trainLeaderboard(workspaceId: string, input: LeaderboardInput) {
    if (input.candidates.length === 0) throw new InvalidInputError("candidates must list at least one algorithm.", { field: "candidates" });
    const name = checkModelName(input.name);
    const tasks = new Set(input.candidates.map((c) => taskOf(c.algorithm)));
    if (tasks.size > 1) throw new InvalidInputError("candidates mix regression and classification algorithms; rank one task at a time.", { field: "candidates" });
    const scoring = scoringFor(input.metric, [...tasks][0]);
    const settings = input.candidates.map((c, i) =>
      asField(`candidates.${i}`, () => validateHyperparameters(c.algorithm, c.hyperparameters ?? {})),
    );
    const plan = await this.training.plan(workspaceId, { ...input, algorithm: input.candidates[0].algorithm }, input.candidates.map((c) => c.algorithm));
    // Prepare every candidate before storing any, so a refusal leaves nothing behind.
    const prepared = input.candidates.map((c) => prepare(plan.request(c.algorithm)));
    if (plan.folds !== undefined) checkFolds(prepared[0], plan.folds);
    checkBudget(prepared[0], input.candidates.length * ((plan.folds ?? 0) + 1));
    const entries: { rank: number; score: number | null; model: ModelRecord }[] = [];
    for (const [i, setting] of settings.entries()) {
      const model = await this.training.fitAndStore(workspaceId, name, plan, prepared[i], setting);
      entries.push({ rank: 0, score: scoreOf(model, scoring.name, plan.folds !== undefined), model });
    }
    rank(entries, (e) => e.score, scoring.greaterIsBetter);
    return { metric: scoring.name, greaterIsBetter: scoring.greaterIsBetter, entries: entries.sort((a, b) => a.rank - b.rank) };
  }
}

/**
 * Forward stepwise selection (Hastie, Tibshirani & Friedman, ESL §3.3.2) scored by k-fold CV:
 * start from no feature, add at each step the candidate whose addition scores best, and stop
 * when no candidate improves the score or maxFeatures is reached. Returns every step.
 */
export async function forwardSelection(training: TrainingService, workspaceId: string, input: FeatureSelectionInput) {
  const folds = input.folds ?? DEFAULT_FOLDS;
  const scoring = scoringFor(input.metric, taskOf(input.algorithm));
  const hyperparameters = validateHyperparameters(input.algorithm, input.hyperparameters ?? {});
  const plan = await training.plan(workspaceId, { ...input, folds });
  const candidates = plan.features;
  const maxFeatures = input.maxFeatures ?? candidates.length;
  if (!Number.isInteger(maxFeatures) || maxFeatures < 1) throw new InvalidInputError(`maxFeatures must be a positive integer, got ${maxFeatures}.`, { field: "maxFeatures" });
  const full = plan.request(input.algorithm);
  const base = prepare(full);
  checkFolds(base, folds);
  const k = Math.min(maxFeatures, candidates.length);
  checkBudget(base, folds * ((candidates.length * (candidates.length + 1)) / 2 - ((candidates.length - k) * (candidates.length - k + 1)) / 2));

  const better = (a: number, b: number) => (scoring.greaterIsBetter ? a > b : a < b);
  const chosen: string[] = [];
  const steps: { added: string; features: string[]; mean: number; std: number }[] = [];
  let best = scoring.greaterIsBetter ? -Infinity : Infinity;
  while (chosen.length < k) {
    let round: { name: string; mean: number; std: number } | null = null;
    for (const name of candidates.filter((c) => !chosen.includes(c))) {
      const features = [...chosen, name];
      const prepared = prepare({ ...full, features: full.features.filter((c) => features.includes(c.name)) });
      const cv = crossValidate(prepared, hyperparameters, folds)[scoring.name];
      if (!cv || typeof cv === "number") continue;
      if (!round || better(cv.mean, round.mean)) round = { name, mean: cv.mean, std: cv.std };
    }
    if (!round || !better(round.mean, best)) break;
    best = round.mean;
    chosen.push(round.name);
    steps.push({ added: round.name, features: [...chosen], mean: round.mean, std: round.std });
  }
  return { metric: scoring.name, greaterIsBetter: scoring.greaterIsBetter, folds, features: chosen, steps };
}

function checkBudget(prepared: Prepared, fits: number): void {
  if (fits > MAX_FITS) {
    throw new InvalidInputError(`This request needs ${fits} fits; at most ${MAX_FITS} run per request (limit MAX_FITS). Use fewer candidates or folds.`, { field: "space", limit: "MAX_FITS" });
  }
  const rowFits = fits * prepared.trainRows.length;
  if (rowFits > MAX_ROW_FITS) {
    throw new InvalidInputError(`This request needs ${fits} fits over ${prepared.trainRows.length} rows; at most ${MAX_ROW_FITS} row-fits run per request (limit MAX_ROW_FITS).`, { field: "space", limit: "MAX_ROW_FITS" });
  }
}

/** Dense ranks (1 = best); entries without a score rank last. */
function rank<T extends { rank: number }>(items: T[], score: (item: T) => number | null, greaterIsBetter: boolean): void {
  const order = items
    .map((item, index) => ({ item, index, value: score(item) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) return (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0) || a.index - b.index;
      return (greaterIsBetter ? b.value - a.value : a.value - b.value) || a.index - b.index;
    });
  order.forEach(({ item }, k) => (item.rank = k + 1));
}

function scoreOf(model: ModelRecord, metric: string, crossValidated: boolean): number | null {
  const source = (crossValidated ? model.cvMetrics : model.metrics) as Record<string, unknown> | null;
  const value = source?.[metric];
  if (typeof value === "number") return value;
  if (value && typeof value === "object" && typeof (value as { mean?: unknown }).mean === "number") return (value as { mean: number }).mean;
  return null;
}

/** Re-point a hyperparameter error at the search space entry that produced it. */
function asSpaceError<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof InvalidInputError && typeof e.details.field === "string") {
      throw new InvalidInputError(e.message, { ...e.details, field: e.details.field.replace(/^hyperparameters\./, "space.") });
    }
    throw e;
  }
}

function asField<T>(prefix: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(`${prefix}: ${e.message}`, { ...e.details, field: `${prefix}.${e.details.field ?? ""}`.replace(/\.$/, "") });
    throw e;
  }
}

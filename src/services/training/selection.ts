/**
 * Model selection: hyperparameter search scored by cross-validation, and a leaderboard of
 * algorithms trained on one dataset and split, both queued as jobs; and forward feature
 * selection, which still runs on the request path. All are bounded: a request whose work
 * exceeds MAX_FITS fits or MAX_ROW_FITS rows × fits is refused up front with BAD_USER_INPUT
 * naming the limit.
 */
import { InvalidInputError } from "../../core/errors.ts";
import { taskOf, validateHyperparameters, type Algorithm } from "../../core/estimators/index.ts";
import { candidateCount, parameterGrid, parameterSample } from "../../core/selection/search.ts";
import { scoringFor } from "../../core/metrics/scoring.ts";
import { rank } from "../../core/selection/rank.ts";
import { checkFolds, crossValidate, prepare } from "./fitting.ts";
import { checkModelName, checkSettingForTarget, type TrainingService } from "./training.ts";
import type { TrainingJobs } from "./training-jobs.ts";
import type { SearchJobs, SearchOutcome, SearchRequest } from "./search-jobs.ts";
import type { Search } from "../../generated/prisma/client.ts";
import type { ModelRecord } from "../registry/models.ts";

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
  constructor(
    private readonly training: TrainingService,
    private readonly jobs: TrainingJobs,
    private readonly searches: SearchJobs,
  ) {}

  selectFeatures(workspaceId: string, input: FeatureSelectionInput) {
    return forwardSelection(this.training, workspaceId, input);
  }

  /**
   * Check a search against the dataset's metadata and the limits, and queue it: a worker
   * scores every candidate (see SearchJobs). Refused with BAD_USER_INPUT before anything is
   * stored.
   */
  async searchHyperparameters(workspaceId: string, input: SearchInput, wait = false) {
    const folds = input.folds ?? DEFAULT_FOLDS;
    const scoring = scoringFor(input.metric, taskOf(input.algorithm));
    const strategy = input.strategy ?? "GRID";
    const trials = input.trials ?? 10;
    const count = candidateCount(input.space, strategy, trials);
    const trainBest = input.trainBest ? checkModelName(input.trainBest) : null;
    const validated = await this.training.validate(workspaceId, { ...input, folds });
    // Counted before any candidate is built: a 30⁶ grid or a billion trials would exhaust the heap first.
    checkFits(count * folds);
    const candidates = strategy === "GRID" ? parameterGrid(input.space) : parameterSample(input.space, trials, input.seed ?? 0);
    const resolved = candidates.map((candidate) => asSpaceError(() => validateHyperparameters(input.algorithm, candidate)));
    for (const setting of resolved) asSpaceError(() => checkSettingForTarget(input.algorithm, setting, validated.targetColumn));
    checkBudget(trainingRowsAtMost(validated.dataset.rowCount, validated.testFraction), resolved.length * folds);
    const request: SearchRequest = {
      datasetId: validated.dataset.id,
      algorithm: input.algorithm,
      target: validated.target,
      features: validated.features,
      testFraction: validated.testFraction,
      seed: validated.seed,
      folds,
      metric: scoring.name,
      greaterIsBetter: scoring.greaterIsBetter,
      candidates: resolved,
      trainBest,
    };
    return searchResultOf(await this.searches.enqueue(workspaceId, request, wait));
  }

  async search(workspaceId: string, id: string) {
    const search = await this.searches.getSearch(workspaceId, id);
    return search ? searchResultOf(search) : null;
  }

  /**
   * Train every candidate on the same dataset, split (and folds), each as a version of
   * `name`: every candidate is checked before any is queued, so a refusal leaves nothing
   * behind. Ranked by the metric (the cross-validated mean when `folds` is given, else the
   * held-out test metric) once trained: with `wait`, or by asking again for the versions.
   */
  async trainLeaderboard(workspaceId: string, input: LeaderboardInput, wait = false) {
    if (input.candidates.length === 0) throw new InvalidInputError("candidates must list at least one algorithm.", { field: "candidates" });
    const name = checkModelName(input.name);
    const tasks = new Set(input.candidates.map((c) => taskOf(c.algorithm)));
    if (tasks.size > 1) throw new InvalidInputError("candidates mix regression and classification algorithms; rank one task at a time.", { field: "candidates" });
    const scoring = scoringFor(input.metric, [...tasks][0]);
    // Each candidate is at least one fit: bounded before each is checked against the dataset (a read apiece); folds are counted below.
    checkFits(input.candidates.length);
    const checked = [];
    for (const [i, candidate] of input.candidates.entries()) {
      checked.push(await asFieldAsync(`candidates.${i}`, () => this.jobs.check(workspaceId, { ...input, name, algorithm: candidate.algorithm, hyperparameters: candidate.hyperparameters ?? {} })));
    }
    const { validated } = checked[0];
    checkBudget(trainingRowsAtMost(validated.dataset.rowCount, validated.testFraction), input.candidates.length * ((validated.folds ?? 0) + 1));
    const queued: ModelRecord[] = [];
    for (const request of checked) queued.push(await this.jobs.enqueue(workspaceId, request));
    const models = wait ? await Promise.all(queued.map((m) => this.jobs.waitFor(workspaceId, m.id))) : queued;
    const entries = models.map((model) => ({ rank: 0, score: scoreOf(model, scoring.name, validated.folds !== undefined), model }));
    rank(entries, (e) => e.score, scoring.greaterIsBetter);
    return { metric: scoring.name, greaterIsBetter: scoring.greaterIsBetter, entries: entries.sort((a, b) => a.rank - b.rank) };
  }
}

export type SearchResultRecord = ReturnType<typeof searchResultOf>;

/** A Search row as the API shows it: trials and best once READY. */
function searchResultOf(search: Search) {
  const request = search.request as unknown as SearchRequest;
  const outcome = search.result as unknown as SearchOutcome | null;
  const progress = search.progress as { iteration?: number | null; objective?: number | null; fraction?: number } | null;
  return {
    id: search.id,
    status: search.status,
    error: search.error,
    attempts: search.attempts,
    progress: search.status === "READY" ? { iteration: null, objective: null, fraction: 1 } : progress ? { iteration: progress.iteration ?? null, objective: progress.objective ?? null, fraction: progress.fraction ?? 0 } : null,
    metric: request.metric,
    greaterIsBetter: request.greaterIsBetter,
    folds: request.folds,
    trials: outcome?.trials ?? [],
    best: outcome?.best ?? null,
    modelId: search.modelId,
    createdAt: search.createdAt,
    finishedAt: search.finishedAt,
  };
}

/** The most rows a split can leave for training (the budget is checked before any row is read). */
function trainingRowsAtMost(rows: number, testFraction: number): number {
  return Math.ceil(rows * (1 - testFraction));
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
  const validated = await training.validate(workspaceId, { ...input, folds });
  const candidates = validated.features;
  const maxFeatures = input.maxFeatures ?? candidates.length;
  if (!Number.isInteger(maxFeatures) || maxFeatures < 1) throw new InvalidInputError(`maxFeatures must be a positive integer, got ${maxFeatures}.`, { field: "maxFeatures" });
  const k = Math.min(maxFeatures, candidates.length);
  // Step s scores the n − s candidates left: Σ_{s<k} (n − s) = n(n+1)/2 − (n−k)(n−k+1)/2 cross-validations.
  const fits = folds * ((candidates.length * (candidates.length + 1)) / 2 - ((candidates.length - k) * (candidates.length - k + 1)) / 2);
  // Checked on the metadata before any column is read, then again on the split's real size.
  checkBudget(trainingRowsAtMost(validated.dataset.rowCount, validated.testFraction), fits);
  const plan = await training.load(validated);
  const full = plan.request(input.algorithm);
  const base = prepare(full);
  checkFolds(base, folds);
  checkBudget(base.trainRows.length, fits);

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

function checkFits(fits: number): void {
  if (fits > MAX_FITS) {
    throw new InvalidInputError(`This request needs ${fits} fits; at most ${MAX_FITS} run per request (limit MAX_FITS). Use fewer candidates, trials or folds.`, { field: "space", limit: "MAX_FITS" });
  }
}

function checkBudget(trainRows: number, fits: number): void {
  checkFits(fits);
  const rowFits = fits * trainRows;
  if (rowFits > MAX_ROW_FITS) {
    throw new InvalidInputError(`This request needs ${fits} fits over ${trainRows} rows; at most ${MAX_ROW_FITS} row-fits run per request (limit MAX_ROW_FITS).`, { field: "space", limit: "MAX_ROW_FITS" });
  }
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

async function asFieldAsync<T>(prefix: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(`${prefix}: ${e.message}`, { ...e.details, field: `${prefix}.${e.details.field ?? ""}`.replace(/\.$/, "") });
    throw e;
  }
}

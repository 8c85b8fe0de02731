/**
 * Serving: validate raw inputs against the model, predict from the in-memory model, log
 * every prediction durably before answering, and page the log back.
 */
import type { Pool } from "pg";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { InvalidInputError, NotFoundError } from "../../core/errors.ts";
import type { ModelService } from "../registry/models.ts";
import type { RegistryService } from "../registry/registry.ts";
import type { PredictionOutput } from "./served-model.ts";
import { regressionMetrics } from "../../core/metrics/regression.ts";
import { classificationMetrics } from "../../core/metrics/summary.ts";
import { PredictionLog, type LogEntry, type PredictionRecord } from "./prediction-log.ts";

export type { PredictionRecord };
import type { ServedModel } from "./served-model.ts";
import { decodeCursor, encodeCursor, isUuid, pageSize, toConnection, type Connection } from "../pagination.ts";

/** Inputs accepted in one predict call (documented in schema.graphql). */
export const MAX_BATCH = 10_000;
/** Logged predictions one replay may score. */
export const MAX_REPLAY = 100_000;

export class PredictionService {
  private readonly log: PredictionLog;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly models: ModelService,
    private readonly registry: RegistryService,
    pool?: Pool,
  ) {
    this.log = new PredictionLog(prisma, pool);
  }

  /** INSERTs issued and rows written by the prediction log's group commit. */
  get logStats() {
    return this.log.stats;
  }

  /** The model id a call names: exactly one of an id or a reference (`name`, `name@alias`, `name@3`). */
  async resolveModelId(workspaceId: string, target: { modelId?: string | null; model?: string | null }): Promise<string> {
    if ((target.modelId ? 1 : 0) + (target.model ? 1 : 0) !== 1) {
      throw new InvalidInputError("Give exactly one of modelId and model.", { field: target.modelId ? "model" : "modelId" });
    }
    return target.modelId ?? (await this.registry.resolve(workspaceId, target.model!)).id;
  }

  /**
   * Predict for a batch. Either every input is valid and every prediction is logged, or the
   * call fails naming the first bad row and nothing is logged. With `shadow` (a reference),
   * the same inputs are also scored by that model and logged under it, but not returned; an
   * input the shadow cannot score does not fail the call. `explanations`: how many the
   * operation selects, checked against MAX_EXPLANATION_WORK before anything is logged.
   */
  async predict(workspaceId: string, modelId: string, inputs: unknown[], options: { shadow?: string | null; explanations?: number } = {}): Promise<PredictionRecord[]> {
    checkBatch(inputs);
    const model = await this.models.servedModel(workspaceId, modelId);
    // Explanations over the work limit refuse the whole call before anything is scored or logged.
    if (options.explanations) model.checkExplanationWork(options.explanations);
    const scored = score(model, inputs);
    const entries = logEntries(workspaceId, model, inputs, scored);
    let shadowEntries: LogEntry[] = [];
    if (options.shadow) {
      const shadow = await this.models.servedModel(workspaceId, (await this.registry.resolve(workspaceId, options.shadow)).id);
      try {
        shadowEntries = logEntries(workspaceId, shadow, inputs, score(shadow, inputs));
      } catch (e) {
        if (!(e instanceof InvalidInputError)) throw e;
        // The shadow's signature differs from the champion's: it is skipped, the caller is not failed.
      }
    }
    // One group-committed INSERT holds the answer's rows and the shadow's.
    const rows = await this.log.append([...entries, ...shadowEntries]);
    return rows.slice(0, entries.length);
  }

  /**
   * Champion / challenger: the same inputs scored (and logged) by two references, with how
   * often they agree: same label for classifiers; for regressions, outputs within `tolerance`
   * relative to the larger magnitude.
   */
  async compare(workspaceId: string, args: { champion: string; challenger: string; inputs: unknown[]; tolerance?: number | null }) {
    checkBatch(args.inputs);
    const tolerance = checkTolerance(args.tolerance);
    // One after the other: when both are missing, the error always names the champion.
    const champion = await this.models.servedModel(workspaceId, (await this.registry.resolve(workspaceId, args.champion)).id);
    const challenger = await this.models.servedModel(workspaceId, (await this.registry.resolve(workspaceId, args.challenger)).id);
    const a = score(champion, args.inputs);
    const b = score(challenger, args.inputs);
    const rows = await this.log.append([...logEntries(workspaceId, champion, args.inputs, a), ...logEntries(workspaceId, challenger, args.inputs, b)]);
    return {
      champion: rows.slice(0, args.inputs.length),
      challenger: rows.slice(args.inputs.length),
      ...agreementOf(a.outputs, b.outputs, tolerance),
    };
  }

  /**
   * Replay: the inputs logged for `model` in [from, to) (newest first, at most `limit`) scored
   * again by `against`, without logging: how often the two agree, how far the outputs move,
   * and, where outcomes were recorded, both models' metrics on them.
   */
  async replay(workspaceId: string, args: { model: string; against: string; from?: Date | null; to?: Date | null; limit?: number | null; tolerance?: number | null }) {
    const tolerance = checkTolerance(args.tolerance);
    const limit = args.limit ?? 10_000;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REPLAY) {
      throw new InvalidInputError(`limit must be an integer from 1 to ${MAX_REPLAY}, got ${limit}.`, { field: "limit" });
    }
    const source = await this.registry.resolve(workspaceId, args.model);
    const candidate = await this.models.servedModel(workspaceId, (await this.registry.resolve(workspaceId, args.against)).id);
    const logged = await this.prisma.prediction.findMany({
      where: { workspaceId, modelId: source.id, createdAt: { gte: args.from ?? undefined, lt: args.to ?? undefined } },
      orderBy: { id: "desc" },
      take: limit,
      select: { input: true, output: true, actual: true },
    });
    const original: PredictionOutput[] = [];
    const replayed: PredictionOutput[] = [];
    const outcomes: { actual: unknown; original: PredictionOutput; replayed: PredictionOutput }[] = [];
    let skipped = 0;
    for (const row of logged) {
      // A row an earlier version logged with a non-finite output (stored as null) has nothing to compare.
      if (!hasFiniteOutput(row)) {
        skipped++;
        continue;
      }
      let output: PredictionOutput;
      try {
        // Row by row, so that an input the candidate cannot take is counted, not fatal.
        output = candidate.predict([row.input])[0];
      } catch (e) {
        if (!(e instanceof InvalidInputError)) throw e;
        skipped++;
        continue;
      }
      original.push(row.output as unknown as PredictionOutput);
      replayed.push(output);
      if (row.actual !== null && row.actual !== undefined) outcomes.push({ actual: row.actual, original: row.output as unknown as PredictionOutput, replayed: output });
    }
    const classes = (source.summary as { classes?: string[] | null } | null)?.classes ?? null;
    return {
      predictions: replayed.length,
      skipped,
      ...agreementOf(original, replayed, tolerance),
      outcomes: outcomes.length,
      originalMetrics: outcomes.length ? metricsOn(outcomes.map((o) => o.actual), outcomes.map((o) => o.original), classes) : null,
      replayedMetrics: outcomes.length ? metricsOn(outcomes.map((o) => o.actual), outcomes.map((o) => o.replayed), classes) : null,
    };
  }

  /**
   * Explanation of a logged prediction, computed from its input only when asked for.
   * `explanations`: how many the whole operation asks for, bounding their work together.
   */
  async explain(workspaceId: string, prediction: PredictionRecord, topK?: number | null, explanations?: number) {
    return (await this.models.servedModel(workspaceId, prediction.modelId)).explain(prediction.input, topK, { explanations });
  }

  async interval(workspaceId: string, prediction: PredictionRecord, level: number) {
    return (await this.models.servedModel(workspaceId, prediction.modelId)).interval(prediction.input, level);
  }

  async outOfRange(workspaceId: string, prediction: PredictionRecord): Promise<string[]> {
    return (await this.models.servedModel(workspaceId, prediction.modelId)).outOfRange(prediction.input);
  }

  /**
   * Record the true value of a logged prediction (a number for regressions, a class label
   * for classifiers), for live metrics. Recording again replaces it.
   */
  async recordOutcome(workspaceId: string, id: string, actual: unknown): Promise<PredictionRecord> {
    if (!/^\d{1,19}$/.test(id)) throw new NotFoundError("Prediction", id);
    const prediction = await this.prisma.prediction.findFirst({ where: { id: BigInt(id), workspaceId }, include: { model: { select: { summary: true } } } });
    if (!prediction) throw new NotFoundError("Prediction", id);
    const classes = (prediction.model.summary as { classes?: string[] | null } | null)?.classes ?? null;
    if (classes ? typeof actual !== "string" || !classes.includes(actual) : typeof actual !== "number" || !Number.isFinite(actual)) {
      throw new InvalidInputError(
        classes ? `actual must be one of the model's classes (${classes.join(", ")}), got ${JSON.stringify(actual)}.` : `actual must be a finite number, got ${JSON.stringify(actual)}.`,
        { field: "actual" },
      );
    }
    const updated = await this.prisma.prediction.update({ where: { id: prediction.id }, data: { actual: actual as never, outcomeAt: new Date() } });
    return updated as unknown as PredictionRecord;
  }

  /**
   * Metrics of a model version on the logged predictions whose outcome was recorded, in
   * [from, to) by prediction time (default: all). Null when no outcome is recorded.
   */
  async liveMetrics(workspaceId: string, modelId: string, args: { from?: Date | null; to?: Date | null }) {
    const model = await this.prisma.model.findFirst({ where: { id: modelId, workspaceId }, select: { summary: true } });
    if (!model) throw new NotFoundError("Model", modelId);
    const rows = await this.prisma.prediction.findMany({
      where: { workspaceId, modelId, outcomeAt: { not: null }, createdAt: { gte: args.from ?? undefined, lt: args.to ?? undefined } },
      select: { output: true, actual: true },
    });
    const scored = rows.filter(hasFiniteOutput);
    if (scored.length === 0) return null;
    const classes = (model.summary as { classes?: string[] | null } | null)?.classes ?? null;
    return metricsOn(scored.map((r) => r.actual), scored.map((r) => r.output as unknown as PredictionOutput), classes);
  }

  /** A model's logged predictions, newest first, optionally in [from, to); the cursor is the prediction id. */
  async listPredictions(
    workspaceId: string,
    modelId: string,
    args: { first?: number | null; after?: string | null; from?: Date | null; to?: Date | null },
  ): Promise<Connection<PredictionRecord>> {
    const size = pageSize(args.first, 20, 100);
    if (!isUuid(modelId) || !(await this.prisma.model.count({ where: { id: modelId, workspaceId } }))) {
      throw new NotFoundError("Model", modelId);
    }
    const after = args.after ? BigInt(decodeCursor(args.after, isIdCursor)) : undefined;
    const rows = await this.prisma.prediction.findMany({
      where: {
        modelId,
        workspaceId,
        ...(after !== undefined ? { id: { lt: after } } : {}),
        ...(args.from || args.to ? { createdAt: { gte: args.from ?? undefined, lt: args.to ?? undefined } } : {}),
      },
      orderBy: { id: "desc" },
      take: size + 1,
    });
    return toConnection(rows as unknown as PredictionRecord[], size, (row) => encodeCursor(row.id.toString()));
  }
}

/** False for a row logged with a non-finite output (JSON null) before such outputs were refused. */
const hasFiniteOutput = (row: { output: unknown }) => Number.isFinite((row.output as { value?: unknown } | null)?.value);

const isIdCursor = (v: unknown): v is string => typeof v === "string" && /^\d{1,19}$/.test(v);

function checkBatch(inputs: unknown[]): void {
  if (inputs.length === 0) throw new InvalidInputError("inputs must hold at least one input.", { field: "inputs" });
  if (inputs.length > MAX_BATCH) {
    throw new InvalidInputError(`inputs holds ${inputs.length} inputs; at most ${MAX_BATCH} are accepted per call.`, { field: "inputs" });
  }
}

function checkTolerance(tolerance: number | null | undefined): number {
  const value = tolerance ?? 0.01;
  if (!(Number.isFinite(value) && value >= 0)) throw new InvalidInputError(`tolerance must be a finite number ≥ 0, got ${tolerance}.`, { field: "tolerance" });
  return value;
}

/** Outputs for a batch and the time the model took (every row of the batch shares it). */
function score(model: ServedModel, inputs: unknown[]): { outputs: PredictionOutput[]; latencyMs: number } {
  const started = performance.now();
  const outputs = model.predict(inputs);
  return { outputs, latencyMs: performance.now() - started };
}

/** The log's rows for a scored batch, each input as the model's log keeps it (ServedModel.logged). */
function logEntries(workspaceId: string, model: ServedModel, inputs: unknown[], scored: { outputs: PredictionOutput[]; latencyMs: number }): LogEntry[] {
  return inputs.map((input, i) => ({ workspaceId, modelId: model.id, input: model.logged(input, i), output: scored.outputs[i], latencyMs: scored.latencyMs }));
}

/**
 * How often two models' outputs agree on the same inputs: same label (classifiers) or
 * |a − b| ≤ tolerance·max(|a|, |b|) (regressions); and how far the output values move.
 */
function agreementOf(a: PredictionOutput[], b: PredictionOutput[], tolerance: number) {
  if (a.length === 0) return { agreement: null, meanAbsoluteDifference: null, maxAbsoluteDifference: null };
  let agree = 0;
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i].value - b[i].value);
    sum += d;
    max = Math.max(max, d);
    const same = a[i].label !== undefined || b[i].label !== undefined ? a[i].label === b[i].label : d <= tolerance * Math.max(Math.abs(a[i].value), Math.abs(b[i].value));
    if (same) agree++;
  }
  return { agreement: agree / a.length, meanAbsoluteDifference: sum / a.length, maxAbsoluteDifference: max };
}

/** Metrics of outputs against recorded outcomes (labels for classifiers, numbers otherwise). */
function metricsOn(actual: unknown[], outputs: PredictionOutput[], classes: string[] | null) {
  if (!classes) {
    const y = Float64Array.from(actual, (v) => v as number);
    const predicted = Float64Array.from(outputs, (o) => o.value);
    return { evaluatedOn: "LIVE", rows: actual.length, ...regressionMetrics(y, predicted, 0) };
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  // Outcomes or outputs outside this model's classes (a replay against a model with other
  // classes) are left out; with none left there are no metrics.
  const y = Float64Array.from(actual, (v) => index.get(v as string) ?? -1);
  const predicted = Float64Array.from(outputs, (o) => index.get(o.label!) ?? -2);
  const keep = Array.from(y.keys()).filter((i) => y[i] >= 0 && predicted[i] >= 0);
  if (keep.length === 0) return null;
  return {
    evaluatedOn: "LIVE",
    rows: keep.length,
    ...classificationMetrics(Float64Array.from(keep, (i) => y[i]), Float64Array.from(keep, (i) => predicted[i]), { nClasses: classes.length }),
  };
}

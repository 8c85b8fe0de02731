/**
 * Serving: validate raw inputs against the model, predict from the in-memory model, log
 * every prediction durably before answering, and page the log back.
 */
import type { PrismaClient } from "../generated/prisma/client.ts";
import { InvalidInputError, NotFoundError } from "../core/errors.ts";
import type { ModelService } from "./models.ts";
import type { RegistryService } from "./registry.ts";
import type { PredictionOutput } from "./served-model.ts";
import { regressionMetrics } from "../core/metrics/regression.ts";
import { classificationMetrics } from "../core/metrics/summary.ts";
import { decodeCursor, encodeCursor, isUuid, pageSize, toConnection, type Connection } from "./pagination.ts";

/** Inputs accepted in one predict call (documented in schema.graphql). */
export const MAX_BATCH = 10_000;

export interface PredictionRecord {
  id: bigint;
  modelId: string;
  input: unknown;
  output: PredictionOutput;
  latencyMs: number;
  createdAt: Date;
  actual?: unknown;
  outcomeAt?: Date | null;
}

export class PredictionService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly models: ModelService,
    private readonly registry: RegistryService,
  ) {}

  /** The model id a call names: exactly one of an id or a reference (`name`, `name@alias`, `name@3`). */
  async resolveModelId(workspaceId: string, target: { modelId?: string | null; model?: string | null }): Promise<string> {
    if ((target.modelId ? 1 : 0) + (target.model ? 1 : 0) !== 1) {
      throw new InvalidInputError("Give exactly one of modelId and model.", { field: target.modelId ? "model" : "modelId" });
    }
    return target.modelId ?? (await this.registry.resolve(workspaceId, target.model!)).id;
  }

  /**
   * Predict for a batch. Either every input is valid and every prediction is logged, or the
   * call fails naming the first bad row and nothing is logged.
   */
  async predict(workspaceId: string, modelId: string, inputs: unknown[]): Promise<PredictionRecord[]> {
    if (inputs.length === 0) throw new InvalidInputError("inputs must hold at least one input.", { field: "inputs" });
    if (inputs.length > MAX_BATCH) {
      throw new InvalidInputError(`inputs holds ${inputs.length} inputs; at most ${MAX_BATCH} are accepted per call.`, { field: "inputs" });
    }
    const model = await this.models.servedModel(workspaceId, modelId);
    const started = performance.now();
    const outputs = model.predict(inputs);
    const latencyMs = performance.now() - started;
    // createManyAndReturn: one INSERT for the batch, committed before we answer.
    const rows = await this.prisma.prediction.createManyAndReturn({
      data: inputs.map((input, i) => ({
        workspaceId,
        modelId: model.id,
        input: input as object,
        output: outputs[i] as object,
        latencyMs,
      })),
      select: { id: true, modelId: true, input: true, output: true, latencyMs: true, createdAt: true },
    });
    return rows as unknown as PredictionRecord[];
  }

  /** Explanation of a logged prediction, computed from its input only when asked for. */
  async explain(workspaceId: string, prediction: PredictionRecord, topK?: number | null) {
    return (await this.models.servedModel(workspaceId, prediction.modelId)).explain(prediction.input, topK);
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
    if (rows.length === 0) return null;
    const classes = (model.summary as { classes?: string[] | null } | null)?.classes ?? null;
    if (!classes) {
      const y = Float64Array.from(rows, (r) => r.actual as number);
      const predicted = Float64Array.from(rows, (r) => (r.output as unknown as PredictionOutput).value);
      return { evaluatedOn: "LIVE", rows: rows.length, ...regressionMetrics(y, predicted, 0) };
    }
    const index = new Map(classes.map((c, i) => [c, i]));
    const y = Float64Array.from(rows, (r) => index.get(r.actual as string)!);
    const predicted = Float64Array.from(rows, (r) => index.get((r.output as unknown as PredictionOutput).label!)!);
    return { evaluatedOn: "LIVE", rows: rows.length, ...classificationMetrics(y, predicted, { nClasses: classes.length }) };
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

const isIdCursor = (v: unknown): v is string => typeof v === "string" && /^\d{1,19}$/.test(v);

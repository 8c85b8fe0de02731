/**
 * Serving: validate raw inputs against the model, predict from the in-memory model, log
 * every prediction durably before answering, and page the log back.
 */
import type { PrismaClient } from "../generated/prisma/client.ts";
import { InvalidInputError, NotFoundError } from "../core/errors.ts";
import type { ModelService } from "./models.ts";
import type { RegistryService } from "./registry.ts";
import type { PredictionOutput } from "./served-model.ts";
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

  async outOfRange(workspaceId: string, prediction: PredictionRecord): Promise<string[]> {
    return (await this.models.servedModel(workspaceId, prediction.modelId)).outOfRange(prediction.input);
  }

  /** A model's logged predictions, newest first; the cursor is the prediction id. */
  async listPredictions(
    workspaceId: string,
    modelId: string,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<PredictionRecord>> {
    const size = pageSize(args.first, 20, 100);
    if (!isUuid(modelId) || !(await this.prisma.model.count({ where: { id: modelId, workspaceId } }))) {
      throw new NotFoundError("Model", modelId);
    }
    const after = args.after ? BigInt(decodeCursor(args.after, isIdCursor)) : undefined;
    const rows = await this.prisma.prediction.findMany({
      where: { modelId, workspaceId, ...(after !== undefined ? { id: { lt: after } } : {}) },
      orderBy: { id: "desc" },
      take: size + 1,
    });
    return toConnection(rows as unknown as PredictionRecord[], size, (row) => encodeCursor(row.id.toString()));
  }
}

const isIdCursor = (v: unknown): v is string => typeof v === "string" && /^\d{1,19}$/.test(v);

/**
 * Training as durable jobs. `trainModel` checks the request against the dataset's metadata,
 * stores the version as QUEUED with the request it will be fitted from, and enqueues a job;
 * a worker (src/jobs/worker.ts, in this process or another) claims it, fits, and stores the
 * result. The model row is what users see and the worker's single source of truth:
 *
 *   QUEUED → TRAINING → READY | FAILED | CANCELLED   (TRAINING → QUEUED when a try is lost)
 *
 * Each claim increments `attempts`, and every later write of that try is conditioned on it
 * (a fencing token): a worker that was presumed dead, or whose job was cancelled, cannot
 * overwrite what happened since.
 */
import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import { InvalidInputError, NotFoundError } from "../../core/errors.ts";
import { validateHyperparameters } from "../../core/estimators/index.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { JobProgress } from "../../jobs/progress.ts";
import { isUuid } from "../pagination.ts";
import { JobRows, type LostTry } from "./job-rows.ts";
import { notify, waitUntil, type EventBus } from "../events.ts";
import { insertModelVersion, type ModelRecord } from "../registry/models.ts";
import { checkModelName, checkSettingForTarget, type TrainingService, type TrainModelInput, type TrainingPlan, type ValidatedRequest } from "./training.ts";
import type { FitResult } from "./fitting.ts";
import type { RegistryService } from "../registry/registry.ts";

/** How often `waitFor` reads the model when no event comes (events wake it at once). */
const WAIT_POLL_MS = 1000;

export const TERMINAL: ReadonlySet<string> = new Set(["READY", "FAILED", "CANCELLED"]);

export interface CheckedRequest {
  request: TrainModelInput;
  hyperparameters: Record<string, unknown>;
  validated: ValidatedRequest;
}

/** A worker's hold on one try of a job. */
export interface Claim {
  model: ModelRecord;
  /** the fencing token: the model's `attempts` after this claim */
  attempt: number;
  input: TrainModelInput;
}

export class TrainingJobs {
  private readonly rows: JobRows;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly training: TrainingService,
    private readonly queue: JobQueue,
    private readonly events: EventBus,
    /** rule-following aliases move in the same commit as a version becoming READY */
    private readonly registry: Pick<RegistryService, "moveRuleAliases" | "announceMoves">,
  ) {
    this.rows = new JobRows(prisma, "Model");
  }

  /**
   * Queue a training: QUEUED at once, or (wait) the version once READY, FAILED or CANCELLED.
   * Bad input is refused (BAD_USER_INPUT / NOT_FOUND) before anything is written.
   */
  async trainModel(workspaceId: string, input: TrainModelInput, wait = false): Promise<ModelRecord> {
    const model = await this.enqueue(workspaceId, await this.check(workspaceId, input));
    return wait ? this.waitFor(workspaceId, model.id) : model;
  }

  /** A request checked against the dataset's metadata, defaults filled in: what the worker will fit. Writes nothing. */
  async check(workspaceId: string, input: TrainModelInput): Promise<CheckedRequest> {
    const name = checkModelName(input.name);
    const hyperparameters = validateHyperparameters(input.algorithm, input.hyperparameters ?? {});
    const validated = await this.training.validate(workspaceId, input);
    checkSettingForTarget(input.algorithm, hyperparameters, validated.targetColumn);
    const request: TrainModelInput = {
      datasetId: validated.dataset.id,
      name,
      algorithm: input.algorithm,
      target: validated.target,
      features: validated.features,
      hyperparameters,
      testFraction: validated.testFraction,
      seed: validated.seed,
      folds: validated.folds ?? null,
      preprocessing: input.preprocessing ?? null,
      derivedFeatures: validated.derived,
    };
    return { request, hyperparameters, validated };
  }

  /** Store a checked request as a QUEUED version and put its job on the queue. */
  async enqueue(workspaceId: string, { request, hyperparameters, validated }: CheckedRequest): Promise<ModelRecord> {
    const { name } = request;
    const jobId = randomUUID();
    const model = await insertModelVersion(this.prisma, {
      workspaceId,
      name,
      datasetId: validated.dataset.id,
      algorithm: request.algorithm,
      target: validated.target,
      features: validated.features,
      hyperparameters: hyperparameters as Prisma.InputJsonObject,
      testFraction: validated.testFraction,
      seed: validated.seed,
      folds: validated.folds ?? null,
      status: "QUEUED",
      request: request as unknown as Prisma.InputJsonObject,
      jobId,
    });
    try {
      await this.queue.enqueue({ modelId: model.id }, jobId);
    } catch (error) {
      // Nothing half-written: a version no job will ever train is removed.
      await this.prisma.model.delete({ where: { id: model.id } }).catch(() => {});
      throw error;
    }
    notify(this.events, { type: "CREATED", workspaceId, modelId: model.id });
    return model;
  }

  /** Stop a QUEUED or TRAINING version: it becomes CANCELLED, and a running fit stops at its next iteration. */
  async cancelTraining(workspaceId: string, id: string): Promise<ModelRecord> {
    const model = isUuid(id) ? await this.prisma.model.findFirst({ where: { id, workspaceId } }) : null;
    if (!model) throw new NotFoundError("Model", id);
    if (!(await this.rows.cancel(model.id))) {
      throw new InvalidInputError(`Model ${model.name} v${model.version} is ${model.status}; only a QUEUED or TRAINING model can be cancelled.`, { field: "id" });
    }
    if (model.jobId) await this.queue.cancel(model.jobId).catch(() => {});
    notify(this.events, { type: "CANCELLED", workspaceId, modelId: model.id });
    return this.prisma.model.findUniqueOrThrow({ where: { id: model.id } });
  }

  /** The version once it is READY, FAILED or CANCELLED (events wake the wait; a poll backs them up). */
  async waitFor(workspaceId: string, modelId: string): Promise<ModelRecord> {
    const controller = new AbortController();
    const events = this.events.subscribe((e) => e.modelId === modelId && e.workspaceId === workspaceId, controller.signal);
    try {
      return await waitUntil(async () => {
        const model = await this.prisma.model.findUniqueOrThrow({ where: { id: modelId } });
        return TERMINAL.has(model.status) ? model : undefined;
      }, events, WAIT_POLL_MS);
    } finally {
      controller.abort();
      void events.return(undefined);
    }
  }

  /**
   * Take one try of a job: QUEUED (or TRAINING left by a lost try) → TRAINING, attempts + 1.
   * Null when there is nothing to train (cancelled, deleted, already finished).
   */
  async claim(modelId: string): Promise<Claim | null> {
    const attempt = await this.rows.claim(modelId);
    if (attempt === null) return null;
    const model = await this.prisma.model.findUniqueOrThrow({ where: { id: modelId } });
    notify(this.events, { type: "TRAINING", workspaceId: model.workspaceId, modelId });
    return { model, attempt, input: model.request as unknown as TrainModelInput };
  }

  /** Read the columns of a claimed job's request (its dataset may be gone: NOT_FOUND). */
  plan(claim: Claim): Promise<TrainingPlan> {
    return this.training.plan(claim.model.workspaceId, claim.input);
  }

  /** The worker is alive and where it is. False when this try no longer owns the model (cancelled, reaped, deleted). */
  heartbeat(claim: Claim, progress: JobProgress | undefined): Promise<boolean> {
    return this.rows.heartbeat(claim.model.id, claim.attempt, progress);
  }

  publishProgress(claim: Claim, progress: JobProgress): void {
    notify(this.events, { type: "PROGRESS", workspaceId: claim.model.workspaceId, modelId: claim.model.id, progress });
  }

  /** Store the fitted model as READY. False when this try no longer owns the model. */
  async succeed(claim: Claim, fitted: FitResult): Promise<boolean> {
    const now = new Date();
    const { workspaceId, name } = claim.model;
    const moved = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.model.updateMany({
      where: { id: claim.model.id, attempts: claim.attempt, status: "TRAINING" },
      data: {
        status: "READY",
        state: fitted.state as unknown as Prisma.InputJsonObject,
        metrics: fitted.metrics as Prisma.InputJsonObject,
        cvMetrics: (fitted.cvMetrics ?? undefined) as Prisma.InputJsonObject | undefined,
        summary: fitted.summary as unknown as Prisma.InputJsonObject,
        trainedAt: now,
        finishedAt: now,
        error: null,
        progress: { iteration: null, objective: null, fraction: 1 } as Prisma.InputJsonObject,
      },
      });
      return count === 0 ? null : this.registry.moveRuleAliases(tx, workspaceId, name);
    });
    if (moved === null) return false;
    notify(this.events, { type: "READY", workspaceId, modelId: claim.model.id });
    this.registry.announceMoves(workspaceId, moved);
    return true;
  }

  /** The try ended the job: FAILED with the reason (the data or the solver; retrying would not help). */
  async fail(claim: Claim, reason: string): Promise<void> {
    if (await this.rows.fail(claim.model.id, claim.attempt, reason)) {
      notify(this.events, { type: "FAILED", workspaceId: claim.model.workspaceId, modelId: claim.model.id });
    }
  }

  stale(staleSeconds: number): Promise<LostTry[]> {
    return this.rows.stale(staleSeconds);
  }

  /** Back to the queue's retry, or FAILED when no attempt is left (see JobRows.recoverLost). */
  async recoverLost(lost: LostTry, reason: string): Promise<"retry" | "failed" | "skipped"> {
    const outcome = await this.rows.recoverLost(this.queue, lost, reason);
    if (outcome === "failed") notify(this.events, { type: "FAILED", workspaceId: lost.workspaceId, modelId: lost.id });
    return outcome;
  }
}

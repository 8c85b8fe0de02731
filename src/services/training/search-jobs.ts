/**
 * Hyperparameter searches as jobs, like trainings (src/services/training/training-jobs.ts): the request
 * is checked against the dataset's metadata and its budget, stored as a QUEUED Search with a
 * job on the queue, and a worker scores every candidate by cross-validation in a fit thread.
 * With `trainBest`, the best setting is then queued as a training of that name.
 */
import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient, Search } from "../../generated/prisma/client.ts";
import type { Algorithm } from "../../core/estimators/index.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { JobProgress } from "../../jobs/progress.ts";
import { isUuid } from "../pagination.ts";
import { JobRows, type LostTry } from "./job-rows.ts";
import type { TrialScore } from "./fitting.ts";
import { rank } from "../../core/selection/rank.ts";
import { TERMINAL, type TrainingJobs } from "./training-jobs.ts";
import type { TrainingPlan, TrainingService, TrainModelInput } from "./training.ts";

/** What the worker runs: the search input with its candidates resolved and defaults filled in. */
export interface SearchRequest {
  datasetId: string;
  algorithm: Algorithm;
  target: string;
  features: string[];
  testFraction: number;
  seed: number;
  folds: number;
  metric: string;
  greaterIsBetter: boolean;
  candidates: Record<string, unknown>[];
  trainBest: string | null;
}

export interface SearchOutcome {
  trials: (TrialScore & { rank: number })[];
  best: TrialScore & { rank: number };
}

export interface SearchClaim {
  search: Search;
  attempt: number;
  request: SearchRequest;
}

export class SearchJobs {
  private readonly rows: JobRows;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly training: TrainingService,
    private readonly trainings: TrainingJobs,
    private readonly queue: JobQueue,
  ) {
    this.rows = new JobRows(prisma, "Search");
  }

  /** Store a checked search as QUEUED and put its job on the queue; with `wait`, answer once it has ended. */
  async enqueue(workspaceId: string, request: SearchRequest, wait: boolean): Promise<Search> {
    const jobId = randomUUID();
    const search = await this.prisma.search.create({ data: { workspaceId, request: request as unknown as Prisma.InputJsonObject, jobId } });
    try {
      await this.queue.enqueue({ searchId: search.id }, jobId);
    } catch (error) {
      await this.prisma.search.delete({ where: { id: search.id } }).catch(() => {});
      throw error;
    }
    if (!wait) return search;
    const ended = await this.waitFor(search.id);
    // Waiting means the whole request: the best setting's training too.
    if (ended.modelId) await this.trainings.waitFor(workspaceId, ended.modelId);
    return ended;
  }

  async getSearch(workspaceId: string, id: string): Promise<Search | null> {
    if (!isUuid(id)) return null;
    return this.prisma.search.findFirst({ where: { id, workspaceId } });
  }

  /** Polls: searches are followed by their rows (no per-search events). */
  async waitFor(id: string): Promise<Search> {
    for (let delay = 50; ; delay = Math.min(1000, delay * 2)) {
      const search = await this.prisma.search.findUniqueOrThrow({ where: { id } });
      if (TERMINAL.has(search.status)) return search;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  async claim(searchId: string): Promise<SearchClaim | null> {
    const attempt = await this.rows.claim(searchId);
    if (attempt === null) return null;
    const search = await this.prisma.search.findUniqueOrThrow({ where: { id: searchId } });
    return { search, attempt, request: search.request as unknown as SearchRequest };
  }

  plan(claim: SearchClaim): Promise<TrainingPlan> {
    const { request } = claim;
    return this.training.plan(claim.search.workspaceId, request);
  }

  heartbeat(claim: SearchClaim, progress: JobProgress | undefined): Promise<boolean> {
    return this.rows.heartbeat(claim.search.id, claim.attempt, progress);
  }

  /** Rank the trials and store them READY; queue the best as a training when asked. */
  async succeed(claim: SearchClaim, trials: TrialScore[]): Promise<void> {
    const { request, search } = claim;
    const ranked = trials.map((trial) => ({ ...trial, rank: 0 }));
    rank(ranked, (t) => t.mean, request.greaterIsBetter);
    const best = ranked.find((t) => t.rank === 1)!;
    let modelId: string | null = null;
    if (request.trainBest) {
      const input: TrainModelInput = { ...request, name: request.trainBest, hyperparameters: best.hyperparameters, folds: request.folds };
      modelId = (await this.trainings.trainModel(search.workspaceId, input)).id;
    }
    const result = { trials: ranked, best } satisfies SearchOutcome;
    await this.prisma.search.updateMany({
      where: { id: search.id, attempts: claim.attempt, status: "TRAINING" },
      data: { status: "READY", result: result as unknown as Prisma.InputJsonObject, modelId, finishedAt: new Date(), error: null, progress: { fraction: 1 } },
    });
  }

  async fail(claim: SearchClaim, reason: string): Promise<void> {
    await this.rows.fail(claim.search.id, claim.attempt, reason);
  }

  stale(staleSeconds: number): Promise<LostTry[]> {
    return this.rows.stale(staleSeconds);
  }

  recoverLost(lost: LostTry, reason: string): Promise<"retry" | "failed" | "skipped"> {
    return this.rows.recoverLost(this.queue, lost, reason);
  }
}

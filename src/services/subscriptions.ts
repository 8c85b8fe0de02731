/**
 * What GraphQL subscriptions stream: a workspace's model events, and one model's training
 * state until it ends. Both filter by the caller's workspace before anything is sent.
 */
import type { PrismaClient } from "../generated/prisma/client.ts";
import { NotFoundError } from "../core/errors.ts";
import { isUuid } from "./pagination.ts";
import { abortable, type EventBus, type ModelEvent } from "./events.ts";

const TERMINAL = new Set(["READY", "FAILED", "CANCELLED"]);

export interface TrainingProgressEvent {
  modelId: string;
  status: string;
  iteration: number | null;
  objective: number | null;
  fraction: number | null;
}

export class SubscriptionService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
  ) {}

  modelEvents(workspaceId: string): AsyncIterableIterator<ModelEvent> {
    return abortable((signal) => this.events.subscribe((e) => e.workspaceId === workspaceId && e.type !== "PROGRESS", signal));
  }

  /** The model's state now, then each change until a terminal state. NOT_FOUND for another workspace's model. */
  async trainingProgress(workspaceId: string, modelId: string): Promise<AsyncIterableIterator<TrainingProgressEvent>> {
    const read = async () => {
      const model = isUuid(modelId) ? await this.prisma.model.findFirst({ where: { id: modelId, workspaceId }, select: { id: true, status: true, progress: true } }) : null;
      if (!model) throw new NotFoundError("Model", modelId);
      const progress = model.progress as { iteration?: number; objective?: number; fraction?: number } | null;
      return {
        modelId: model.id,
        status: model.status as string,
        iteration: progress?.iteration ?? null,
        objective: progress?.objective ?? null,
        fraction: model.status === "READY" ? 1 : (progress?.fraction ?? (model.status === "QUEUED" ? 0 : null)),
      };
    };
    // Listen before reading the state, so that a change in between is not lost.
    const controller = new AbortController();
    const events = this.events.subscribe((e) => e.workspaceId === workspaceId && e.modelId === modelId, controller.signal);
    let first: TrainingProgressEvent;
    try {
      first = await read();
    } catch (error) {
      controller.abort();
      throw error;
    }
    return abortable(async function* (signal) {
      signal.addEventListener("abort", () => controller.abort(), { once: true });
      try {
        yield first;
        if (TERMINAL.has(first.status)) return;
        for await (const event of events) {
          if (event.type === "DELETED") return;
          if (event.type === "PROGRESS" && event.progress) {
            const { iteration, objective, fraction } = event.progress;
            yield { modelId, status: "TRAINING", iteration, objective, fraction };
            continue;
          }
          const now = await read();
          yield now;
          if (TERMINAL.has(now.status)) return;
        }
      } finally {
        controller.abort();
      }
    });
  }
}

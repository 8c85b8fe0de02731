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
    return abortable((signal) => this.events.subscribe((e) => e.workspaceId === workspaceId, signal));
  }

  /** The model's state now, then each change until a terminal state. NOT_FOUND for another workspace's model. */
  async trainingProgress(workspaceId: string, modelId: string): Promise<AsyncIterableIterator<TrainingProgressEvent>> {
    const read = async () => {
      const model = isUuid(modelId) ? await this.prisma.model.findFirst({ where: { id: modelId, workspaceId }, select: { id: true, status: true } }) : null;
      if (!model) throw new NotFoundError("Model", modelId);
      return { modelId: model.id, status: model.status as string, iteration: null, objective: null, fraction: model.status === "READY" ? 1 : null };
    };
    const first = await read();
    const events = this.events;
    return abortable(async function* (signal) {
      yield first;
      if (TERMINAL.has(first.status)) return;
      for await (const event of events.subscribe((e) => e.workspaceId === workspaceId && e.modelId === modelId, signal)) {
        if (event.type === "DELETED") return;
        const now = await read();
        yield now;
        if (TERMINAL.has(now.status)) return;
      }
    });
  }
}

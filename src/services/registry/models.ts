/**
 * Models (trained versions): reading, listing, deleting, and the in-memory cache of served
 * models, so that a prediction never waits on a read of the model from the database.
 */
import { CODE_VERSION } from "../../version.ts";
import { LocalEventBus, notify, type EventBus } from "../events.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { Model as ModelRow } from "../../generated/prisma/client.ts";
import { InvalidInputError, NotFoundError } from "../../core/errors.ts";
import { afterTimeCursor, isUuid, pageSize, timeCursorOf, toConnection, type Connection } from "../pagination.ts";
import { loadServedModel, type ServedModel } from "../serving/served-model.ts";

export type ModelRecord = ModelRow;

/** Served models kept per process; READY models never change, so entries never go stale. */
const CACHE_LIMIT = 256;

export class ModelService {
  private readonly served = new Map<string, ServedModel>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus = new LocalEventBus(),
  ) {}

  async getModel(workspaceId: string, id: string): Promise<ModelRecord | null> {
    if (!isUuid(id)) return null;
    return this.prisma.model.findFirst({ where: { id, workspaceId } });
  }

  async requireModel(workspaceId: string, id: string): Promise<ModelRecord> {
    const model = await this.getModel(workspaceId, id);
    if (!model) throw new NotFoundError("Model", id);
    return model;
  }

  async listModels(
    workspaceId: string,
    args: { first?: number | null; after?: string | null; name?: string | null },
  ): Promise<Connection<ModelRecord>> {
    const size = pageSize(args.first, 20, 100);
    const rows = await this.prisma.model.findMany({
      where: { workspaceId, ...(args.name ? { name: args.name } : {}), ...afterTimeCursor(args.after) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: size + 1,
    });
    return toConnection(rows, size, timeCursorOf);
  }

  /** Delete a model version and, by cascade, its logged predictions. */
  async deleteModel(workspaceId: string, id: string): Promise<string> {
    const model = await this.requireModel(workspaceId, id);
    await this.prisma.model.delete({ where: { id: model.id } });
    this.served.delete(model.id);
    notify(this.events, { type: "DELETED", workspaceId, modelId: model.id });
    return model.id;
  }

  /**
   * The model ready to predict, from memory after the first call. Only READY models can
   * serve; the check is on the cached copy too, since a READY model never changes state.
   */
  async servedModel(workspaceId: string, id: string): Promise<ServedModel> {
    const cached = this.served.get(id);
    if (cached && cached.workspaceId === workspaceId) return cached;
    const model = await this.requireModel(workspaceId, id);
    if (model.status !== "READY") {
      throw new InvalidInputError(
        `Model ${model.name} v${model.version} is ${model.status}${model.error ? ` (${model.error})` : ""}; only READY models can predict.`,
        { field: "modelId" },
      );
    }
    const served = loadServedModel(model);
    if (this.served.size >= CACHE_LIMIT) this.served.delete(this.served.keys().next().value!);
    this.served.set(id, served);
    return served;
  }
}

/**
 * Insert a model as the next version of its name. Two concurrent inserts of one name race for
 * the same number; the unique (workspace, name, version) index makes the loser retry.
 */
export async function insertModelVersion(prisma: PrismaClient, data: Omit<Prisma.ModelUncheckedCreateInput, "version">): Promise<ModelRecord> {
  for (let attempt = 0; ; attempt++) {
    const last = await prisma.model.aggregate({ where: { workspaceId: data.workspaceId, name: data.name }, _max: { version: true } });
    try {
      return await prisma.model.create({ data: { codeVersion: CODE_VERSION, ...data, version: (last._max.version ?? 0) + 1 } });
    } catch (e) {
      if (attempt < 5 && e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") continue;
      throw e;
    }
  }
}

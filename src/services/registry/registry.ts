/**
 * The model registry: named models with numbered versions, aliases that point at versions
 * (promote / rollback with kept history), references `name`, `name@alias`, `name@<version>`
 * resolved on every call, and export / import of a version as a self-contained document.
 *
 * References are resolved against the database on each call (one indexed read), so a
 * promotion on any server takes effect for the next request on every server without cache
 * invalidation; the served model itself still comes from the per-process cache by version id.
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { InvalidInputError, NotFoundError } from "../../core/errors.ts";
import { loadServedModel } from "../serving/served-model.ts";
import { insertModelVersion, type ModelRecord, type ModelService } from "./models.ts";
import { checkModelName } from "../training/training.ts";
import { checkModelDocument } from "./model-document.ts";
import { LocalEventBus, notify, type EventBus } from "../events.ts";
import { SCORING, scoringFor } from "../../core/metrics/scoring.ts";
import { taskOf, type Algorithm } from "../../core/estimators/index.ts";

/** The alias a bare `name` reference follows when it exists (else the newest READY version). */
export const DEFAULT_ALIAS = "production";
export const EXPORT_FORMAT = "modelql.model/1";
const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

export interface ModelReference {
  name: string;
  alias?: string;
  version?: number;
}

/** Parse `name`, `name@alias` or `name@<version number>`. */
export function parseReference(reference: string): ModelReference {
  const at = reference.lastIndexOf("@");
  const name = (at < 0 ? reference : reference.slice(0, at)).trim();
  if (!name) throw new InvalidInputError(`Model reference ${JSON.stringify(reference)} has no name; write name, name@alias or name@3.`, { field: "model" });
  if (at < 0) return { name };
  const tag = reference.slice(at + 1).trim();
  if (/^\d+$/.test(tag)) return { name, version: Number(tag) };
  if (!ALIAS.test(tag)) throw new InvalidInputError(`Model reference ${JSON.stringify(reference)}: ${JSON.stringify(tag)} is neither a version number nor an alias.`, { field: "model" });
  return { name, alias: tag };
}

export class RegistryService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly models: ModelService,
    private readonly events: EventBus = new LocalEventBus(),
  ) {}

  /** The version a reference names right now; NOT_FOUND when there is none. */
  async resolve(workspaceId: string, reference: string): Promise<ModelRecord> {
    const ref = parseReference(reference);
    if (ref.version !== undefined) {
      const model = await this.prisma.model.findFirst({ where: { workspaceId, name: ref.name, version: ref.version } });
      if (!model) throw new NotFoundError("Model", reference);
      return model;
    }
    const alias = await this.prisma.modelAlias.findFirst({
      where: { workspaceId, modelName: ref.name, alias: ref.alias ?? DEFAULT_ALIAS },
      include: { model: true },
    });
    if (alias) return alias.model;
    if (ref.alias) throw new NotFoundError("Model", reference);
    const latest = await this.prisma.model.findFirst({ where: { workspaceId, name: ref.name, status: "READY" }, orderBy: { version: "desc" } });
    if (!latest) throw new NotFoundError("Model", reference);
    return latest;
  }

  /** Point `alias` of model `name` at `version`, recording the move. */
  async promote(workspaceId: string, name: string, version: number, alias: string): Promise<ModelRecord> {
    checkAlias(alias);
    const model = await this.prisma.model.findFirst({ where: { workspaceId, name, version } });
    if (!model) throw new NotFoundError("Model", `${name}@${version}`);
    if (model.status !== "READY") throw new InvalidInputError(`${name} v${version} is ${model.status}; only READY versions can be promoted.`, { field: "version" });
    await this.prisma.$transaction(async (tx) => {
      const current = await tx.modelAlias.findUnique({ where: { workspaceId_modelName_alias: { workspaceId, modelName: name, alias } }, include: { model: true } });
      const row = current
        ? // A manual move takes the alias over from its rule, if it had one.
          await tx.modelAlias.update({ where: { id: current.id }, data: { modelId: model.id, ruleMetric: null } })
        : await tx.modelAlias.create({ data: { workspaceId, modelName: name, alias, modelId: model.id } });
      await tx.aliasMove.create({ data: { aliasId: row.id, fromVersion: current?.model.version ?? null, toVersion: version, kind: "PROMOTE" } });
    });
    notify(this.events, { type: "PROMOTED", workspaceId, modelId: model.id, alias });
    return model;
  }

  /**
   * Move the alias back to where it pointed before its latest move. The rollback is itself a
   * move, so a second rollback undoes the first.
   */
  async rollback(workspaceId: string, name: string, alias: string): Promise<ModelRecord> {
    const target = await this.prisma.$transaction(async (tx) => {
      const row = await tx.modelAlias.findUnique({ where: { workspaceId_modelName_alias: { workspaceId, modelName: name, alias } } });
      if (!row) throw new NotFoundError("Alias", `${name}@${alias}`);
      const last = await tx.aliasMove.findFirst({ where: { aliasId: row.id }, orderBy: { id: "desc" } });
      if (!last || last.fromVersion === null) {
        throw new InvalidInputError(`${name}@${alias} has pointed at one version only; there is nothing to roll back to.`, { field: "alias" });
      }
      const target = await tx.model.findFirst({ where: { workspaceId, name, version: last.fromVersion } });
      if (!target) throw new InvalidInputError(`${name} v${last.fromVersion}, where ${alias} pointed before, was deleted.`, { field: "alias" });
      await tx.modelAlias.update({ where: { id: row.id }, data: { modelId: target.id, ruleMetric: null } });
      await tx.aliasMove.create({ data: { aliasId: row.id, fromVersion: last.toVersion, toVersion: target.version, kind: "ROLLBACK" } });
      return target;
    });
    notify(this.events, { type: "ROLLED_BACK", workspaceId, modelId: target.id, alias });
    return target;
  }

  /**
   * Make `alias` follow a rule: the READY version of `name` with the best value of `metric`
   * (PostgresML's `best_score` strategy): a test metric ("r2", "accuracy", …, as in
   * Model.metrics) or "cv:<metric>" for its cross-validated mean. The alias moves now and
   * whenever a new version becomes READY; a manual promote or rollback ends the rule. A null
   * metric ends it too, leaving the alias where it is. Returns the version aliased (null when
   * no version has the metric yet).
   */
  async setAliasRule(workspaceId: string, name: string, alias: string, metric: string | null | undefined): Promise<ModelRecord | null> {
    checkAlias(alias);
    const latest = await this.prisma.model.findFirst({ where: { workspaceId, name }, orderBy: { version: "desc" } });
    if (!latest) throw new NotFoundError("Model", name);
    if (metric === null || metric === undefined) {
      const row = await this.prisma.modelAlias.findUnique({ where: { workspaceId_modelName_alias: { workspaceId, modelName: name, alias } }, include: { model: true } });
      if (!row) throw new NotFoundError("Alias", `${name}@${alias}`);
      await this.prisma.modelAlias.update({ where: { id: row.id }, data: { ruleMetric: null } });
      return row.model;
    }
    const bare = metric.startsWith("cv:") ? metric.slice(3) : metric;
    scoringFor(bare, taskOf(latest.algorithm as Algorithm));
    return this.prisma.$transaction(async (tx) => {
      await lockModelName(tx, workspaceId, name);
      const best = await bestVersion(tx, workspaceId, name, metric);
      const current = await tx.modelAlias.findUnique({ where: { workspaceId_modelName_alias: { workspaceId, modelName: name, alias } }, include: { model: true } });
      if (!best) {
        if (current) await tx.modelAlias.update({ where: { id: current.id }, data: { ruleMetric: metric } });
        return current?.model ?? null;
      }
      const row = current
        ? await tx.modelAlias.update({ where: { id: current.id }, data: { modelId: best.id, ruleMetric: metric } })
        : await tx.modelAlias.create({ data: { workspaceId, modelName: name, alias, modelId: best.id, ruleMetric: metric } });
      if (current?.model.id !== best.id) {
        await tx.aliasMove.create({ data: { aliasId: row.id, fromVersion: current?.model.version ?? null, toVersion: best.version, kind: "RULE" } });
      }
      return best;
    });
  }

  /** Move every rule-following alias of `name` to its best version (called when a version becomes READY). */
  async applyAliasRules(workspaceId: string, name: string): Promise<void> {
    const rules = await this.prisma.modelAlias.findMany({ where: { workspaceId, modelName: name, ruleMetric: { not: null } }, select: { id: true } });
    if (rules.length === 0) return;
    const moved = await this.prisma.$transaction((tx) => this.moveRuleAliases(tx, workspaceId, name));
    this.announceMoves(workspaceId, moved);
  }

  /**
   * `applyAliasRules` inside the caller's transaction, so that a version becoming READY and the
   * aliases that follow it are one commit. Announce the moves once it has committed.
   */
  async moveRuleAliases(tx: Tx, workspaceId: string, name: string): Promise<{ modelId: string; alias: string }[]> {
    await lockModelName(tx, workspaceId, name);
    const moved: { modelId: string; alias: string }[] = [];
    const aliases = await tx.modelAlias.findMany({ where: { workspaceId, modelName: name, ruleMetric: { not: null } }, include: { model: true } });
    for (const row of aliases) {
      const best = await bestVersion(tx, workspaceId, name, row.ruleMetric!);
      if (!best || best.id === row.modelId) continue;
      await tx.modelAlias.update({ where: { id: row.id }, data: { modelId: best.id } });
      await tx.aliasMove.create({ data: { aliasId: row.id, fromVersion: row.model.version, toVersion: best.version, kind: "RULE" } });
      moved.push({ modelId: best.id, alias: row.alias });
    }
    return moved;
  }

  announceMoves(workspaceId: string, moved: { modelId: string; alias: string }[]): void {
    for (const move of moved) notify(this.events, { type: "PROMOTED", workspaceId, modelId: move.modelId, alias: move.alias });
  }

  /** Every alias of `name`: where it points, the rule it follows, and its moves, newest first. */
  async aliasesOfName(workspaceId: string, name: string) {
    if (!(await this.prisma.model.count({ where: { workspaceId, name } }))) throw new NotFoundError("Model", name);
    const rows = await this.prisma.modelAlias.findMany({
      where: { workspaceId, modelName: name },
      orderBy: { alias: "asc" },
      include: { model: { select: { version: true } }, moves: { orderBy: { id: "desc" }, take: 50 } },
    });
    return rows.map((row) => ({
      alias: row.alias,
      version: row.model.version,
      rule: row.ruleMetric,
      moves: row.moves.map((m) => ({ fromVersion: m.fromVersion, toVersion: m.toVersion, kind: m.kind, at: m.createdAt })),
    }));
  }

  async aliasesOf(modelId: string): Promise<string[]> {
    const rows = await this.prisma.modelAlias.findMany({ where: { modelId }, orderBy: { alias: "asc" }, select: { alias: true } });
    return rows.map((r) => r.alias);
  }

  /** A READY version as a self-contained document: pipeline, learned state, signature, metrics. */
  async exportModel(workspaceId: string, id: string): Promise<Record<string, unknown>> {
    const model = await this.models.requireModel(workspaceId, id);
    if (model.status !== "READY") throw new InvalidInputError(`Model ${model.name} v${model.version} is ${model.status}; only READY versions can be exported.`, { field: "id" });
    return {
      format: EXPORT_FORMAT,
      name: model.name,
      version: model.version,
      algorithm: model.algorithm,
      target: model.target,
      features: model.features,
      hyperparameters: model.hyperparameters,
      testFraction: model.testFraction,
      seed: model.seed,
      metrics: model.metrics,
      cvMetrics: model.cvMetrics,
      summary: model.summary,
      state: model.state,
      trainedAt: model.trainedAt?.toISOString() ?? null,
    };
  }

  /** Import an exported document as the next version of `name` (default: its own name). */
  async importModel(workspaceId: string, document: unknown, name: string | null | undefined): Promise<ModelRecord> {
    const doc = document as Record<string, any>;
    if (!doc || typeof doc !== "object" || doc.format !== EXPORT_FORMAT) {
      throw new InvalidInputError(`document is not a ModelQL export (format ${JSON.stringify(EXPORT_FORMAT)} expected).`, { field: "document" });
    }
    // Every field as the readers of a READY row need it, before anything is written (model-document.ts).
    const algorithm = checkModelDocument(doc);
    const modelName = checkModelName(name ?? String(doc.name ?? ""));
    const data = {
      workspaceId,
      name: modelName,
      algorithm,
      target: doc.target as string,
      features: doc.features as string[],
      hyperparameters: (doc.hyperparameters ?? {}) as Prisma.InputJsonObject,
      testFraction: Number(doc.testFraction ?? 0),
      seed: Number(doc.seed ?? 0),
      status: "READY" as const,
      metrics: (doc.metrics ?? undefined) as Prisma.InputJsonObject | undefined,
      cvMetrics: (doc.cvMetrics ?? undefined) as Prisma.InputJsonObject | undefined,
      summary: (doc.summary ?? undefined) as Prisma.InputJsonObject | undefined,
      state: doc.state as Prisma.InputJsonObject,
      trainedAt: doc.trainedAt ? new Date(doc.trainedAt) : new Date(),
    };
    // Rebuild the served model before writing: a document that cannot predict is refused.
    try {
      loadServedModel({ ...data, id: "import", version: 0 } as unknown as ModelRecord);
    } catch (e) {
      throw new InvalidInputError(`document's model cannot be loaded: ${(e as Error).message}`, { field: "document.state" });
    }
    const model = await insertModelVersion(this.prisma, data);
    notify(this.events, { type: "CREATED", workspaceId, modelId: model.id });
    notify(this.events, { type: "READY", workspaceId, modelId: model.id });
    await this.applyAliasRules(workspaceId, model.name);
    return model;
  }
}

function checkAlias(alias: string): void {
  if (!ALIAS.test(alias)) {
    throw new InvalidInputError(`alias must start with a letter and hold only letters, digits, - and _ (at most 63), got ${JSON.stringify(alias)}.`, { field: "alias" });
  }
}

type Tx = Prisma.TransactionClient;

/** Serialize rule updates of one model name (two trainings finishing at once move the alias once each, in turn). */
async function lockModelName(tx: Tx, workspaceId: string, name: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`alias-rule:${workspaceId}:${name}`}, 0))`;
}

/**
 * The READY version with the best value of a rule's metric (greater or smaller is better as
 * the metric says); the newest among equals. Null when no version reports the metric.
 */
async function bestVersion(tx: Tx, workspaceId: string, name: string, metric: string): Promise<ModelRecord | null> {
  const cv = metric.startsWith("cv:");
  const bare = cv ? metric.slice(3) : metric;
  const versions = await tx.model.findMany({ where: { workspaceId, name, status: "READY" }, orderBy: { version: "desc" } });
  let best: ModelRecord | null = null;
  let bestValue = NaN;
  for (const model of versions) {
    const source = (cv ? model.cvMetrics : model.metrics) as Record<string, unknown> | null;
    const raw = source?.[bare];
    const value = cv ? (raw as { mean?: unknown } | undefined)?.mean : raw;
    if (typeof value !== "number" || !Number.isFinite(value)) continue;
    const greaterIsBetter = SCORING[bare]?.greaterIsBetter ?? true;
    if (best === null || (greaterIsBetter ? value > bestValue : value < bestValue)) {
      best = model;
      bestValue = value;
    }
  }
  return best;
}

/**
 * The use cases behind the API, composed once per process over one Prisma client.
 * Services validate input, own every Prisma call and throw DomainErrors; they know nothing
 * of GraphQL or HTTP.
 */
import type { PrismaClient } from "../generated/prisma/client.ts";
import { DatasetService } from "./datasets.ts";
import { ModelService } from "./models.ts";
import { PredictionService } from "./predictions.ts";
import { TrainingService } from "./training.ts";
import { WorkspaceService } from "./workspaces.ts";
import { SelectionService } from "./selection.ts";
import { RegistryService } from "./registry.ts";
import { AnalyticsService } from "./analytics.ts";
import { AuthService } from "./auth.ts";

export interface Services {
  workspaces: WorkspaceService;
  datasets: DatasetService;
  models: ModelService;
  training: TrainingService;
  predictions: PredictionService;
  selection: SelectionService;
  registry: RegistryService;
  analytics: AnalyticsService;
  auth: AuthService;
}

export interface ServiceOptions {
  /** wall-clock budget of one training request in seconds (MAX_TRAINING_SECONDS) */
  maxTrainingSeconds?: number;
}

import { DEFAULT_MAX_TRAINING_SECONDS } from "../config.ts";

export function createServices(prisma: PrismaClient, options: ServiceOptions = {}): Services {
  const workspaces = new WorkspaceService(prisma);
  const datasets = new DatasetService(prisma);
  const models = new ModelService(prisma);
  const registry = new RegistryService(prisma, models);
  const training = new TrainingService(prisma, datasets, (workspaceId, name) => registry.applyAliasRules(workspaceId, name), options.maxTrainingSeconds ?? DEFAULT_MAX_TRAINING_SECONDS);
  const predictions = new PredictionService(prisma, models, registry);
  const selection = new SelectionService(training);
  const analytics = new AnalyticsService(prisma, registry);
  const auth = new AuthService(prisma);
  return { workspaces, datasets, models, training, predictions, selection, registry, analytics, auth };
}

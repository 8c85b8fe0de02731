/**
 * The use cases behind the API, composed once per process over one Prisma client.
 * Services validate input, own every Prisma call and throw DomainErrors; they know nothing
 * of GraphQL or HTTP.
 */
import type { PrismaClient } from "../generated/prisma/client.ts";
import { DatasetService, type DatasetLimits } from "./datasets/datasets.ts";
import { ModelService } from "./registry/models.ts";
import { PredictionService } from "./serving/predictions.ts";
import { TrainingService } from "./training/training.ts";
import { WorkspaceService } from "./access/workspaces.ts";
import { SelectionService } from "./training/selection.ts";
import { RegistryService } from "./registry/registry.ts";
import { AnalyticsService } from "./serving/analytics.ts";
import { AuthService } from "./access/auth.ts";

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
  events: EventBus;
  subscriptions: SubscriptionService;
  jobs: TrainingJobs;
  searches: SearchJobs;
}

export interface ServiceOptions {
  /** the training queue (src/jobs/queue.ts) */
  queue: JobQueue;
  /** model events for subscriptions: Postgres LISTEN/NOTIFY across processes, or local (default) */
  events?: EventBus;
  /** wall-clock budget of one training request in seconds (MAX_TRAINING_SECONDS) */
  maxTrainingSeconds?: number;
  /** the pg pool under Prisma on Postgres (Database.pool), for the hot paths; absent on PGlite */
  pool?: Pool;
  /** MAX_PAGE_CELLS, MAX_UPLOAD_CELLS, MAX_UPLOAD_CATEGORIES (DatasetService) */
  datasetLimits?: Partial<DatasetLimits>;
}

import { DEFAULT_MAX_TRAINING_SECONDS } from "../config.ts";
import { LocalEventBus, type EventBus } from "./events.ts";
import { SubscriptionService } from "./subscriptions.ts";
import { TrainingJobs } from "./training/training-jobs.ts";
import { SearchJobs } from "./training/search-jobs.ts";
import type { JobQueue } from "../jobs/queue.ts";
import type { Pool } from "pg";

export function createServices(prisma: PrismaClient, options: ServiceOptions): Services {
  const workspaces = new WorkspaceService(prisma);
  const datasets = new DatasetService(prisma, options.pool, options.datasetLimits);
  const events = options.events ?? new LocalEventBus();
  const models = new ModelService(prisma, events);
  const registry = new RegistryService(prisma, models, events);
  const training = new TrainingService(datasets, options.maxTrainingSeconds ?? DEFAULT_MAX_TRAINING_SECONDS);
  const predictions = new PredictionService(prisma, models, registry, options.pool);
  const jobs = new TrainingJobs(prisma, training, options.queue, events, registry);
  const searches = new SearchJobs(prisma, training, jobs, options.queue);
  const selection = new SelectionService(training, jobs, searches);
  const analytics = new AnalyticsService(prisma, registry);
  const auth = new AuthService(prisma);
  const subscriptions = new SubscriptionService(prisma, events);
  return { workspaces, datasets, models, training, predictions, selection, registry, analytics, auth, events, subscriptions, jobs, searches };
}

/**
 * Resolvers: thin (STYLE §8). Each unpacks its arguments and the context and calls one
 * service; validation, Prisma and errors live in the services.
 */
import { DateTimeResolver, JSONResolver } from "graphql-scalars";
import type { Resolvers } from "./generated/types.ts";
import { algorithmCatalog } from "../services/training/training.ts";
import type { ModelSummary } from "../services/training/training.ts";
import { coefficientTable, inferenceTable } from "../services/training/inference.ts";
import { taskOf, type Algorithm } from "../core/estimators/index.ts";

const summaryOf = (model: { summary: unknown }) => (model.summary ?? null) as ModelSummary | null;

export const resolvers: Resolvers = {
  JSON: JSONResolver,
  DateTime: DateTimeResolver,

  Query: {
    dataset: (_, { id }, { services, workspaceId }) => services.datasets.getDataset(workspaceId, id),
    datasets: (_, args, { services, workspaceId }) => services.datasets.listDatasets(workspaceId, args),
    model: (_, { id }, { services, workspaceId }) => services.models.getModel(workspaceId, id),
    models: (_, args, { services, workspaceId }) => services.models.listModels(workspaceId, args),
    predictions: (_, { modelId, ...args }, { services, workspaceId }) =>
      services.predictions.listPredictions(workspaceId, modelId, args),
    algorithms: () => algorithmCatalog(),
    search: (_, { id }, { services, workspaceId }) => services.selection.search(workspaceId, id),
    apiKeys: (_, { workspaceId }, { services, principal }) => services.auth.listApiKeys(principal, workspaceId),
    drift: async (_, { model, ...args }, { services, workspaceId }) => (await services.analytics.drift(workspaceId, model, args)).features,
    predictionStats: (_, { model, ...args }, { services, workspaceId }) => services.analytics.predictionStats(workspaceId, model, args),
    modelByReference: (_, { reference }, { services, workspaceId }) => services.registry.resolve(workspaceId, reference),
    aliases: (_, { model }, { services, workspaceId }) => services.registry.aliasesOfName(workspaceId, model),
    replay: (_, args, { services, workspaceId }) => services.predictions.replay(workspaceId, args) as never,
  },

  Mutation: {
    createDataset: (_, { input }, { services, workspaceId }) => services.datasets.createDataset(workspaceId, input),
    deleteDataset: (_, { id }, { services, workspaceId }) => services.datasets.deleteDataset(workspaceId, id),
    trainModel: (_, { input, wait }, { services, workspaceId }) => services.jobs.trainModel(workspaceId, input, wait ?? false),
    cancelTraining: (_, { id }, { services, workspaceId }) => services.jobs.cancelTraining(workspaceId, id),
    deleteModel: (_, { id }, { services, workspaceId }) => services.models.deleteModel(workspaceId, id),
    predict: async (_, { modelId, model, inputs, shadow }, { services, workspaceId, explanations }) =>
      services.predictions.predict(workspaceId, await services.predictions.resolveModelId(workspaceId, { modelId, model }), inputs, { shadow, explanations }),
    comparePredictions: (_, args, { services, workspaceId }) => services.predictions.compare(workspaceId, args) as never,
    setAliasRule: (_, { model, alias, metric }, { services, workspaceId }) => services.registry.setAliasRule(workspaceId, model, alias, metric),
    promote: (_, { model, version, alias }, { services, workspaceId }) => services.registry.promote(workspaceId, model, version, alias),
    rollback: (_, { model, alias }, { services, workspaceId }) => services.registry.rollback(workspaceId, model, alias),
    exportModel: (_, { id }, { services, workspaceId }) => services.registry.exportModel(workspaceId, id),
    importModel: (_, { document, name }, { services, workspaceId }) => services.registry.importModel(workspaceId, document, name),
    createWorkspace: (_, { name }, { services }) => services.auth.createWorkspace(name),
    createApiKey: (_, { input }, { services, principal }) => services.auth.createApiKey(principal, input),
    revokeApiKey: (_, { id }, { services, principal }) => services.auth.revokeApiKey(principal, id),
    searchHyperparameters: (_, { input, wait }, { services, workspaceId }) => services.selection.searchHyperparameters(workspaceId, input, wait ?? false),
    trainLeaderboard: (_, { input, wait }, { services, workspaceId }) => services.selection.trainLeaderboard(workspaceId, input, wait ?? false),
    selectFeatures: (_, { input }, { services, workspaceId }) => services.selection.selectFeatures(workspaceId, input),
    recordOutcome: (_, { predictionId, actual }, { services, workspaceId }) => services.predictions.recordOutcome(workspaceId, predictionId, actual),
  },

  Subscription: {
    modelEvents: {
      subscribe: (_, __, { services, workspaceId }) => services.subscriptions.modelEvents(workspaceId) as never,
      resolve: (event: unknown) => event as never,
    },
    trainingProgress: {
      subscribe: (_, { modelId }, { services, workspaceId }) => services.subscriptions.trainingProgress(workspaceId, modelId) as never,
      resolve: (progress: unknown) => progress as never,
    },
  },

  ModelEvent: {
    model: (event, _, { services, workspaceId }) => (event.type === "DELETED" ? null : services.models.getModel(workspaceId, event.modelId)),
  },

  Dataset: {
    columns: (dataset, _, { services }) => services.datasets.columns(dataset.id),
    rows: (dataset, args, { services }) => services.datasets.rows(dataset, args),
  },

  SearchResult: {
    model: (search, _, { services, workspaceId }) => (search.modelId ? services.models.getModel(workspaceId, search.modelId) : null),
  },
  Model: {
    task: (model) => summaryOf(model)?.task ?? (taskOf(model.algorithm as Algorithm) === "regression" ? "REGRESSION" : "CLASSIFICATION"),
    hyperparameters: (model) => model.hyperparameters,
    progress: (model) => {
      const progress = model.progress as { iteration?: number | null; objective?: number | null; fraction?: number } | null;
      if (model.status === "READY") return { iteration: progress?.iteration ?? null, objective: progress?.objective ?? null, fraction: 1 };
      return progress ? { iteration: progress.iteration ?? null, objective: progress.objective ?? null, fraction: progress.fraction ?? 0 } : null;
    },
    aliases: (model, _, { services }) => services.registry.aliasesOf(model.id),
    metrics: (model) => (model.metrics ?? null) as never,
    cvMetrics: (model) => (model.cvMetrics ?? null) as never,
    liveMetrics: (model, args, { services, workspaceId }) => services.predictions.liveMetrics(workspaceId, model.id, args) as never,
    coefficients: (model, { level }) => coefficientTable(summaryOf(model), level),
    inference: (model, { level }) => inferenceTable(summaryOf(model), level),
    intercept: (model) => summaryOf(model)?.intercept ?? null,
    featureImportance: (model) => summaryOf(model)?.featureImportance ?? null,
    intercepts: (model) => summaryOf(model)?.intercepts ?? null,
    classes: (model) => summaryOf(model)?.classes ?? null,
    trainingRows: (model) => summaryOf(model)?.trainingRows ?? null,
    testRows: (model) => summaryOf(model)?.testRows ?? null,
    warnings: (model) => summaryOf(model)?.warnings ?? [],
    signature: (model) => summaryOf(model)?.signature ?? null,
    derivedFeatures: (model) => summaryOf(model)?.derivedFeatures ?? [],
    pipeline: (model) => {
      const state = model.state as { pipeline?: { params: { features: { name: string; type: string }[] }; state: { steps: object[] } } } | null;
      const summary = summaryOf(model);
      if (!state?.pipeline || !summary?.coefficients) return null;
      const specs = state.pipeline.params.features;
      return {
        features: summary.coefficients.map((c) => c.feature),
        steps: state.pipeline.state.steps.map((step, j) => ({ column: specs[j].name, type: specs[j].type, ...step })),
      };
    },
    curves: (model) => {
      const curves = summaryOf(model)?.curves;
      if (!curves) return null;
      return {
        residuals: curves.residuals?.fitted.map((fitted, i) => ({ fitted, residual: curves.residuals!.residual[i] })) ?? null,
        residualHistogram: curves.residualHistogram,
        classes:
          curves.classes?.map((c) => ({
            class: c.class,
            // Summaries stored before the per-class AUC was recorded have none.
            auc: c.auc ?? null,
            roc: c.roc.fpr.map((fpr, i) => ({ fpr, tpr: c.roc.tpr[i], threshold: c.roc.thresholds[i] })),
            precisionRecall: c.pr.precision.map((precision, i) => ({ precision, recall: c.pr.recall[i], threshold: c.pr.thresholds[i] ?? null })),
            calibration: c.calibration,
          })) ?? null,
      };
    },
    dataset: (model, _, { services, workspaceId }) => (model.datasetId ? services.datasets.getDataset(workspaceId, model.datasetId) : null),
  },

  Prediction: {
    id: (prediction) => prediction.id.toString(),
    model: (prediction, _, { services, workspaceId }) => services.models.requireModel(workspaceId, prediction.modelId),
    // Rows logged before non-finite outputs were refused hold `value: null` (JSON's Infinity):
    // such a row must not fail the page it is on, so each field reads the stored JSON defensively.
    output: (prediction) => (Number.isFinite(prediction.output?.value) ? prediction.output.value : null),
    label: (prediction) => (typeof prediction.output?.label === "string" ? prediction.output.label : null),
    probabilities: (prediction) => {
      const probabilities = prediction.output?.probabilities;
      return Array.isArray(probabilities) && probabilities.every((p) => typeof p?.label === "string" && Number.isFinite(p.probability)) ? probabilities : null;
    },
    explanation: (prediction, { topK }, { services, workspaceId, explanations }) => services.predictions.explain(workspaceId, prediction, topK, explanations),
    interval: (prediction, { level }, { services, workspaceId }) => services.predictions.interval(workspaceId, prediction, level),
    outOfRange: (prediction, _, { services, workspaceId }) => services.predictions.outOfRange(workspaceId, prediction),
    actual: (prediction) => prediction.actual ?? null,
    outcomeAt: (prediction) => prediction.outcomeAt ?? null,
  },
};

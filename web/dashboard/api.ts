/**
 * The dashboard's operations, all over the public GraphQL API (no private endpoints), and the
 * shapes it reads from them. Optional fields are selected only when the schema has them.
 */
import { present, when } from "./schema.ts";

export type ColumnType = "NUMBER" | "CATEGORY" | "BOOLEAN";

export interface Histogram {
  edges: number[];
  counts: number[];
}

export interface ColumnStats {
  count: number;
  missing: number;
  mean?: number | null;
  std?: number | null;
  min?: number | null;
  q25?: number | null;
  median?: number | null;
  q75?: number | null;
  max?: number | null;
  distinct?: number | null;
  topValues?: { value: string; count: number }[] | null;
  trueCount?: number | null;
  falseCount?: number | null;
  histogram?: Histogram | null;
}

export interface Column {
  name: string;
  type: ColumnType;
  stats?: ColumnStats;
}

export interface DatasetSummary {
  id: string;
  name: string;
  rowCount: number;
  createdAt: string;
  columns: Column[];
}

export interface DatasetDetail extends DatasetSummary {
  rows: { edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean } };
}

export interface Metrics {
  evaluatedOn: "TEST" | "TRAINING" | "LIVE";
  rows: number;
  confusionMatrix?: number[][] | null;
  [metric: string]: unknown;
}

export interface ModelSummary {
  id: string;
  name: string;
  version: number;
  algorithm: string;
  task: "REGRESSION" | "CLASSIFICATION";
  target: string;
  status: string;
  error?: string | null;
  aliases: string[];
  createdAt: string;
  trainedAt?: string | null;
  metrics?: Metrics | null;
}

export interface Coefficient {
  feature: string;
  value: number;
  class?: string | null;
  stdError?: number | null;
  ciLow?: number | null;
  ciHigh?: number | null;
  pValue?: number | null;
}

export interface ClassCurves {
  class: string;
  roc: { fpr: number; tpr: number }[];
  precisionRecall: { precision: number; recall: number }[];
}

export interface ModelDetail extends ModelSummary {
  features: string[];
  hyperparameters: Record<string, unknown>;
  testFraction: number;
  seed: number;
  trainingRows?: number | null;
  testRows?: number | null;
  warnings: string[];
  classes?: string[] | null;
  intercept?: number | null;
  dataset?: { id: string; name: string } | null;
  curves?: {
    classes?: ClassCurves[] | null;
    residuals?: { fitted: number; residual: number }[] | null;
    residualHistogram?: Histogram | null;
  } | null;
  coefficients?: Coefficient[] | null;
  featureImportance?: { feature: string; importance: number; std?: number | null; method: string }[] | null;
}

export interface PredictionStats {
  from: string;
  to: string;
  bucket: string;
  total: number;
  buckets: { start: string; count: number }[];
  latencyP50?: number | null;
  latencyP95?: number | null;
  latencyP99?: number | null;
}

export interface FeatureDrift {
  feature: string;
  psi: number;
  /** null (or absent, from a server without it) when there are too few logged values for a verdict */
  drifted: boolean | null;
  status?: "DRIFTED" | "STABLE" | "INSUFFICIENT_DATA";
  ksStatistic?: number | null;
  pValue?: number | null;
  count: number;
  minimumSample?: number;
  message?: string;
}

/** Regression and classification metrics, in the order the dashboard shows them. */
export const REGRESSION_METRICS = ["r2", "adjustedR2", "rmse", "mae", "mape", "explainedVariance"] as const;
export const CLASSIFICATION_METRICS = ["accuracy", "balancedAccuracy", "f1", "precision", "recall", "rocAuc", "logLoss", "mcc"] as const;
/** Metrics where smaller is better; every other one ranks larger first. */
export const LOWER_IS_BETTER = new Set(["rmse", "mae", "mape", "logLoss"]);

const METRIC_FIELDS = present("Metrics", ["evaluatedOn rows", ...REGRESSION_METRICS, ...CLASSIFICATION_METRICS].join(" "));

/** The metrics this schema has, per task. */
export const availableMetrics = (task: ModelSummary["task"]): string[] =>
  (task === "REGRESSION" ? REGRESSION_METRICS : CLASSIFICATION_METRICS).filter((m) => METRIC_FIELDS.split(" ").includes(m));

export const DATASETS = `query DashboardDatasets {
  datasets(first: 100) {
    edges { node { id name rowCount createdAt columns { name type } } }
  }
}`;

/** At most this many rows feed the correlation heatmap (and histograms when the schema has none). */
export const SAMPLE_ROWS = 1000;

export const DATASET = `query DashboardDataset($id: ID!, $rows: Int!) {
  dataset(id: $id) {
    id name rowCount createdAt
    columns {
      name type
      stats {
        ${present("ColumnStats", "count missing mean std min q25 median q75 max distinct trueCount falseCount")}
        ${when("ColumnStats.topValues", "topValues { value count }")}
        ${when("ColumnStats.histogram", "histogram { edges counts }")}
      }
    }
    rows(first: $rows) { edges { node } pageInfo { hasNextPage } }
  }
}`;

export const MODELS = `query DashboardModels {
  models(first: 100) {
    edges {
      node {
        id name version algorithm task target status error aliases createdAt
        ${present("Model", "trainedAt")}
        metrics { ${METRIC_FIELDS} }
      }
    }
  }
}`;

export const MODEL = `query DashboardModel($id: ID!) {
  model(id: $id) {
    id name version algorithm task target features status error aliases hyperparameters
    testFraction seed warnings createdAt
    ${present("Model", "trainedAt trainingRows testRows classes intercept")}
    ${when("Model.dataset", "dataset { id name }")}
    metrics { ${METRIC_FIELDS} ${present("Metrics", "confusionMatrix")} }
    ${when(
      "Model.curves",
      `curves {
        classes { class roc { fpr tpr } precisionRecall { precision recall } }
        residuals { fitted residual }
        ${when("Curves.residualHistogram", "residualHistogram { edges counts }")}
      }`,
    )}
    ${when("Model.coefficients", `coefficients { feature value ${present("Coefficient", "class stdError ciLow ciHigh pValue")} }`)}
    ${when("Model.featureImportance", `featureImportance { feature importance ${present("FeatureImportance", "std method")} }`)}
  }
}`;

/** Serving statistics of one version (`name@version`), apart from the model so that either can fail alone. */
export const SERVING_STATS = when(
  "Query.predictionStats",
  `query DashboardServing($model: String!, $from: DateTime!, $bucket: String!) {
  predictionStats(model: $model, from: $from, bucket: $bucket) {
    from to bucket total buckets { start count }
    ${present("PredictionStats", "latencyP50 latencyP95 latencyP99")}
  }
}`,
);

export const DRIFT = when(
  "Query.drift",
  `query DashboardDrift($model: String!, $from: DateTime!) {
  drift(model: $model, from: $from) { feature psi drifted ${present("FeatureDrift", "status ksStatistic pValue minimumSample message")} count }
}`,
);

/** A cheap query that needs only READ: checks a key at sign-in. */
export const WHO_AM_I = `query DashboardSignIn { datasets(first: 1) { edges { cursor } } }`;

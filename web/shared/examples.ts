/**
 * Example operations for GraphiQL's tabs: the README's walk-through (create a dataset, train,
 * predict) plus a first look around. Ids travel as variables, so each tab runs once the id
 * from the previous one is pasted into its variables.
 */
export interface Example {
  query: string;
  variables?: string;
}

export const OVERVIEW = `# ModelQL: run an operation with Ctrl-Enter (or the ▶ button).
# The other tabs follow the README's walk-through: create a dataset, train, predict.
query Overview {
  algorithms {
    algorithm
    task
  }
  datasets(first: 10) {
    edges { node { id name rowCount } }
  }
  models(first: 10) {
    edges { node { id name version algorithm status } }
  }
}
`;

const HOUSES_CSV = [
  "sqft,age,garage,city,price",
  "1400,30,true,Lyon,310000",
  "2100,12,false,Paris,620000",
  "900,55,false,Nice,190000",
  "1750,20,true,Paris,540000",
  "1200,41,false,Lyon,250000",
  "2600,5,true,Nice,600000",
  "1550,33,false,Paris,450000",
  "1000,60,true,Lyon,215000",
].join("\\n");

export const CREATE_DATASET = `# 1. Create a dataset from CSV text; column types are inferred.
mutation CreateDataset {
  createDataset(input: {
    name: "houses"
    csv: "${HOUSES_CSV}\\n"
  }) {
    id
    rowCount
    columns { name type stats { count missing mean std min median max } }
  }
}
`;

export const TRAIN = `# 2. Train a model: paste the dataset id from tab 1 into the variables below.
mutation TrainModel($datasetId: ID!) {
  trainModel(wait: true, input: {
    datasetId: $datasetId
    name: "house-prices"
    algorithm: RIDGE
    target: "price"
    hyperparameters: { alpha: 0.1 }
    testFraction: 0
  }) {
    id status error version
    metrics { evaluatedOn r2 rmse mae }
    coefficients { feature value }
    intercept
  }
}
`;

export const PREDICT = `# 3. Predict from raw column values (the model is named by reference), then read the log.
mutation Predict {
  predict(model: "house-prices", inputs: [
    { sqft: 1600, age: 25, garage: true, city: "Paris" }
    { sqft: 950, age: 70, garage: false, city: "Nice" }
  ]) {
    id output createdAt
    outOfRange
    explanation { baseValue contributions { feature value contribution } }
  }
}

query PredictionLog {
  modelByReference(reference: "house-prices") {
    id
    name
    version
  }
  predictionStats(model: "house-prices") { total latencyP50 latencyP95 latencyP99 }
}
`;

export const EXAMPLES: Example[] = [
  { query: OVERVIEW },
  { query: CREATE_DATASET },
  { query: TRAIN, variables: JSON.stringify({ datasetId: "<id from the CreateDataset tab>" }, null, 2) },
  { query: PREDICT },
];

/**
 * What the dashboard test shows: a customer-churn dataset (seeded, so every run draws the same
 * pictures), three classifiers of churn ranked on one split, a regression of income, and a
 * few served predictions whose tenure has drifted. All through the public GraphQL API.
 */
import { postGraphQL } from "../support/http.ts";

/** Park–Miller minimal standard generator: the same rows on every run. */
function generator(seed: number) {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

export interface Customer {
  age: number;
  income: number;
  tenure_months: number;
  support_calls: number;
  plan: string;
  autopay: boolean;
  churned: boolean;
}

export function customers(n: number, seed = 11): Customer[] {
  const random = generator(seed);
  const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const plans = ["basic", "plus", "pro"];
  return Array.from({ length: n }, () => {
    const age = Math.round(22 + 45 * random());
    const plan = plans[Math.floor(random() * 3)];
    const income = Math.round(Math.exp(10.4 + 0.012 * (age - 40) + 0.15 * normal() + (plan === "pro" ? 0.3 : 0)) / 100) * 100;
    const tenure = Math.max(1, Math.round(36 + 20 * normal()));
    const calls = Math.min(9, Math.floor(-Math.log(random() + 1e-12) * 1.8));
    const autopay = random() < 0.55;
    const logit = -0.6 + 0.55 * calls - 0.045 * tenure + (plan === "basic" ? 0.7 : plan === "pro" ? -0.5 : 0) - (autopay ? 0.8 : 0) + 0.4 * normal();
    return { age, income, tenure_months: tenure, support_calls: calls, plan, autopay, churned: random() < 1 / (1 + Math.exp(-logit)) };
  });
}

export function toCsv(rows: Customer[]): string {
  const header = "age,income,tenure_months,support_calls,plan,autopay,churned";
  return [header, ...rows.map((r) => [r.age, r.income, r.tenure_months, r.support_calls, r.plan, r.autopay, r.churned].join(","))].join("\n") + "\n";
}

export interface Seeded {
  datasetId: string;
  churnModels: { id: string; version: number; algorithm: string }[];
  incomeModelId: string;
}

export async function seed(url: string, key: string): Promise<Seeded> {
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const response = await postGraphQL(`${url}/graphql`, query, variables, key);
    if (response.errors) throw new Error(`seeding failed: ${JSON.stringify(response.errors)}`);
    return response.data;
  };
  const rows = customers(400);
  const { createDataset } = await gql(`mutation($csv: String!) { createDataset(input: { name: "customers", csv: $csv }) { id } }`, { csv: toCsv(rows) });
  const datasetId: string = createDataset.id;

  const train = `mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) { id version algorithm status error } }`;
  const candidates = [
    { algorithm: "LOGISTIC_REGRESSION", hyperparameters: { penalty: "none" } },
    { algorithm: "LINEAR_SVM", hyperparameters: { C: 0.5 } },
    { algorithm: "LOGISTIC_REGRESSION", hyperparameters: { C: 0.05 } },
  ];
  const churnModels: Seeded["churnModels"] = [];
  for (const candidate of candidates) {
    const { trainModel } = await gql(train, { input: { datasetId, name: "churn", target: "churned", testFraction: 0.25, seed: 7, ...candidate } });
    if (trainModel.status !== "READY") throw new Error(`training ${candidate.algorithm} failed: ${trainModel.error}`);
    churnModels.push(trainModel);
  }
  const { trainModel: income } = await gql(train, {
    input: { datasetId, name: "income", target: "income", algorithm: "LINEAR_REGRESSION", features: ["age", "plan", "tenure_months"], testFraction: 0.25, seed: 7 },
  });

  // Serve the first churn model: customers who stay longer than in training (tenure drifts).
  const inputs = customers(120, 99).map(({ churned: _churned, ...input }) => ({ ...input, tenure_months: input.tenure_months + 30 }));
  for (let i = 0; i < inputs.length; i += 10) {
    await gql(`mutation($inputs: [JSON!]!) { predict(model: "churn@1", inputs: $inputs) { id } }`, { inputs: inputs.slice(i, i + 10) });
  }
  return { datasetId, churnModels, incomeModelId: income.id };
}

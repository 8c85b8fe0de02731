/**
 * The nested-field scope table against the schema: start-up fails on a field or a type it
 * does not classify, as it does for root fields.
 */
import { readFileSync } from "node:fs";
import { buildSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { fieldScopes, withScopes } from "../../../src/graphql/authorization.ts";

const typeDefs = readFileSync(new URL("../../../schema.graphql", import.meta.url), "utf8");

describe("fieldScopes", () => {
  it("classifies every field of the schema's subject types and every type a root reaches", () => {
    const scopes = fieldScopes(buildSchema(typeDefs));
    expect(scopes.get("Model.coefficients")).toBe("EXPORT");
    expect(scopes.get("Dataset.rows")).toBe("READ");
    expect(scopes.has("Prediction.output")).toBe(false);
  });

  it("refuses a subject type's field without a scope", () => {
    const schema = buildSchema(typeDefs.replace("type Model {", "type Model {\n  supportVectors: [[Float!]!]"));
    expect(() => fieldScopes(schema)).toThrow(/Model\.supportVectors has no scope/);
  });

  it("refuses a type reached from a root that is in neither table", () => {
    const schema = buildSchema(`${typeDefs}\ntype Secret { value: String }\nextend type Dataset { secret: Secret }`);
    expect(() => fieldScopes(schema)).toThrow(/Dataset\.secret has no scope.*type Secret \(reached through Dataset\.secret\)/);
  });

  it("refuses a root field without a scope (as before)", () => {
    const schema = buildSchema(`${typeDefs}\nextend type Query { everything: JSON }`);
    expect(() => withScopes({ Query: {} }, schema)).toThrow(/Query\.everything has no scope/);
  });
});

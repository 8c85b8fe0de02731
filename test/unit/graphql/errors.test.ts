import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { DomainError, InvalidInputError } from "../../../src/core/errors.ts";
import { createErrorFormatter, maskedOriginal } from "../../../src/graphql/errors.ts";

/** A resolver's error as graphql-js hands it to Apollo: wrapped, with the original as originalError. */
const fromResolver = (original: Error) => new GraphQLError(original.message, { originalError: original, path: ["field"] });

describe("maskedOriginal: what the HTTP path logs per request", () => {
  const bug = new TypeError("cannot read properties of undefined");
  const cases: [string, GraphQLError, boolean][] = [
    ["a domain error keeps its code", fromResolver(new InvalidInputError("bad", { field: "x" })), false],
    ["an internal domain code is a bug", fromResolver(new DomainError("NOT_FITTED", "not fitted")), true],
    ["graphql-js's own errors keep their codes", new GraphQLError("Cannot query field", { extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }), false],
    ["anything else is a bug", fromResolver(bug), true],
    ["the database being away is not a bug", fromResolver(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })), false],
  ];

  it.each(cases)("%s", (_name, error, masked) => {
    const logged: unknown[] = [];
    const formatted = createErrorFormatter((e) => logged.push(e))(error.toJSON(), error);
    expect(formatted.extensions?.code === "INTERNAL_SERVER_ERROR").toBe(masked);
    // The formatter and the per-request logger agree on what is a bug, and on the original.
    expect(maskedOriginal(error) !== undefined).toBe(masked);
    expect(logged).toEqual(masked ? [maskedOriginal(error)] : []);
  });

  it("hands back the resolver's own error, for its stack", () => {
    expect(maskedOriginal(fromResolver(bug))).toBe(bug);
  });
});

/**
 * Text Postgres cannot store (NUL, unpaired surrogates: src/services/text.ts) is refused at the
 * GraphQL edge, before any resolver runs: every string literal of the document and every
 * variable, at any depth, keys included. Nothing reaches a service except through one of the
 * two, so names, references, CSV text, prediction inputs, JSON arguments (hyperparameters,
 * preprocessing, filters) and imported documents are all covered by this one check. Refused
 * with BAD_USER_INPUT naming the argument or variable (`extensions.field`), HTTP 400.
 */
import { GraphQLError, visit, type DocumentNode } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { badTextMessage, findBadText, shortPath, textProblem } from "../services/text.ts";

/** A document's own literals are checked once per parsed document (Apollo caches documents). */
const literalChecks = new WeakMap<DocumentNode, { path: string; problem: string } | null>();

function badLiteral(document: DocumentNode): { path: string; problem: string } | null {
  const cached = literalChecks.get(document);
  if (cached !== undefined) return cached;
  let found: { path: string; problem: string } | null = null;
  let argument = "query";
  visit(document, {
    Argument: { enter: (node) => void (argument = node.name.value) },
    VariableDefinition: { enter: (node) => void (argument = `$${node.variable.name.value}`) },
    StringValue(node) {
      const problem = found ? null : textProblem(node.value);
      if (problem) found = { path: argument, problem };
    },
  });
  literalChecks.set(document, found);
  return found;
}

/** The first unstorable text of an operation (its literals, then its variables), or null. */
export function badTextInOperation(document: DocumentNode, variables: Record<string, unknown> | undefined | null): { path: string; problem: string } | null {
  const literal = badLiteral(document);
  if (literal) return literal;
  for (const [name, value] of Object.entries(variables ?? {})) {
    const bad = findBadText(value, `$${name}`);
    if (bad) return bad;
  }
  return null;
}

export function badTextError(bad: { path: string; problem: string }): GraphQLError {
  return new GraphQLError(badTextMessage(bad), { extensions: { code: "BAD_USER_INPUT", field: shortPath(bad.path), http: { status: 400 } } });
}

export function textCheckPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const bad = badTextInOperation(document, request.variables);
          if (bad) throw badTextError(bad);
        },
      };
    },
  };
}

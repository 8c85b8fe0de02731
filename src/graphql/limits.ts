/**
 * What one operation may cost, checked before any resolver runs.
 *
 * - graphql-armor for the shape of the document: depth, aliases, directives, and no field
 *   suggestions when introspection is off (suggestions would reveal the schema).
 * - The token limit is graphql-js's own (`parse(source, { maxTokens })`, through Apollo's
 *   `parseOptions`): armor's token plugin parses the source in a hook where a syntax error
 *   became an HTTP 500; graphql-js's parser makes any syntax error, the limit included, the
 *   400 that GraphQL over HTTP asks for.
 * - A row-aware cost (graphql-armor's cost counts fields only): every field costs 1, and a
 *   field's children count once per row it can return: `first` for pages (or the list's
 *   default page size), the number of `inputs` for `predict`. Explanations cost
 *   EXPLANATION_COST per prediction. Over MAX_COST the operation is refused with
 *   BAD_USER_INPUT naming the limit (`extensions.limit`), HTTP 400.
 * - The same walk counts the explanations the operation can resolve (rows × `explanation`
 *   fields) into the context (`explanations`), so that each kernel-model explanation can check
 *   the operation's whole explanation work against MAX_EXPLANATION_WORK before any of it runs
 *   (src/services/serving/served-model.ts): the work per explanation depends on the model, which only
 *   the resolver knows.
 */
import { ApolloArmor } from "@escape.tech/graphql-armor";
import { GraphQLError, Kind, valueFromASTUntyped, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";

export interface Limits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  introspection: boolean;
}

export const DEFAULT_LIMITS: Limits = { maxDepth: 12, maxAliases: 20, maxTokens: 5000, maxCost: 200_000, introspection: true };

/** Rows a list returns when `first` is absent (its documented default page size). */
const DEFAULT_ROWS: Record<string, number> = { rows: 100 };
const DEFAULT_PAGE = 20;
const EXPLANATION_COST = 10;

export function armor(limits: Limits) {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth, exposeLimits: true },
    maxAliases: { n: limits.maxAliases, exposeLimits: true },
    maxTokens: { enabled: false }, // graphql-js's parser enforces it (module comment)
    maxDirectives: { n: 20, exposeLimits: true },
    costLimit: { enabled: false }, // replaced by the row-aware cost below
    blockFieldSuggestion: { enabled: !limits.introspection },
  }).protect();
}

export function costLimitPlugin<T extends object>(maxCost: number): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          if (!operation) return;
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
          const { cost, explanations } = selectionCost(operation.selectionSet, fragments, request.variables ?? {}, 0);
          (contextValue as { explanations?: number }).explanations = explanations;
          if (cost > maxCost) {
            throw new GraphQLError(`Operation cost ${cost} exceeds the limit MAX_COST = ${maxCost}: request fewer rows (first, inputs) or fewer fields.`, {
              extensions: { code: "BAD_USER_INPUT", limit: "MAX_COST", cost, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/** An operation's cost and the explanations it can resolve (module comment). */
interface Tally {
  cost: number;
  explanations: number;
}

function selectionCost(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, variables: Record<string, unknown>, depth: number): Tally {
  const tally = { cost: 0, explanations: 0 };
  if (!set || depth > 50) return tally;
  for (const selection of set.selections) {
    const part =
      selection.kind === Kind.FIELD
        ? fieldCost(selection, fragments, variables, depth)
        : selectionCost(selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet, fragments, variables, depth + 1);
    tally.cost += part.cost;
    tally.explanations += part.explanations;
  }
  return tally;
}

function fieldCost(field: FieldNode, fragments: Map<string, FragmentDefinitionNode>, variables: Record<string, unknown>, depth: number): Tally {
  const args = Object.fromEntries((field.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
  const name = field.name.value;
  let rows = 1;
  if ("first" in args || name in DEFAULT_ROWS || field.arguments?.some((a) => a.name.value === "after")) {
    rows = typeof args.first === "number" ? args.first : (DEFAULT_ROWS[name] ?? DEFAULT_PAGE);
  } else if (Array.isArray(args.inputs)) {
    rows = args.inputs.length;
  }
  const explanation = name === "explanation";
  const children = selectionCost(field.selectionSet, fragments, variables, depth + 1);
  return { cost: (explanation ? EXPLANATION_COST : 1) + rows * children.cost, explanations: (explanation ? 1 : 0) + rows * children.explanations };
}

/**
 * The fields schema.graphql had when this bundle was built (scripts/build-web.ts), so that
 * queries ask only for what the server has: optional parts of the dashboard (coefficient
 * intervals, feature importance, curves, serving statistics, drift) follow the schema.
 */
const FIELDS = new Set<string>(__MODELQL_SCHEMA_FIELDS__);

/** Whether the schema has `Type.field`. */
export function has(typeField: string): boolean {
  return FIELDS.has(typeField);
}

/** The space-separated fields of `type` in `wanted` that the schema has (a selection set's body). */
export function present(type: string, wanted: string): string {
  return wanted
    .split(/\s+/)
    .filter((field) => field && FIELDS.has(`${type}.${field}`))
    .join(" ");
}

/** `selection` when the schema has `typeField`, else nothing. */
export function when(typeField: string, selection: string): string {
  return FIELDS.has(typeField) ? selection : "";
}

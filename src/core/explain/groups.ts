/**
 * Feature groups for the explainers: several columns that form one raw feature (the block of a
 * one-hot encoded category, a spline basis) and are explained together. A group is a list of
 * column indices; without groups every column is its own.
 */
import { InvalidInputError } from "../errors.ts";

/**
 * Check `groups` against p columns and return them as Int32Arrays: every group non-empty,
 * indices integers in [0, p), no column twice in a group — and, when `partition` is set, no
 * column in two groups and none left out (Shapley values split f(x) − E f among the groups,
 * which needs every column in exactly one).
 *
 * @returns [[0], [1], …, [p − 1]] when groups is undefined
 */
export function resolveGroups(groups: readonly (readonly number[])[] | undefined, p: number, partition: boolean): Int32Array[] {
  if (groups === undefined) return Array.from({ length: p }, (_, j) => Int32Array.of(j));
  if (groups.length === 0) throw new InvalidInputError("groups must hold at least one group of column indices.", { field: "groups" });
  const owner = new Int32Array(p).fill(-1);
  const out = groups.map((group, g) => {
    if (group.length === 0) throw new InvalidInputError(`Group ${g} is empty; give it at least one column index.`, { field: "groups", group: g });
    const seen = new Set<number>();
    for (const j of group) {
      if (!Number.isInteger(j) || j < 0 || j >= p) {
        throw new InvalidInputError(`Group ${g} has column index ${j}; indices must be integers in [0, ${p}).`, { field: "groups", group: g });
      }
      if (seen.has(j)) throw new InvalidInputError(`Group ${g} lists column ${j} twice.`, { field: "groups", group: g });
      seen.add(j);
      if (partition && owner[j] !== -1) {
        throw new InvalidInputError(`Column ${j} is in groups ${owner[j]} and ${g}; each column must belong to exactly one group.`, { field: "groups", group: g });
      }
      owner[j] = g;
    }
    return Int32Array.from(group);
  });
  if (partition) {
    const missing = [];
    for (let j = 0; j < p; j++) if (owner[j] === -1) missing.push(j);
    if (missing.length > 0) {
      throw new InvalidInputError(`Columns ${missing.join(", ")} are in no group; every column must belong to exactly one group (a group of its own is fine).`, {
        field: "groups",
      });
    }
  }
  return out;
}

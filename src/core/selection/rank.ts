/** Ranks 1, 2, … (1 = best; ties in the order given); entries without a score rank last. */
export function rank<T extends { rank: number }>(items: T[], score: (item: T) => number | null, greaterIsBetter: boolean): void {
  const order = items
    .map((item, index) => ({ item, index, value: score(item) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) return (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0) || a.index - b.index;
      return (greaterIsBetter ? b.value - a.value : a.value - b.value) || a.index - b.index;
    });
  order.forEach(({ item }, k) => (item.rank = k + 1));
}

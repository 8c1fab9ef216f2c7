/**
 * Ranks of `values` from 1 (smallest) to n, where tied values share the mean of the ranks they
 * occupy (the "average" method of R's `rank` and `scipy.stats.rankdata`).
 */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);

  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;

    // Positions start..end-1 hold ranks start+1..end, whose mean is (start + 1 + end) / 2.
    const shared = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]] = shared;
    start = end;
  }
  return ranks;
}

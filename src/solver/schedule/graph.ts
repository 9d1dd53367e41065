/** Successor lists in compressed rows: the successors of t are adj[start[t] .. start[t+1]). */
export interface Successors {
  readonly start: Int32Array;
  readonly adj: Int32Array;
  readonly indeg: Int32Array;
}

export function buildSuccessors(count: number, edgeFrom: readonly number[], edgeTo: readonly number[]): Successors {
  const E = edgeFrom.length;
  const start = new Int32Array(count + 1);
  const indeg = new Int32Array(count);
  for (let e = 0; e < E; e++) {
    const from = edgeFrom[e] as number;
    const to = edgeTo[e] as number;
    start[from + 1] = (start[from + 1] as number) + 1;
    indeg[to] = (indeg[to] as number) + 1;
  }
  for (let t = 0; t < count; t++) start[t + 1] = (start[t + 1] as number) + (start[t] as number);
  const adj = new Int32Array(E);
  const fill = start.slice(0, count);
  for (let e = 0; e < E; e++) {
    const from = edgeFrom[e] as number;
    const at = fill[from] as number;
    adj[at] = edgeTo[e] as number;
    fill[from] = at + 1;
  }
  return { start, adj, indeg };
}

/**
 * Kahn's topological order. Returns the order (possibly partial) and, per task, how many
 * predecessors were never reached: tasks left with a positive count sit on or behind a cycle.
 */
export function topologicalOrder(g: Successors): { order: Int32Array; count: number; left: Int32Array } {
  const T = g.indeg.length;
  const left = g.indeg.slice();
  const order = new Int32Array(T);
  let head = 0;
  let tail = 0;
  for (let t = 0; t < T; t++) if (left[t] === 0) order[tail++] = t;
  while (head < tail) {
    const t = order[head++] as number;
    for (let j = g.start[t] as number; j < (g.start[t + 1] as number); j++) {
      const s = g.adj[j] as number;
      const l = (left[s] as number) - 1;
      left[s] = l;
      if (l === 0) order[tail++] = s;
    }
  }
  return { order, count: tail, left };
}

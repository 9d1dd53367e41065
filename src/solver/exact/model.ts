/**
 * The exact model of the whole reconfiguration problem, placement and schedule together, as
 * MiniZinc text (data: `buildExact` in build.ts). What BtrPlace's ReconfigurationProblem
 * states with Choco, restricted to what repair mode needs:
 *
 * - Only the *variable* VMs (the movable set) are decision variables; every other VM is fixed and
 *   folded into constants (`capLeft`, `countLeft`, `nodePinnedOn`). A variable VM picks one of its
 *   candidate hosts (`choice`, 1 = its current host when it may stay), so the model's size is
 *   linear in (variable VMs × candidates) + (nodes × resources).
 * - Every VM has at most one action `[st, en)`; its final state is data. A live migration holds
 *   the source until its end (c-slice) and the destination from its start (d-slice); per node,
 *   per resource and for the running-VM count, the slices present fit at every instant
 *   (`cumulative` with c-tasks `[0, cEnd)` and d-tasks `[dStart, H)`).
 * - Nodes: VMs arrive on a booting node once its boot has ended; a node shuts down once every VM
 *   has left it.
 * - Budgets: total migrations, memory moved, and at most `maxConc` migrations touching a node at
 *   any instant (as source or destination).
 * - Objectives: 1 = MTTR (sum of action ends, BtrPlace's MinMTTR), 2 = number of migrations,
 *   3 = memory moved.
 * - Redundant constraints (they prune, never remove a plan): the final placement packs (one
 *   knapsack per node and resource: what makes a cold start find plans); the migrations leaving a node share its
 *   `maxConc` slots, so the sum of their ends is at least the best sum of completion times of
 *   that many tasks on `maxConc` parallel slots (shortest first, `sptOut`), and a node going
 *   offline halts no earlier than their shortest makespan (`mkOut`). Every migration leaves
 *   exactly one node, so these per-node bounds add up in the objective: the MTTR is stated as
 *   their sum, and its lower bound is known before any search.
 * - Never solve cold: with an incumbent (`objUpper`), only plans at least as good are searched,
 *   and the search tries the incumbent's hosts first (candidates are reordered, build.ts), then
 *   starts the actions in the incumbent's order (`stOrder`).
 * Constraint encoders (src/catalogue/<id>/encoding.ts) append their items to this text.
 */
/**
 * How the slices a candidate host may or may not get reach the cumulatives (`dS`/`dL`/`dH`: a
 * pair's d-slice start, length and height factor; `oS`/`iS`: a migration's start on its source
 * and destination):
 * - 'parked' (portable): a slice that does not exist starts at H, with length 0; two variables
 *   per (VM, host) pair. minizinc-js's Gecode lets a task of height 0 block others when it sits
 *   where real tasks are, so this is the only safe form there (and for MIP back-ends).
 * - 'heights' (native Gecode 6.2): every candidate host gets the VM's own slice, of height 0
 *   unless the VM lands there; no variable per pair: gen-64 (191 VMs, 6430 pairs) flattens in
 *   about 2.3 s against 3.5 s (and 8.4 s when the parking was an if-then-else per pair).
 */
export type SliceEncoding = 'parked' | 'heights';

const SLICES: Readonly<Record<SliceEncoding, string>> = {
  parked: String.raw`
array[PAIR] of var 0..H: dS;
constraint forall(p in PAIR)(at[p] -> dS[p] = dStart[pairVm[p]]);
constraint forall(p in PAIR)(at[p] \/ dS[p] = H);
array[PAIR] of var 0..H: dL = [H - dS[p] | p in PAIR];
array[PAIR] of int: dH = [1 | p in PAIR];
array[VM] of var 0..H: oS;
constraint forall(v in VM)(moves[v] -> oS[v] = st[v]);
constraint forall(v in VM)(moves[v] \/ oS[v] = H);
array[PAIR] of var 0..H: iS;
constraint forall(p in PAIR where mayMigrate[pairVm[p]] /\ h0[pairVm[p]] != pairNode[p])(at[p] -> iS[p] = st[pairVm[p]]);
constraint forall(p in PAIR)(at[p] /\ mayMigrate[pairVm[p]] /\ h0[pairVm[p]] != pairNode[p] \/ iS[p] = H);
`,
  heights: String.raw`
array[VM] of var 0..H: dLen = [H - dStart[v] | v in VM];
array[PAIR] of var 0..H: dS = [dStart[pairVm[p]] | p in PAIR];
array[PAIR] of var 0..H: dL = [dLen[pairVm[p]] | p in PAIR];
array[PAIR] of var 0..1: dH = atInt;
array[VM] of var 0..H: oS = st;
array[PAIR] of var 0..H: iS = [st[pairVm[p]] | p in PAIR];
`,
};

/** The core model text, with one of the slice encodings. */
export function exactModel(encoding: SliceEncoding = 'parked'): string {
  return String.raw`
include "cumulative.mzn";

int: H;                                   % horizon: the maintenance window, in seconds
int: nNodes;
set of int: NODE = 1..nNodes;
int: nRes;
set of int: RES = 1..nRes;
int: nVms;                                % variable VMs
set of int: VM = 1..nVms;
int: nPairs;                              % (variable VM, candidate host) pairs
set of int: PAIR = 1..nPairs;

% ---- nodes
array[NODE] of bool: nodeInitOn;
array[NODE] of int: nodeTarget;           % 1 online, 0 offline, -1 the solver decides
array[NODE] of bool: nodePinnedOn;        % hosts fixed VMs at the end
array[NODE] of int: bootDur;
array[NODE] of int: haltDur;
array[NODE, RES] of int: capLeft;         % capacity (overbook applied) minus the fixed VMs' load
array[NODE, RES] of bool: capCheck;       % false when the variable VMs cannot overflow it
array[NODE] of int: countLeft;            % running-VM slots left by the fixed VMs
array[NODE] of bool: countCheck;

% ---- variable VMs
array[VM] of 0..nNodes: h0;               % host in the source model, 0 when none
array[VM] of bool: initRunning;
array[VM] of bool: finalRunning;
array[VM] of bool: mayMigrate;            % running -> running: stays, or live-migrates
array[VM] of bool: actFixed;              % has an action whatever the placement (state change)
array[VM] of bool: startsAtZero;          % kill
array[VM] of int: dur;                    % duration of its action (the migration, if it moves)
array[VM, RES] of int: cons0;             % consumption at the source
array[VM, RES] of int: cons1;             % consumption at the destination (preserve applied)
array[VM] of int: memMoved;
array[VM] of bool: grows;                % a VM that stays gets a larger demand (preserve)
array[VM] of int: nCand;
array[VM] of int: candOff;                % candNode[candOff[v] + k], k = 0 means no host
array[int] of 0..nNodes: candNode;
array[VM] of int: stayK;                  % candidate index of the current host, 0 if none

array[PAIR] of VM: pairVm;
array[PAIR] of NODE: pairNode;
array[PAIR] of int: pairK;
array[1..nNodes+1] of int: pairOff;       % pairs of node n: pairOff[n] .. pairOff[n+1]-1
array[1..nNodes+1] of int: srcOff;        % variable VMs running on n at the start
array[int] of VM: srcVm;

% ---- budgets and objective
int: maxConc;                             % migrations touching a node at once; < 0: no limit
array[NODE] of bool: concCheck;           % false when no migration can touch the node
int: maxMigrations;                       % < 0: no limit
int: maxMemory;                           % < 0: no limit
int: objectiveKind;                       % 1 MTTR, 2 migrations, 3 memory moved

% ---- placement
array[VM] of var 0..max([0] ++ nCand): choice;
constraint forall(v in VM)(if nCand[v] = 0 then choice[v] = 0 else choice[v] >= 1 /\ choice[v] <= nCand[v] endif);
array[VM] of var 0..nNodes: host :: add_to_output = [candNode[candOff[v] + choice[v]] | v in VM];
array[PAIR] of var bool: at = [choice[pairVm[p]] = pairK[p] | p in PAIR];

% ---- schedule
% staying = choosing the current host (candidate stayK, 0 when it may not stay); stated on choice
% rather than host, which also keeps MiniZinc's linearisation for MIP solvers away from a domain bug
array[VM] of var bool: act :: add_to_output = [if mayMigrate[v] then choice[v] != stayK[v] else actFixed[v] endif | v in VM];
array[VM] of var bool: moves = [mayMigrate[v] /\ act[v] | v in VM];
array[VM] of var 0..H: st :: add_to_output;
array[VM] of var 0..H: en :: add_to_output;
constraint forall(v in VM)(en[v] = st[v] + dur[v] * bool2int(act[v]));
constraint forall(v in VM)((not act[v] \/ startsAtZero[v]) -> st[v] = 0);
% a staying VM whose demand grows gets it at instant alloc (an Allocate action), once there is room
array[VM] of var 0..H-1: alloc :: add_to_output;
constraint forall(v in VM)((not grows[v] \/ act[v]) -> alloc[v] = 0);
array[VM] of var 0..H: cEnd = [if not initRunning[v] then 0 elseif mayMigrate[v] then (if act[v] then en[v] else H endif) else en[v] endif | v in VM];
array[VM] of var 0..H: dStart = [if not finalRunning[v] then H elseif mayMigrate[v] then (if act[v] then st[v] else alloc[v] endif) else st[v] endif | v in VM];
array[VM] of var 0..H: cDur = [if initRunning[v] then (if act[v] then en[v] else alloc[v] endif) else 0 endif | v in VM];

% ---- nodes
array[NODE] of var bool: nodeOn :: add_to_output;
constraint forall(n in NODE where nodeTarget[n] >= 0)(nodeOn[n] = (nodeTarget[n] = 1));
constraint forall(n in NODE where nodePinnedOn[n])(nodeOn[n]);
array[NODE] of var bool: nodeAct = [nodeOn[n] != nodeInitOn[n] | n in NODE];
array[NODE] of var 0..H: nSt :: add_to_output;
array[NODE] of var 0..H: nEn :: add_to_output;
constraint forall(n in NODE)(nEn[n] = nSt[n] + (if nodeInitOn[n] then haltDur[n] else bootDur[n] endif) * bool2int(nodeAct[n]));
constraint forall(n in NODE)(not nodeAct[n] -> nSt[n] = 0);
constraint forall(p in PAIR where nodeTarget[pairNode[p]] != 1)(at[p] -> nodeOn[pairNode[p]]);
% VMs arrive on a booted node once its boot has ended
constraint forall(p in PAIR where not nodeInitOn[pairNode[p]])(at[p] -> dStart[pairVm[p]] >= nEn[pairNode[p]]);
% a node shuts down once every VM has left it
constraint forall(v in VM where h0[v] > 0)((nodeInitOn[h0[v]] /\ not nodeOn[h0[v]]) -> en[v] <= nSt[h0[v]]);

% ---- capacity at every instant: c-slices [0, cEnd) on the source, d-slices [dStart, H) on the destination.
% A slice that does not exist is a 0-length task parked at H: some cumulative propagators (Gecode's)
% count a 0-length task at its start instant, so it must not sit where real tasks are.
array[VM] of var 0..H: cStart = [if cDur[v] > 0 then 0 else H endif | v in VM];
array[PAIR] of var 0..1: atInt = [bool2int(at[p]) | p in PAIR];
array[VM] of var 0..1: movesInt = [bool2int(moves[v]) | v in VM];
${SLICES[encoding]}
constraint forall(n in NODE, r in RES where capCheck[n, r])(
  cumulative([cStart[srcVm[i]] | i in srcOff[n]..srcOff[n+1]-1] ++ [dS[p] | p in pairOff[n]..pairOff[n+1]-1 where cons1[pairVm[p], r] > 0],
             [cDur[srcVm[i]] | i in srcOff[n]..srcOff[n+1]-1] ++ [dL[p] | p in pairOff[n]..pairOff[n+1]-1 where cons1[pairVm[p], r] > 0],
             [cons0[srcVm[i], r] | i in srcOff[n]..srcOff[n+1]-1] ++ [cons1[pairVm[p], r] * dH[p] | p in pairOff[n]..pairOff[n+1]-1 where cons1[pairVm[p], r] > 0],
             capLeft[n, r]));
constraint forall(n in NODE where countCheck[n])(
  cumulative([cStart[srcVm[i]] | i in srcOff[n]..srcOff[n+1]-1] ++ [dS[p] | p in pairOff[n]..pairOff[n+1]-1 where finalRunning[pairVm[p]]],
             [cDur[srcVm[i]] | i in srcOff[n]..srcOff[n+1]-1] ++ [dL[p] | p in pairOff[n]..pairOff[n+1]-1 where finalRunning[pairVm[p]]],
             [1 | i in srcOff[n]..srcOff[n+1]-1] ++ [dH[p] | p in pairOff[n]..pairOff[n+1]-1 where finalRunning[pairVm[p]]],
             countLeft[n]));

% ---- at most maxConc migrations touching a node at once (source or destination): fixed lengths,
% height 1 when the migration touches the node, else 0
constraint maxConc != 0 \/ forall(v in VM)(not moves[v]);
constraint forall(n in NODE where maxConc > 0 /\ concCheck[n])(
  cumulative([oS[srcVm[i]] | i in srcOff[n]..srcOff[n+1]-1 where mayMigrate[srcVm[i]] /\ dur[srcVm[i]] > 0]
               ++ [iS[p] | p in pairOff[n]..pairOff[n+1]-1 where mayMigrate[pairVm[p]] /\ h0[pairVm[p]] != n /\ dur[pairVm[p]] > 0],
             [dur[srcVm[i]] | i in srcOff[n]..srcOff[n+1]-1 where mayMigrate[srcVm[i]] /\ dur[srcVm[i]] > 0]
               ++ [dur[pairVm[p]] | p in pairOff[n]..pairOff[n+1]-1 where mayMigrate[pairVm[p]] /\ h0[pairVm[p]] != n /\ dur[pairVm[p]] > 0],
             [movesInt[srcVm[i]] | i in srcOff[n]..srcOff[n+1]-1 where mayMigrate[srcVm[i]] /\ dur[srcVm[i]] > 0]
               ++ [atInt[p] | p in pairOff[n]..pairOff[n+1]-1 where mayMigrate[pairVm[p]] /\ h0[pairVm[p]] != n /\ dur[pairVm[p]] > 0],
             maxConc));

% ---- redundant bounds (true of every plan: they prune, never cut a plan off)
% the final placement packs: every d-slice covers the last instant (a cumulative with variable
% heights hardly propagates placement; these knapsacks do, and make a cold start find plans)
constraint forall(n in NODE, r in RES where capCheck[n, r])(
  sum(p in pairOff[n]..pairOff[n+1]-1 where cons1[pairVm[p], r] > 0)(cons1[pairVm[p], r] * atInt[p]) <= capLeft[n, r]);
constraint forall(n in NODE where countCheck[n])(
  sum(p in pairOff[n]..pairOff[n+1]-1 where finalRunning[pairVm[p]])(atInt[p]) <= countLeft[n]);
% the migrations leaving node n: how many, and the sum of their ends (a VM that stays ends at 0)
array[NODE] of var 0..nVms: outCount = [sum(i in srcOff[n]..srcOff[n+1]-1 where mayMigrate[srcVm[i]])(movesInt[srcVm[i]]) | n in NODE];
% (variables of their own, stated apart: MiniZinc would inline a defining expression into the
% objective, and the bounds below would no longer reach it)
array[NODE] of var 0..nVms * H: outEnds;
constraint forall(n in NODE)(outEnds[n] = sum(i in srcOff[n]..srcOff[n+1]-1 where mayMigrate[srcVm[i]])(en[srcVm[i]]));
% c of them share maxConc slots: their ends sum to sptOut[c] or more, the last ends at mkOut[c] or later
array[1..nNodes+1] of int: sptOff;        % node n: entries sptOff[n] .. sptOff[n+1]-1, for c = 0, 1, ...
array[int] of int: sptOut;
array[int] of int: mkOut;
array[NODE] of var 0..nVms * H: outLeast = [if sptOff[n+1] - sptOff[n] > 1 then [sptOut[j] | j in sptOff[n]..sptOff[n+1]-1][outCount[n] + 1] else 0 endif | n in NODE];
constraint forall(n in NODE)(outEnds[n] >= outLeast[n]);
constraint forall(n in NODE where sptOff[n+1] - sptOff[n] > 1 /\ nodeInitOn[n] /\ nodeTarget[n] != 1 /\ not nodePinnedOn[n])(
  not nodeOn[n] -> nSt[n] >= [mkOut[j] | j in sptOff[n]..sptOff[n+1]-1][outCount[n] + 1]);

% ---- budgets
var 0..nVms: migrations :: add_to_output = sum(v in VM)(bool2int(moves[v]));
var 0..sum([0] ++ memMoved): memory :: add_to_output = sum(v in VM)(memMoved[v] * bool2int(moves[v]));
% every migration leaves exactly one node: the MTTR is the sum of the per-node sums, so their bounds add up
var 0..(2 * nVms + nNodes) * H: mttr :: add_to_output =
  sum(n in NODE)(outEnds[n]) + sum(v in VM where not mayMigrate[v])(en[v]) + sum(v in VM)(alloc[v]) + sum(n in NODE)(nEn[n]);
constraint maxMigrations < 0 \/ migrations <= maxMigrations;
constraint maxMemory < 0 \/ memory <= maxMemory;
`;
}

export const EXACT_MODEL = exactModel('parked');


/** The solve item, last: encoders' items come between the core and it. */
export const EXACT_SOLVE = String.raw`
int: objUpper;                            % the incumbent's objective; < 0: none
array[VM] of VM: stOrder;                 % the order starts are decided in (the incumbent's)
bool: stInOrder;                          % true: in stOrder; false: the smallest start first
var int: objective = if objectiveKind = 1 then mttr elseif objectiveKind = 2 then migrations else memory endif;
constraint objUpper < 0 \/ objective <= objUpper;
solve :: seq_search([
    int_search(choice, first_fail, indomain_min),
    int_search([st[stOrder[i]] | i in VM], if stInOrder then input_order else smallest endif, indomain_min),
    int_search(nSt, smallest, indomain_min),
    int_search(alloc, input_order, indomain_min)
  ]) minimize objective;
`;

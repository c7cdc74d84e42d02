// A contest as the audit math sees it: reported votes per choice, ballots cast, how many win. Winners are the
// top vote-getters (ties keep the order the choices were given in, as the reference does); every winner–loser
// pair gets its shares, and the diluted margin is the smallest winner–loser margin over ballots cast.

export interface ContestInput {
  readonly name: string;
  /** Reported votes per choice, in the order the choices appear. */
  readonly choices: Readonly<Record<string, number>>;
  readonly ballots: number;
  readonly numWinners: number;
  readonly votesAllowed?: number;
  /** Ballots not yet tallied (batch comparison). */
  readonly pendingBallots?: number;
}

export interface WinnerMargin {
  /** Share of ballots for this winner. */
  readonly pW: number;
  /** Share of valid votes. */
  readonly sW: number;
  /** s_w / (s_w + s_l) for each loser. */
  readonly swl: Readonly<Record<string, number>>;
}

export interface LoserMargin {
  readonly pL: number;
  readonly sL: number;
}

export interface Contest {
  readonly name: string;
  readonly candidates: Readonly<Record<string, number>>;
  readonly ballots: number;
  readonly numWinners: number;
  readonly votesAllowed: number;
  readonly pendingBallots: number;
  readonly winners: Readonly<Record<string, number>>;
  readonly losers: Readonly<Record<string, number>>;
  readonly margins: { readonly winners: Readonly<Record<string, WinnerMargin>>; readonly losers: Readonly<Record<string, LoserMargin>> };
  /** Smallest winner–loser margin over ballots cast; -1 when nobody lost. */
  readonly dilutedMargin: number;
}

/** Problems with a contest's reported results, in words an administrator can act on; empty when it is sound. */
export function contestProblems(input: ContestInput): string[] {
  const problems: string[] = [];
  const names = Object.keys(input.choices);
  const votesAllowed = input.votesAllowed ?? input.numWinners;
  if (names.length < 2) problems.push('a contest needs at least two choices');
  if (!Number.isSafeInteger(input.ballots) || input.ballots < 1) problems.push('ballots cast must be a whole number above 0');
  if (!Number.isSafeInteger(input.numWinners) || input.numWinners < 1 || input.numWinners >= Math.max(names.length, 2)) problems.push('the number of winners must be at least 1 and fewer than the choices');
  if (!Number.isSafeInteger(votesAllowed) || votesAllowed < input.numWinners) problems.push('votes allowed must be at least the number of winners');
  for (const [name, votes] of Object.entries(input.choices)) {
    if (!name.trim()) problems.push('every choice needs a name');
    if (!Number.isSafeInteger(votes) || votes < 0) problems.push(`votes for ${name} must be a whole number, 0 or more`);
  }
  const total = Object.values(input.choices).reduce((a, b) => a + b, 0);
  if (Number.isSafeInteger(input.ballots) && total > input.ballots * votesAllowed) {
    problems.push(`the choices have ${total.toLocaleString('en-US')} votes, more than ${input.ballots.toLocaleString('en-US')} ballots × ${votesAllowed} vote${votesAllowed === 1 ? '' : 's'} allowed`);
  }
  for (const [name, votes] of Object.entries(input.choices)) {
    if (votes > input.ballots) problems.push(`${name} has more votes than ballots cast`);
  }
  return problems;
}

export function makeContest(input: ContestInput): Contest {
  const candidates = { ...input.choices };
  const valid = Object.values(candidates).reduce((a, b) => a + b, 0);
  const ranked = Object.entries(candidates).sort((a, b) => b[1] - a[1]);
  const winners: Record<string, number> = {};
  const losers: Record<string, number> = {};
  ranked.forEach(([name, votes], i) => {
    if (i < input.numWinners) winners[name] = votes;
    else losers[name] = votes;
  });
  const loserMargins: Record<string, LoserMargin> = {};
  for (const [name, votes] of Object.entries(losers)) loserMargins[name] = { pL: votes / input.ballots, sL: votes / valid };
  const winnerMargins: Record<string, WinnerMargin> = {};
  let minMargin = input.ballots;
  for (const [name, votes] of Object.entries(winners)) {
    const sW = votes / valid;
    const swl: Record<string, number> = {};
    for (const [loser, lv] of Object.entries(losers)) {
      swl[loser] = sW / (sW + loserMargins[loser]!.sL);
      minMargin = Math.min(minMargin, votes - lv);
    }
    winnerMargins[name] = { pW: votes / input.ballots, sW, swl };
  }
  return {
    name: input.name,
    candidates,
    ballots: input.ballots,
    numWinners: input.numWinners,
    votesAllowed: input.votesAllowed ?? input.numWinners,
    pendingBallots: input.pendingBallots ?? 0,
    winners,
    losers,
    margins: { winners: winnerMargins, losers: loserMargins },
    dilutedMargin: Object.keys(losers).length ? minMargin / input.ballots : -1,
  };
}

/** Every winner–loser pair, the closest ones included: an audit must confirm each winner beat each loser. */
export function pairs(contest: Contest): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const w of Object.keys(contest.winners)) for (const l of Object.keys(contest.losers)) out.push([w, l]);
  return out;
}

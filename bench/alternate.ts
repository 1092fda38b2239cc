/** One contender doing its work once; timed from the call until it settles. */
export type Contender = () => Promise<unknown>;

/** A contender's times (ms), or why it could not run at all. */
export type Outcome = { readonly samples: readonly number[] } | { readonly failure: string };

export interface Pace {
  /** About how long the timed rounds may take together. */
  readonly budgetMs: number;
  readonly minRounds: number;
  readonly maxRounds: number;
}

/** Past this, a round is all pixel work: warming up changes nothing, so the first round counts too. */
const SLOW_ROUND_MS = 3000;

/** Every order of `items`, in lexicographic order. */
const permutations = (items: readonly number[]): number[][] =>
  items.length <= 1
    ? [[...items]]
    : items.flatMap((item) => permutations(items.filter((other) => other !== item)).map((rest) => [item, ...rest]));

/**
 * Times contenders in rounds, each once per round, taking every order of them in turn: each runs
 * first, last and right after each of the others equally often (over n! rounds), so the machine's
 * drift, warm caches and a heavy neighbour's aftermath (a process just exited) fall on all of them
 * alike. A rotating order would not do: it keeps who follows whom. The first round warms up and
 * sets how many rounds fit the budget; a contender that fails there is left out of the rest (one
 * not written yet, say), while a later failure is a bug and throws. Outcomes are in the given order.
 */
export async function alternate(contenders: readonly Contender[], pace: Pace): Promise<{ outcomes: Outcome[]; rounds: number }> {
  const failures = new Map<number, string>();
  const orders = permutations(contenders.map((_, which) => which));
  const round = async (index: number): Promise<number[]> => {
    const times: number[] = [];
    for (const which of orders[index % orders.length]!) {
      if (failures.has(which)) continue;
      const started = performance.now();
      try {
        await contenders[which]!();
      } catch (error) {
        if (index > 0) throw error;
        failures.set(which, error instanceof Error ? error.message : String(error));
        continue;
      }
      times[which] = performance.now() - started;
    }
    return times;
  };
  const samples = contenders.map((): number[] => []);
  const record = (times: number[]) => times.forEach((time, which) => samples[which]!.push(time));
  const warmUp = await round(0);
  const warmUpMs = warmUp.reduce((sum, time) => sum + time, 0);
  const rounds = Math.min(pace.maxRounds, Math.max(pace.minRounds, Math.floor(pace.budgetMs / warmUpMs)));
  const counted = warmUpMs >= SLOW_ROUND_MS;
  if (counted) record(warmUp);
  for (let index = 1; index <= (counted ? rounds - 1 : rounds); index++) record(await round(index));
  const outcomes = samples.map((times, which): Outcome => (failures.has(which) ? { failure: failures.get(which)! } : { samples: times }));
  return { outcomes, rounds };
}

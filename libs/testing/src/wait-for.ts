/** Polls `probe` until it returns a truthy value (returned) or the deadline passes (throws with the last value). */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError
        ? ` (last error: ${(lastError as Error).message})`
        : ` (last value: ${JSON.stringify(last)})`;
      throw new Error(
        `${options.message ?? 'condition'} not met within ${options.timeoutMs ?? 20_000} ms${why}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

/** Asserts that `probe` stays truthy for the whole window (e.g. "still exactly one effect"). */
export async function holdsFor(
  probe: () => Promise<boolean> | boolean,
  ms: number,
  intervalMs = 100,
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!(await probe())) throw new Error('condition stopped holding');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

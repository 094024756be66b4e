/**
 * Middleware around accept and turn: one koa-style `compose` that every hook is built from.
 * Auth, rate limits, logging and user code all plug in as `(ctx, next) => …`.
 */

export type Middleware<C> = (ctx: C, next: () => Promise<void>) => unknown;

export function compose<C>(middleware: ReadonlyArray<Middleware<C>>): (ctx: C, last: () => Promise<void>) => Promise<void> {
  return (ctx, last) => {
    let called = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= called) throw new Error("middleware called next() more than once");
      called = i;
      const fn = i < middleware.length ? middleware[i] : undefined;
      if (fn === undefined) return last();
      await fn(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}

// true when `work` settled (either way) within `ms`, false when the time ran out first; the
// timer is cleared once it is decided and never keeps the process alive
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<false>((r) => (timer = setTimeout(() => r(false), ms).unref())),
  ]);
  clearTimeout(timer);
  return settled;
}

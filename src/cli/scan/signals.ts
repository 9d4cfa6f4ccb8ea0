/**
 * Ctrl-C and SIGTERM during a campaign: the first stops it gracefully (in-flight probes finish, results
 * and checkpoint are committed, the campaign is marked `interrupted` and can be resumed); a second one
 * quits at once (the last committed checkpoint still makes the campaign resumable).
 */
export function gracefulStop(onFirst: () => void): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`iotscope: ${sig} again: quitting now\n`);
      process.exit(130);
    }
    onFirst();
    controller.abort();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}

/**
 * Preloaded (`--import`) into the separate-process gateway: its stdin is a pipe from the bench, which
 * the kernel closes however the bench ends (even SIGKILL). EOF then becomes a SIGTERM, which
 * src/entry/node.ts turns into a clean gateway shutdown, so no gateway outlives its bench.
 */
process.stdin.on("data", () => {});
process.stdin.on("end", () => process.kill(process.pid, "SIGTERM"));
process.stdin.on("error", () => process.kill(process.pid, "SIGTERM"));

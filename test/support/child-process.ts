/**
 * A child process for tests that must see its real exit status after a signal (the entrypoint's
 * graceful shutdown): node:child_process on Node and Bun, `Deno.Command` on Deno, whose
 * node:child_process (2.9) reports the signal it sent instead of the status the child exited with
 * (a child that catches SIGTERM and exits 0 shows as killed by SIGTERM), and after one kill() no
 * longer sends another.
 */
import { spawn } from "node:child_process";
import { runtimeName } from "./runtime.ts";

export type TestSignal = "SIGTERM" | "SIGINT" | "SIGHUP" | "SIGKILL";

export interface TestChild {
  /** stdout and stderr as read so far, interleaved as they came. */
  output(): string;
  /** The exit code, or null when a signal ended the process. */
  readonly exited: Promise<number | null>;
  kill(signal: TestSignal): void;
}

interface DenoChild {
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  status: Promise<{ code: number; signal: string | null }>;
  kill(signal: TestSignal): void;
}

interface DenoCommandApi {
  Command: new (program: string, options: { args: string[]; env: Record<string, string>; stdin: "null"; stdout: "piped"; stderr: "piped" }) => { spawn(): DenoChild };
}

export function spawnChild(argv: readonly string[], env: Record<string, string> = {}): TestChild {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error("spawnChild: empty argv");
  let text = "";
  if (runtimeName === "deno") {
    const deno = (globalThis as unknown as { Deno: DenoCommandApi }).Deno;
    const fullEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const child = new deno.Command(program, { args, env: fullEnv, stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
    const decoder = new TextDecoder();
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
    };
    const streams = Promise.all([drain(child.stdout), drain(child.stderr)]);
    let done = false;
    const exited = child.status.then(async (status) => {
      done = true;
      await streams;
      return status.signal === null ? status.code : null;
    });
    return {
      output: () => text,
      exited,
      kill: (signal) => {
        if (done) return;
        try {
          child.kill(signal);
        } catch {
          // exited meanwhile
        }
      },
    };
  }
  const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  child.stdout.on("data", (chunk) => (text += chunk));
  child.stderr.on("data", (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { output: () => text, exited, kill: (signal) => void child.kill(signal) };
}

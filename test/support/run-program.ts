/** Runs a command-line program for a test (the mariadb CLI, sysbench) and collects what it printed. */
import { spawn } from "node:child_process";

export interface ProgramOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end, asynchronously: the gateway answering it lives in this process. */
export function runProgram(program: string, args: readonly string[], input?: string, timeoutMs = 60_000): Promise<ProgramOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${program}: ${error.message}`));
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    // A client that stops at an error may exit before reading all its input.
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}

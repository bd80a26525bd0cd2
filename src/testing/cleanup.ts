// Last-resort cleanup for everything the test utilities create outside the
// test process: redis-server processes, network namespaces, temp dirs.
//
// Why: a test that forgets `stop()`, throws in a `before()`, or is cut short
// by the runner must not leave servers listening or namespaces lying around
// for the next run (or for the other test files running in parallel).
//
// Node runs 'exit' listeners synchronously and allows no async work there,
// so every hook here must be synchronous (process.kill, execFileSync, rmSync).
// Hooks run by phase: processes first (0), then namespaces (1), then files (2):
// a namespace can only really go away once nothing runs inside it.

export type CleanupPhase = 0 | 1 | 2;
export const PHASE_PROCESS: CleanupPhase = 0;
export const PHASE_NETNS: CleanupPhase = 1;
export const PHASE_FILES: CleanupPhase = 2;

type Hook = { phase: CleanupPhase; fn: () => void };
const hooks = new Set<Hook>();
let installed = false;
let ran = false;

function runAll(): void {
  if (ran) return;
  ran = true;
  const ordered = [...hooks].sort((a, b) => a.phase - b.phase);
  for (const h of ordered) {
    try {
      h.fn();
    } catch {
      // Best effort: one failing hook must not keep the others from running.
    }
  }
  hooks.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  // Without a listener, SIGINT/SIGTERM end the process without 'exit'.
  // Clean up, then re-raise the signal so the exit status stays honest
  // (`once` has already removed our listener, so the default action runs).
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      runAll();
      process.kill(process.pid, sig);
    });
  }
}

/** Register a synchronous hook run once at process exit; returns an unregister function. */
export function onProcessExit(fn: () => void, phase: CleanupPhase = PHASE_PROCESS): () => void {
  install();
  const hook: Hook = { phase, fn };
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

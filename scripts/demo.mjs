#!/usr/bin/env node
// `npm run demo`: runs the romaine demo from the TypeScript sources (no build needed).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(res.status ?? 1);

// @opentelemetry/api is an optional peer dependency: 'romaine' must load without it, and
// 'romaine/otel' must say what to install. Run in a child process whose module resolution
// pretends that no @opentelemetry package is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const repo = join(__dirname, '..', '..');

const script = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith('@opentelemetry/')) {
    const err = new Error("Cannot find module '" + request + "'");
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolve.call(this, request, ...rest);
};
const romaine = require('./src/index.ts');
console.log('romaine: ' + typeof romaine.createClient);
try {
  require('./src/otel/index.ts');
  console.log('otel: loaded');
} catch (err) {
  console.log('otel: ' + err.message);
}
`;

test("'romaine' loads without @opentelemetry/api; 'romaine/otel' says to install it", () => {
  const res = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /^romaine: function$/m);
  assert.match(res.stdout, /^otel: romaine\/otel needs '@opentelemetry\/api'.*npm install @opentelemetry\/api$/m);
});

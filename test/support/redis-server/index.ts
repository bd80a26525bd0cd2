// The harness moved to src/testing/ (the public `romaine/testing` entry point is built from it).
// This directory keeps `import ... from '../support/redis-server'` working in the project's tests.
export * from '../../../src/testing/redis-server';

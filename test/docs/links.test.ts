// Every relative link in README.md and docs/*.md points at a file that exists, so that a renamed
// or removed page breaks a test and not a reader. (TypeDoc also fails on a broken link in the
// README, which it renders as the API reference's front page.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const repo = join(__dirname, '..', '..');

function markdownFiles(): string[] {
  const docs = readdirSync(join(repo, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  return ['README.md', ...docs];
}

/** Relative link targets outside code blocks: [text](target). */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const links: string[] = [];
  for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    links.push(target.split('#')[0]);
  }
  return links;
}

test('relative links in README.md and docs/*.md resolve', () => {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(join(repo, file), 'utf8');
    for (const link of relativeLinks(text)) {
      if (!existsSync(join(repo, dirname(file), link))) broken.push(`${file} -> ${link}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('README.md links every page of docs/', () => {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const linked = new Set(relativeLinks(readme));
  const pages = markdownFiles().filter((f) => f !== 'README.md');
  const missing = pages.filter((page) => !linked.has(page));
  assert.deepEqual(missing, [], 'README.md should link every doc');
});

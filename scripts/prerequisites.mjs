/**
 * The tools outside npm that `npm test` needs, checked before its first step so that a missing
 * one fails the run within seconds with one message, instead of minutes later in `npm run package`.
 * Run as a script (`node scripts/prerequisites.mjs`, the first step of scripts/test.sh) or imported
 * (scripts/package.mjs).
 *
 * All come from Debian: golang-go (gofmt, for the generated Go), python3-build and twine (the
 * Python wheel and sdist). CDK_IRSA_SKIP_PACKAGING=1 skips the steps that need them, and this check.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fail, haveCommand } from './util.mjs';

/** The Python the packaging step runs: Debian's, where python3-build installs `build`. */
export const PYTHON = '/usr/bin/python3';

/** Each tool: how to tell it is there, and the Debian package that brings it. */
const TOOLS = [
  { what: 'gofmt', debian: 'golang-go', present: () => haveCommand('gofmt') },
  { what: PYTHON, debian: 'python3', present: () => haveCommand(PYTHON) },
  {
    what: `${PYTHON} -m build`,
    debian: 'python3-build',
    present: () => haveCommand(PYTHON) && spawnSync(PYTHON, ['-c', 'import build'], { stdio: 'ignore' }).status === 0,
  },
  { what: 'twine', debian: 'twine', present: () => haveCommand('twine') },
];

/** The tools that are missing, each with its Debian package. */
export function missingPrerequisites() {
  return TOOLS.filter((tool) => !tool.present());
}

/** Exits with one message naming every missing tool and the command that installs them all. */
export function checkPrerequisites() {
  const missing = missingPrerequisites();
  if (missing.length === 0) {
    return;
  }
  const packages = [...new Set(missing.map((tool) => tool.debian))].join(' ');
  fail(`npm test needs tools that are not installed: ${missing.map((tool) => `${tool.what} (Debian package ${tool.debian})`).join(', ')}.\n`
    + `  Install them (Debian/Ubuntu, as root): apt-get update && apt-get install -y --no-install-recommends ${packages}\n`
    + '  or set CDK_IRSA_SKIP_PACKAGING=1 to skip the packaging steps (Python wheel, gofmt) on this machine.');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.env.CDK_IRSA_SKIP_PACKAGING === '1') {
    console.log('prerequisites: not checked (CDK_IRSA_SKIP_PACKAGING=1: the packaging steps will be skipped)');
  } else {
    checkPrerequisites();
    console.log(`prerequisites: ${TOOLS.map((tool) => tool.what).join(', ')} are installed`);
  }
}

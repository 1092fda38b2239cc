#!/usr/bin/env node
/* global process, console */
// node scripts/launch.mjs <command> [args…]
//
// Runs <command> under a Node.js that satisfies package.json's "engines" (fauxqs needs node:sqlite,
// Node.js ≥ 22.5). When the running Node.js is older, the npm package node@NODE_VERSION is
// installed once into a cache folder and its bin folder is put first on PATH, so `node`, `tsx`
// (`#!/usr/bin/env node`) and `npx` in <command> all run on it. Plain JavaScript without
// dependencies, for Node.js ≥ 18: it has to start on the old Node.js it stands in for.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { constants, homedir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node.js installed when the running one is too old (the one place it is pinned). */
export const NODE_VERSION = '22.23.3';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** package.json's engines.node, e.g. '>=22.5.0'. */
export const engines = () => JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node;

/**
 * Whether `version` ('20.20.2', 'v22.5.0') satisfies `range`: comparators (>=, >, <=, <, =) on full
 * X.Y.Z versions, all of them within an alternative, alternatives joined by `||`. That covers what
 * engines says here; anything else throws rather than being guessed at.
 */
export function satisfies(version, range) {
  const v = parse(version);
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .every((comparator) => {
        const m = /^(>=|<=|>|<|=)?\s*(v?\d+\.\d+\.\d+)$/.exec(comparator);
        if (!m) throw new Error(`scripts/launch.mjs cannot read the version range "${range}"`);
        const c = compare(v, parse(m[2]));
        return { '>=': c >= 0, '<=': c <= 0, '>': c > 0, '<': c < 0, '=': c === 0 }[m[1] ?? '='];
      }),
  );
}

const parse = (version) => version.replace(/^v/, '').split(/[-+]/)[0].split('.').map(Number);
const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Where NODE_VERSION lives: in $TESSERA_NODE_CACHE, else $XDG_CACHE_HOME, else ~/.cache. */
export function nodeDir(env = process.env) {
  const cache = env.TESSERA_NODE_CACHE || env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, `tessera-node-${NODE_VERSION}`);
}

/**
 * The bin folder of the Node.js in `dir`, installed first if `dir` does not exist yet. The install
 * goes to `<dir>.partial-<pid>` and is renamed to `dir` only once its node runs and reports
 * NODE_VERSION: a killed or failed install never leaves a `dir` that looks ready, and its partial
 * folder is removed by the next install (once its process is gone).
 */
export function ensureNode(dir, { install = npmInstall, log = (line) => console.error(line) } = {}) {
  const bin = join(dir, 'node_modules', '.bin');
  if (existsSync(join(bin, 'node'))) return bin;

  mkdirSync(dirname(dir), { recursive: true });
  removeAbandoned(dir);
  const partial = `${dir}.partial-${process.pid}`;
  log(
    `tessera: Node.js ${process.version} is older than package.json's engines (${engines()}); ` +
      `installing Node.js ${NODE_VERSION} from the npm registry into ${dir} (once)`,
  );
  try {
    install(partial);
    const node = spawnSync(join(partial, 'node_modules', '.bin', 'node'), ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (node.stdout?.trim() !== NODE_VERSION) {
      throw new Error(`the installed node answers ${JSON.stringify(node.stdout?.trim() ?? node.error?.message)}`);
    }
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    // Another launcher finished the same install first: use its copy.
    if (!existsSync(join(bin, 'node'))) throw new Error(`installing Node.js ${NODE_VERSION} failed: ${error.message}`, { cause: error });
  }
  return bin;
}

/**
 * `npm install node@NODE_VERSION` into `prefix`, with the machine's own npm. Its errors go to stderr;
 * its report ("added 2 packages") only if it fails, so that the install says one line and the
 * command's stdout stays the command's.
 */
function npmInstall(prefix) {
  mkdirSync(prefix, { recursive: true });
  const npm = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `node@${NODE_VERSION}`], {
    cwd: prefix,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (npm.error) throw npm.error;
  if (npm.status !== 0) {
    process.stderr.write(npm.stdout);
    throw new Error(`npm install exited with ${npm.status ?? npm.signal}`);
  }
}

/** Removes `<dir>.partial-<pid>` folders whose process no longer runs (installs killed midway). */
function removeAbandoned(dir) {
  const prefix = `${basename(dir)}.partial-`;
  for (const name of readdirSync(dirname(dir))) {
    if (name.startsWith(prefix) && !isRunning(Number(name.slice(prefix.length)))) {
      rmSync(join(dirname(dir), name), { recursive: true, force: true });
    }
  }
}

const isRunning = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

/**
 * Runs `command args` (looked up on PATH) under a Node.js that satisfies engines, with stdio
 * inherited; exits as the command exits. SIGINT, SIGTERM and SIGHUP are passed on to the command:
 * a terminal's Ctrl-C reaches it directly too, and the servers here stop once whatever signals they get.
 */
export function launch(command, args) {
  if (!satisfies(process.versions.node, engines())) {
    if (!satisfies(NODE_VERSION, engines())) {
      throw new Error(`Node.js ${NODE_VERSION} (scripts/launch.mjs) does not satisfy package.json's engines (${engines()})`);
    }
    // Set on this process, not only the child's env: older Node.js searches its own PATH for `command`.
    process.env.PATH = ensureNode(nodeDir()) + delimiter + process.env.PATH;
  }
  const child = spawn(command, args, { stdio: 'inherit' });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const pass = (signal) => child.kill(signal);
  for (const signal of signals) process.on(signal, pass);
  child.on('error', (error) => {
    console.error(`tessera: cannot run ${command}: ${error.message}`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, pass);
    if (signal) {
      // End the way the command ended, for the shell or npm above; the exit code is the fallback
      // for a signal this process ignores (SIGPIPE).
      process.exitCode = 128 + (constants.signals[signal] ?? 0);
      process.kill(process.pid, signal);
    } else {
      process.exit(code);
    }
  });
}

/** Runs one of this project's TypeScript files (tsx's loader resolved from here, so any cwd works). */
export function launchTypeScript(file, args = process.argv.slice(2)) {
  launch('node', ['--import', import.meta.resolve('tsx'), join(root, file), ...args]);
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error('usage: node scripts/launch.mjs <command> [args…]');
    process.exit(2);
  }
  try {
    launch(command, args);
  } catch (error) {
    console.error(`tessera: ${error.message}`);
    process.exit(1);
  }
}

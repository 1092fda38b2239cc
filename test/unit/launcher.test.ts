import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NODE_VERSION, engines, ensureNode, nodeDir, satisfies } from '../../scripts/launch.mjs';

const LAUNCHER = 'scripts/launch.mjs';
const cache = () => mkdtempSync(join(tmpdir(), 'tessera-launcher-'));

describe('launcher: versions', () => {
  it('reads the comparator ranges engines uses', () => {
    assert.equal(satisfies('22.5.0', '>=22.5.0'), true);
    assert.equal(satisfies('v22.23.3', '>=22.5.0'), true);
    assert.equal(satisfies('24.0.0', '>=22.5.0'), true);
    assert.equal(satisfies('22.4.9', '>=22.5.0'), false);
    assert.equal(satisfies('20.20.2', '>=22.5.0'), false);
    assert.equal(satisfies('23.0.0-nightly2025', '>=22.5.0 <23.0.0'), false);
    assert.equal(satisfies('20.19.0', '>=20.19.0 <21.0.0 || >=22.0.0'), true);
    assert.equal(satisfies('21.0.0', '>=20.19.0 <21.0.0 || >=22.0.0'), false);
    assert.equal(satisfies('22.5.0', '=22.5.0'), true);
    assert.throws(() => satisfies('22.5.0', '^22'), /cannot read the version range/);
  });

  it('pins a Node.js that package.json accepts, and package.json refuses the machines it is for', () => {
    assert.equal(satisfies(NODE_VERSION, engines()), true);
    assert.equal(satisfies('20.20.2', engines()), false);
  });

  it('keeps Node.js in $TESSERA_NODE_CACHE, else $XDG_CACHE_HOME, else ~/.cache', () => {
    const folder = `tessera-node-${NODE_VERSION}`;
    assert.equal(nodeDir({ TESSERA_NODE_CACHE: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' }), `/c/${folder}`);
    assert.equal(nodeDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }), `/x/${folder}`);
    assert.ok(nodeDir({}).endsWith(`/.cache/${folder}`));
  });
});

describe('launcher: the cached install', () => {
  /** An install as npm leaves it, with a `node` that answers `version`. */
  const fakeInstall =
    (version = NODE_VERSION) =>
    (prefix: string) => {
      mkdirSync(join(prefix, 'node_modules', '.bin'), { recursive: true });
      writeFileSync(join(prefix, 'node_modules', '.bin', 'node'), `#!/bin/sh\necho ${version}\n`);
      chmodSync(join(prefix, 'node_modules', '.bin', 'node'), 0o755);
    };

  it('installs once, saying so in one line, and renames the install into place', () => {
    const dir = join(cache(), 'tessera-node');
    const lines: string[] = [];
    let installs = 0;
    const options = { install: (prefix: string) => (installs++, fakeInstall()(prefix)), log: (line: string) => lines.push(line) };
    assert.equal(ensureNode(dir, options), join(dir, 'node_modules', '.bin'));
    assert.equal(ensureNode(dir, options), join(dir, 'node_modules', '.bin'));
    assert.equal(installs, 1);
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      new RegExp(`installing Node\\.js ${NODE_VERSION.replaceAll('.', '\\.')} from the npm registry into ${dir} \\(once\\)`),
    );
    assert.deepEqual(readdirSync(join(dir, '..')), ['tessera-node']);
  });

  it('never leaves a half-written install where a finished one belongs', () => {
    const dir = join(cache(), 'tessera-node');
    const killedMidway = (prefix: string) => {
      mkdirSync(join(prefix, 'node_modules', '.bin'), { recursive: true });
      writeFileSync(join(prefix, 'node_modules', '.bin', 'node'), '\x7fELF half a binary');
      throw new Error('npm install exited with SIGKILL');
    };
    assert.throws(
      () => ensureNode(dir, { install: killedMidway, log: () => {} }),
      /installing Node\.js .* failed: npm install exited with SIGKILL/,
    );
    assert.throws(() => ensureNode(dir, { install: fakeInstall('20.20.2'), log: () => {} }), /the installed node answers "20\.20\.2"/);
    assert.deepEqual(readdirSync(join(dir, '..')), []);
  });

  it('removes the partial installs of processes that are gone, and only those', () => {
    const dir = join(cache(), 'tessera-node');
    const gone = spawnSync('true').pid;
    mkdirSync(`${dir}.partial-${gone}`);
    mkdirSync(`${dir}.partial-${process.ppid}`);
    ensureNode(dir, { install: fakeInstall(), log: () => {} });
    assert.deepEqual(readdirSync(join(dir, '..')).sort(), ['tessera-node', `tessera-node.partial-${process.ppid}`]);
  });
});

describe('launcher: running a command', () => {
  it('runs a command under the cached Node.js when the running one is older than engines', (t) => {
    const oldNode = '/usr/bin/node'; // this kind of machine's own Node.js 20
    const oldVersion = existsSync(oldNode) ? spawnSync(oldNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim() : '';
    if (!oldVersion || satisfies(oldVersion, engines())) {
      t.skip(`needs a Node.js older than ${engines()} at ${oldNode}`);
      return;
    }
    // A cache that already holds "the install": the Node.js running this test, so nothing is downloaded.
    const dir = nodeDir({ TESSERA_NODE_CACHE: cache() });
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(process.execPath, join(dir, 'node_modules', '.bin', 'node'));

    const run = spawnSync(oldNode, [LAUNCHER, 'node', '-p', 'process.versions.node'], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME, TESSERA_NODE_CACHE: join(dir, '..') },
    });
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.equal(run.stdout.trim(), process.versions.node);
    assert.equal(satisfies(run.stdout.trim(), engines()), true);
  });

  it("passes the command's exit code on", () => {
    const run = spawnSync(process.execPath, [LAUNCHER, 'node', '-e', 'process.exit(3)']);
    assert.equal(run.status, 3);
  });

  it('passes SIGTERM on, and exits as the command does once it has stopped', async () => {
    const stopsOnSigterm =
      "process.on('SIGTERM', () => { console.log('stopped'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000);";
    const child = spawn(process.execPath, [LAUNCHER, 'node', '-e', stopsOnSigterm], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('ready')) resolve();
      }),
    );
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (...result) => resolve(result)),
    );
    assert.deepEqual([code, signal], [0, null]);
    assert.equal(output, 'ready\nstopped\n');
  });
});

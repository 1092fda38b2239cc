#!/usr/bin/env node
// The tessera-client command (package.json "bin"): cli/client.ts, on Node.js 22 even where node is older.
import { launchTypeScript } from '../launch.mjs';

launchTypeScript('cli/client.ts');

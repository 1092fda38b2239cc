#!/usr/bin/env node
// The tessera-upload command (package.json "bin"): cli/upload.ts, on Node.js 22 even where node is older.
import { launchTypeScript } from '../launch.mjs';

launchTypeScript('cli/upload.ts');

// Checks the module boundaries of .dependency-cruiser.cjs over apps/ and libs/ (or the folders
// given), from the current directory: `npm run lint` runs it. It calls dependency-cruiser's API
// because its CLI refuses Node 20 (it asks for 22 or later) while the project supports Node >= 20.6,
// and the API runs fine there.
//
// Usage: node scripts/check-boundaries.mjs [--config <file>] [folder...]
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
const configAt = args.indexOf('--config');
const configFile = path.resolve(configAt >= 0 ? args.splice(configAt, 2)[1] : '.dependency-cruiser.cjs');
const folders = args.length > 0 ? args : ['apps', 'libs'];

const config = createRequire(import.meta.url)(configFile);
const tsConfigFile = config.options?.tsConfig?.fileName;
// Without the tsconfig.json the config names, @flowscope/* imports stay unresolved (module names).
const { tsConfig: _unused, ...otherOptions } = config.options ?? {};
const options = tsConfigFile && existsSync(tsConfigFile) ? config.options : otherOptions;
const ruleSet = { ...config, options };
const result = await cruise(
  folders,
  { ...options, validate: true, ruleSet, outputType: 'err' },
  {},
  { tsConfig: options.tsConfig ? extractTSConfig(tsConfigFile) : {} },
);
process.stdout.write(String(result.output));
process.exitCode = result.exitCode === 0 ? 0 : 1;

// Starts the reference app from its cached bundle (scripts/bundle.mjs), built first if one of its inputs changed.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { appBundle } from './bundle.mjs';

await import(pathToFileURL(await appBundle(join(dirname(fileURLToPath(import.meta.url)), '..'))).href);

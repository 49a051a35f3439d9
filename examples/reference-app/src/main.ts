import { startApp } from './app.ts';
import { loadDotenv, readConfig } from './config.ts';
import { describeMitigations } from './mitigations.ts';

// Standalone: `npm start -w examples/reference-app` after `npm run env:up` (which writes .env.faultline).
const dotenv = process.env.APP_DOTENV === 'off' ? undefined : loadDotenv();
try {
  const config = readConfig();
  const app = await startApp(config);
  console.log(`reference app on ${app.url} (mitigations: ${describeMitigations(config.mitigations)}${dotenv ? `, env from ${dotenv}` : ''})`);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  console.error(`reference app failed to start: ${(error as Error).message}`);
  process.exit(1);
}

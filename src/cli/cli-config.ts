import { ConfigError, loadConfig, type AppConfig } from '../config/app-config.js';

/** The server's configuration with the command's flags applied, or an exit code after saying what is wrong. */
export function cliConfig(overrides: Record<string, string | undefined>): AppConfig | number {
  const env = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) env[key] = value;
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 78; // EX_CONFIG, as the server exits
  }
}

/** Where the API is: config.json beside the page (written by the console server, or by the deploy). */
export interface ConsoleConfig {
  readonly apiUrl: string;
}

let loaded: Promise<ConsoleConfig> | undefined;

export function consoleConfig(): Promise<ConsoleConfig> {
  loaded ??= fetch('./config.json', { cache: 'no-store' })
    .then((response) => {
      if (!response.ok) throw new Error(`config.json: ${response.status}`);
      return response.json() as Promise<ConsoleConfig>;
    })
    .then((config) => ({ apiUrl: config.apiUrl.replace(/\/+$/, '') }));
  return loaded;
}

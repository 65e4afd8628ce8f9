/** Builds the console into `<root>/dist/console` and returns that directory. */
export function buildConsole(root?: string): Promise<string>

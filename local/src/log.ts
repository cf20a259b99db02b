// Console summary of what the stack does; details go to log files under the stack's folder.
export interface StackLogger {
  info(scope: string, message: string): void;
  warn(scope: string, message: string): void;
}

export const consoleLogger: StackLogger = {
  info: (scope, message) => console.log(`[${scope}] ${message}`),
  warn: (scope, message) => console.warn(`[${scope}] ${message}`),
};

export const silentLogger: StackLogger = { info: () => {}, warn: () => {} };

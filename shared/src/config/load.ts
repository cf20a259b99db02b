import * as v from 'valibot';
import { ConfigError } from '../errors.js';

/** Parses `env` with `schema`, or throws a ConfigError that names every missing or malformed variable. */
export function loadConfig<S extends v.GenericSchema<Record<string, string | undefined>, object>>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): v.InferOutput<S> {
  const result = v.safeParse(schema, env);
  if (result.success) return result.output;
  const problems = result.issues.map((issue) => {
    const name = v.getDotPath(issue) ?? '(environment)';
    const missing = issue.kind === 'schema' && env[name] === undefined;
    return missing ? `${name} is required` : `${name} ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

import { parseRule } from '../../functions/core/imagemogr2/parse.ts';

/** The server's own rule parser (functions/core/imagemogr2/parse.ts, bundled): undefined when the rule is good, else its message. */
export function ruleProblem(rule: string): string | undefined {
  try {
    parseRule(rule);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

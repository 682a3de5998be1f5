import type { Rule } from 'eslint';

export declare const LAYERS: ReadonlyArray<{
  name: string;
  dir?: string;
  file?: string;
  may: string[];
}>;
declare const plugin: { rules: { layers: Rule.RuleModule } };
export default plugin;

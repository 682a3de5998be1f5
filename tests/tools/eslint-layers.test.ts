// The layer table is only worth something if it fails: each case is an import a reviewer would
// reject, checked with ESLint's own RuleTester against files placed in the real folders.
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import { resolve } from 'node:path';
import layers from '../../tools/eslint/layers.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const at = (rel: string): string => resolve(import.meta.dirname, '..', '..', rel);
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });
const rule = layers.rules.layers;

tester.run('local/layers', rule, {
  valid: [
    { filename: at('src/renderer/lib/x.ts'), code: "import { api } from '../../shared/api';" },
    {
      filename: at('src/main/engine/queue/x.ts'),
      code: "import { a } from '../models/model-registry';",
    },
    { filename: at('src/main/server/x.ts'), code: "import { createEngine } from '../engine';" },
    { filename: at('src/cli/x.ts'), code: "import { a } from '../main/engine/queue/journal';" },
    {
      filename: at('tests/x.test.ts'),
      code: "import { a } from '../src/main/engine/queue/journal';",
    },
  ],
  invalid: [
    {
      filename: at('src/renderer/lib/x.ts'),
      code: "import { createEngine } from '../../main/engine/index';",
      errors: [{ messageId: 'layer' }],
    },
    {
      filename: at('src/preload/x.ts'),
      code: "export { a } from '../main/engine/queue/journal';",
      errors: [{ messageId: 'layer' }],
    },
    {
      filename: at('src/main/engine/x.ts'),
      code: "const m = import('../app/window');",
      errors: [{ messageId: 'layer' }],
    },
    {
      filename: at('src/main/server/x.ts'),
      code: "import { AppEngine } from '../engine/service/app-engine';",
      errors: [{ messageId: 'layer' }],
    },
    {
      filename: at('src/shared/x.ts'),
      code: "import type { Raster } from '../main/engine/pipeline/raster';",
      errors: [{ messageId: 'layer' }],
    },
  ],
});

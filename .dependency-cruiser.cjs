// Import cycles fail `npm run lint`, type-only imports included (tsPreCompilationDeps), so a
// "types only" circle between two modules cannot grow into a runtime one unnoticed.
// The layer table itself is an ESLint rule: tools/eslint/layers.js.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not import each other in a circle, directly or through others.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.svelte', '.svelte.ts'] },
  },
};

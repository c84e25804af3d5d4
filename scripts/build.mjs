// Bundles the CLI into dist/ so the `hubspot-s3-sync` bin starts without a TypeScript loader.
// Runs on `npm ci` (prepare) and `npm run build`; packages stay external (DuckDB is native).
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'lib/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

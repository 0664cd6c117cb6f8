import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The Redoc bundle's file name, copied next to the deployed function (see infra/bundling.ts). */
export const REFERENCE_SCRIPT = 'redoc.standalone.js';

// Deployed: beside the bundled function. From source: the installed package.
const scriptLocations = [new URL(`./${REFERENCE_SCRIPT}`, import.meta.url), new URL(`../../node_modules/redoc/bundles/${REFERENCE_SCRIPT}`, import.meta.url)];

let script: Promise<string> | undefined;

/** The script, read once per function instance. */
export function referenceScript(): Promise<string> {
  script ??= (async () => {
    for (const location of scriptLocations) {
      try {
        return await readFile(fileURLToPath(location), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    throw new Error(`${REFERENCE_SCRIPT} is missing from the function`);
  })();
  script.catch(() => (script = undefined));
  return script;
}

/**
 * Relative links, so the page works wherever the API is mounted. The script and the
 * document come from this API only, and no inline script runs.
 */
export const referencePage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Kehu API reference</title>
  </head>
  <body>
    <redoc spec-url="v1/openapi.json"></redoc>
    <script src="docs/${REFERENCE_SCRIPT}"></script>
  </body>
</html>
`;

/**
 * Everything from this API only. Two allowances Redoc cannot render without (checked in
 * Chromium): inline styles, which its styled components insert, and a worker made from
 * a blob its own script creates, for search. Its footer logo, from its CDN, is refused.
 */
export const referencePageSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  'worker-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Process settings the benchmark needs before anything else loads; `run.ts` imports this
 * first. Values the caller already set win.
 *
 * - The per-request access log would print thousands of JSON lines over the figures, so
 *   it is held back to warnings unless POWERTOOLS_LOG_LEVEL says otherwise.
 * - Powertools metrics are off, as in the local runtime: there is no CloudWatch to read them.
 * - The AWS SDK warns once that later versions will need Node 22; the warning says nothing
 *   about the figures (this SDK reads AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Outside Lambda EMF lines only reach stdout; the local runtime turns them off the same way.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

export const accessLogLevel = process.env.POWERTOOLS_LOG_LEVEL;

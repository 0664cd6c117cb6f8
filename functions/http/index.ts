export { createHttpHandler, type HttpHandler, type HttpHandlerOptions } from './handler.js';
export { defineRoutes, routeKey, type RouteSpec, type Operations, type Answer, type Method } from './route.js';
export { redactPersonalData } from './logger.js';
export { createObservability, instrumentWith, METRICS_NAMESPACE, type Observability } from './observability.js';
export { toProblem, problemType, countDependencyFailure, countIntegrityFailure, INTEGRITY_METRIC, DEPENDENCY_METRICS_SERVICE, type Problem } from './problem.js';
export { authorize, groupsOf } from './auth.js';

import { ExportService } from '../../contexts/exports/index.js';
import type { Wiring } from '../wiring.js';
import { consentReadsOf } from './consent.js';
import { customerRepositoryOf, customersOf } from './customers.js';

export const exportsOf = (w: Wiring): ExportService =>
  w.once('exports', () => new ExportService({ consent: consentReadsOf(w), customers: customersOf(w), repository: customerRepositoryOf(w), keys: w.keys, audit: w.audit }));

/** What one retention sweep did: ids and counts only. */
export interface SweepResult {
  sweepId: string;
  at: string;
  interactionsDestroyed: number;
  customersQueued: number;
}

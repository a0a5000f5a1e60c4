import { Counter, register } from 'prom-client';

/** `referral_retention_pruned_total{table}`: rows deleted by the retention rounds (outbox, inbox, …). */
export function retentionPruned(): Counter<'table'> {
  const existing = register.getSingleMetric('referral_retention_pruned_total') as
    Counter<'table'> | undefined;
  return (
    existing ??
    new Counter({
      name: 'referral_retention_pruned_total',
      help: 'Rows deleted by retention rounds, by table (outbox, inbox, dead_letter, audit_event).',
      labelNames: ['table'],
    })
  );
}

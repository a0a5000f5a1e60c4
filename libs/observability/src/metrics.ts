import { DynamicModule } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { Gauge, register } from 'prom-client';

/** Prometheus exposition at /metrics with process metrics and a build-info gauge. */
export function metricsModule(service: string, version: string): DynamicModule {
  // Several services may share a process in tests: register process metrics only once.
  const defaultsRegistered = register.getSingleMetric('process_cpu_user_seconds_total') !== undefined;
  if (!register.getSingleMetric('referral_build_info')) {
    new Gauge({
      name: 'referral_build_info',
      help: 'Build information of the service (always 1).',
      labelNames: ['service', 'version'],
    }).set({ service, version }, 1);
  }
  return PrometheusModule.register({
    path: '/metrics',
    defaultMetrics: { enabled: !defaultsRegistered },
    defaultLabels: { service },
  });
}

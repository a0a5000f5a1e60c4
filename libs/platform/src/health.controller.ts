import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '@app/auth';
import { MessagingHealthService } from '@app/messaging';

/**
 * Liveness is the process alone; readiness covers Postgres, NATS and the outbox backlog. Both are public so that
 * load balancers and orchestrator probes can use them without credentials, and both say nothing but a status:
 * `GET /health/ready` answers 200 `{"status":"ok"}` or 503 `{"status":"unavailable"}`. The per-component
 * details (terminus JSON, 200 or 503) are at `GET /health`, for ops users (any ops role).
 */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly messaging: MessagingHealthService,
  ) {}

  @Get('live')
  @Public()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @HealthCheck()
  check(@Res({ passthrough: true }) response: Response) {
    return this.readiness(response);
  }

  @Get('ready')
  @Public()
  async ready(@Res({ passthrough: true }) response: Response): Promise<{ status: 'ok' | 'unavailable' }> {
    const result = (await this.readiness(response)) as { status?: string };
    if (result.status === 'ok') return { status: 'ok' };
    response.status(503);
    return { status: 'unavailable' };
  }

  /** 200 or 503, both with terminus' JSON (not problem+json: monitors read the per-component details). */
  private async readiness(response: Response) {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { timeout: 2000 }),
        () => this.natsCheck(),
        () => this.outboxCheck(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return error.getResponse();
    }
  }

  private natsCheck(): HealthIndicatorResult {
    const indicator = this.indicators.check('nats');
    const { up, ...details } = this.messaging.natsStatus();
    return up ? indicator.up(details) : indicator.down(details);
  }

  private async outboxCheck(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('outbox');
    try {
      const { up, ...details } = await this.messaging.outboxBacklog();
      return up ? indicator.up(details) : indicator.down(details);
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}

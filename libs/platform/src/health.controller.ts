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
 * Liveness is the process alone (the one public endpoint). Readiness covers Postgres, NATS and the outbox
 * backlog and answers 503 (with the terminus JSON) when any is down; it needs an ops JWT (any ops role).
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
  @HealthCheck()
  ready(@Res({ passthrough: true }) response: Response) {
    return this.readiness(response);
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

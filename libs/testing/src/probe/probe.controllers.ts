import { Body, Controller, Post } from '@nestjs/common';
import { Roles } from '@app/auth';
import { Ctx, Payload } from '@nestjs/microservices';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { EVENTS, EventEnvelope, GreenRelapseReportedData, ReferralDischargedData } from '@app/contracts';
import { JetStreamContext, OnEvent } from '@app/messaging';
import { ProbeService } from './probe.service';

class ProbeDischargeDto {
  @IsString()
  @Length(1, 64)
  hospitalId: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  count: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  steps?: number;
}

@Roles('ops-admin')
@Controller('probe')
export class ProbeProducerController {
  constructor(private readonly probe: ProbeService) {}

  @Post('discharges')
  async discharge(@Body() body: ProbeDischargeDto): Promise<{ referralIds: string[] }> {
    return { referralIds: await this.probe.discharge(body.hospitalId, body.count, body.steps) };
  }
}

@Controller()
export class ProbeConsumerController {
  constructor(private readonly probe: ProbeService) {}

  @OnEvent(EVENTS.referralDischarged)
  onDischarged(
    @Payload() event: EventEnvelope<ReferralDischargedData>,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    return this.probe.handleDischarged(event, ctx.getDeliveryCount());
  }

  @OnEvent(EVENTS.greenRelapseReported)
  onRelapse(
    @Payload() event: EventEnvelope<GreenRelapseReportedData>,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    return this.probe.handleRelapse(event, ctx.getDeliveryCount());
  }
}

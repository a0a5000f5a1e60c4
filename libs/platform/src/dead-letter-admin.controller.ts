import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Roles } from '@app/auth';
import { DeadLetterService } from '@app/messaging';

export const DEAD_LETTER_PAGE_MAX = 500;

export class DeadLetterListQuery {
  @ApiPropertyOptional({ description: 'Include replayed ones too (default: pending only)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  all?: boolean;

  @ApiPropertyOptional({
    default: 100,
    maximum: DEAD_LETTER_PAGE_MAX,
    description: 'Above the maximum → 400',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(DEAD_LETTER_PAGE_MAX)
  limit?: number;
}

export class DeadLetterDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() consumer: string;
  @ApiProperty() stream: string;
  @ApiProperty() streamSeq: number;
  @ApiProperty() subject: string;
  @ApiProperty({ type: String, nullable: true }) eventType: string | null;
  @ApiProperty() errorCode: string;
  @ApiProperty() deliveries: number;
  @ApiProperty() deadLetteredAt: string;
  @ApiProperty({ type: String, nullable: true }) replayedAt: string | null;
  @ApiProperty() replayCount: number;
}

export class ReplayDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'Nats-Msg-Id of the re-published message' })
  replayMessageId: string;
}

/** Dead letters of this service over HTTP (the same operations as `npm run dlq`), for ops users. */
@ApiTags('dead letters (admin)')
@ApiBearerAuth()
@Controller('v1/admin/dead-letters')
export class DeadLetterAdminController {
  constructor(private readonly deadLetters: DeadLetterService) {}

  @Get()
  @Roles('ops-admin', 'ops-viewer', 'auditor')
  @ApiOkResponse({ type: DeadLetterDto, isArray: true, description: 'Pointers and error codes, no payloads' })
  async list(@Query() query: DeadLetterListQuery): Promise<DeadLetterDto[]> {
    const letters = await this.deadLetters.list(!query.all, query.limit ?? 100);
    return letters.map((l) => ({
      id: l.id,
      consumer: l.consumer,
      stream: l.stream,
      streamSeq: l.streamSeq,
      subject: l.subject,
      eventType: l.eventType,
      errorCode: l.errorCode,
      deliveries: l.deliveries,
      deadLetteredAt: l.deadLetteredAt.toISOString(),
      replayedAt: l.replayedAt?.toISOString() ?? null,
      replayCount: l.replayCount,
    }));
  }

  @Post(':id/replay')
  @HttpCode(200)
  @Roles('ops-admin')
  @ApiOkResponse({ type: ReplayDto })
  @ApiNotFoundResponse({ description: 'DEAD_LETTER_NOT_FOUND' })
  replay(@Param('id', new ParseUUIDPipe()) id: string): Promise<ReplayDto> {
    return this.deadLetters.replay(id);
  }
}

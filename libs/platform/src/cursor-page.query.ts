import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsOrgId } from '@app/contracts';

/**
 * The query of a keyset-paged list (`cursor` from the previous page's `nextCursor`, `limit`): extended by each
 * list's own filters. A limit above the service's page maximum is refused by `pageLimit` (@app/core).
 */
export class CursorPageQuery {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (nextCursor).' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/)
  cursor?: string;

  @ApiPropertyOptional({
    default: 20,
    minimum: 1,
    maximum: 1000,
    description: "At most the service's page maximum (default 100); above it → 400.",
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** The query of a directory list paged by id (`after` the last id seen, `limit` up to 500, 50 by default). */
export class IdPageQuery {
  @ApiPropertyOptional({ description: 'Page after this id.' })
  @IsOptional()
  @IsOrgId()
  after?: string;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AuditQueryDto } from './audit-query.dto';

const errorsOf = (query: Record<string, string>) =>
  validateSync(plainToInstance(AuditQueryDto, query)).map((e) => e.property);

describe('AuditQueryDto (GET /v1/audit-events query string)', () => {
  it('should accept every filter in its query-string form', () => {
    const query = {
      entityId: '3f2c1d7e-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
      entityType: 'referral',
      agentOrganisationId: 'site-a',
      agentUserId: 'ops-1',
      action: 'R',
      outcome: '4',
      from: '2026-11-01T00:00:00Z',
      to: '2026-12-01T00:00:00Z',
      limit: '200',
    };
    expect(errorsOf(query)).toEqual([]);
    const dto = plainToInstance(AuditQueryDto, query);
    expect(dto.outcome).toBe(4);
    expect(dto.limit).toBe(200);
    expect(dto.from).toBeInstanceOf(Date);
  });

  it.each([
    ['limit', '201'],
    ['limit', '0'],
    ['outcome', '3'],
    ['action', 'X'],
    ['entityType', 'person'],
    ['from', 'yesterday'],
    ['cursor', 'a b'],
  ])('should refuse %s=%s', (name, value) => {
    expect(errorsOf({ [name]: value })).toEqual([name]);
  });
});

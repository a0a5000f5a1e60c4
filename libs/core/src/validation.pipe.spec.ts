import { ValidationPipe } from '@nestjs/common';
import { IsInt, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { DomainException } from './domain.exception';
import { JSON_DEPTH_MAX } from './input-limits';
import { createValidationPipe, ruleCode } from './validation.pipe';

class ContactDto {
  @IsString()
  @Length(1, 20)
  phone: string;
}

class CreateReferralDto {
  @IsString()
  @Length(1, 64)
  hospitalId: string;

  @IsInt()
  @Min(0)
  @Max(5)
  riskLevel: number;

  @ValidateNested()
  @Type(() => ContactDto)
  contact: ContactDto;
}

const valid = () => ({ hospitalId: 'h1', riskLevel: 2, contact: { phone: '13800000000' } });

describe(createValidationPipe.name, () => {
  let sut: ValidationPipe;

  beforeEach(() => {
    sut = createValidationPipe();
  });

  const transform = (value: unknown) => sut.transform(value, { type: 'body', metatype: CreateReferralDto });

  async function rejection(value: unknown): Promise<DomainException> {
    const error: unknown = await transform(value).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(DomainException);
    return error as DomainException;
  }

  const errorsOf = (error: DomainException) => error.details.errors ?? [];

  describe('transform', () => {
    it('should return an instance of the DTO when the body is valid', async () => {
      const result: unknown = await transform(valid());

      expect(result).toBeInstanceOf(CreateReferralDto);
      expect(result).toEqual(valid());
    });

    it('should reject with VALIDATION_FAILED when the body has an unknown field', async () => {
      const error = await rejection({ ...valid(), unknownField: 'x' });

      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.kind).toBe('invalid');
      expect(errorsOf(error)).toEqual([
        { pointer: '#/unknownField', code: 'UNKNOWN_FIELD', detail: 'unknownField is not a known field' },
      ]);
    });

    it('should point at an unknown field of a nested object', async () => {
      const error = await rejection({ ...valid(), contact: { phone: '1', fax: '2' } });

      expect(errorsOf(error)).toEqual([
        { pointer: '#/contact/fax', code: 'UNKNOWN_FIELD', detail: 'fax is not a known field' },
      ]);
    });

    it('should list one entry per invalid field, its first broken rule, with the rule as code', async () => {
      const error = await rejection({ hospitalId: '', riskLevel: 7.5, contact: { phone: '' } });

      expect(error.code).toBe('VALIDATION_FAILED');
      expect(errorsOf(error)).toEqual([
        { pointer: '#/hospitalId', code: 'IS_LENGTH', detail: expect.stringContaining('hospitalId') },
        { pointer: '#/riskLevel', code: expect.stringMatching(/^(IS_INT|MAX)$/), detail: expect.any(String) },
        { pointer: '#/contact/phone', code: 'IS_LENGTH', detail: expect.stringContaining('phone') },
      ]);
    });

    it('should answer one NOT_AN_OBJECT for a body that is an array, a string or a number', async () => {
      for (const body of [[1, 2], [], 'text', 7]) {
        expect(errorsOf(await rejection(body))).toEqual([
          { pointer: '#', code: 'NOT_AN_OBJECT', detail: 'the body must be a JSON object' },
        ]);
      }
    });

    it('should report missing fields and unknown fields together', async () => {
      const error = await rejection({ riskLevel: 1, contact: { phone: '1' }, extra: true });

      expect(errorsOf(error)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ pointer: '#/hospitalId' }),
          { pointer: '#/extra', code: 'UNKNOWN_FIELD', detail: 'extra is not a known field' },
        ]),
      );
    });
  });

  describe('boundary checks (issue 14: NUL characters and deep JSON gave 500)', () => {
    const deep = (levels: number): unknown => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = { a: value };
      return value;
    };
    const refusal = async (value: unknown, metadata: Parameters<ValidationPipe['transform']>[1]) => {
      const error: unknown = await sut.transform(value, metadata).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(DomainException);
      return error as DomainException;
    };

    it('should refuse a NUL character in a body string or key, a query value and a path parameter', async () => {
      const inBody = await refusal(
        { ...valid(), contact: { phone: '138\u000000000' } },
        { type: 'body', metatype: CreateReferralDto },
      );
      expect(inBody.code).toBe('NUL_CHARACTER');
      expect(errorsOf(inBody)).toEqual([{ pointer: '#/contact/phone', detail: expect.any(String) }]);
      const inKey = await refusal(
        { ...valid(), ['x\u0000']: 1 },
        { type: 'body', metatype: CreateReferralDto },
      );
      expect(inKey.code).toBe('NUL_CHARACTER');
      const inQuery = await refusal({ after: 'a\u0000' }, { type: 'query', metatype: Object });
      expect(errorsOf(inQuery)[0].pointer).toBe('#/query/after');
      const inParam = await refusal('id\u0000', { type: 'param', metatype: String, data: 'id' });
      expect(errorsOf(inParam)[0].pointer).toBe('#/param/id');
      // A string body (HL7 ER7) too.
      expect((await refusal('MSH|\u0000', { type: 'body', metatype: String })).code).toBe('NUL_CHARACTER');
    });

    it('should refuse JSON nested deeper than JSON_DEPTH_MAX before building the DTO, thousands deep too', async () => {
      const tooDeep = await refusal(
        { ...valid(), contact: deep(40_000) },
        { type: 'body', metatype: CreateReferralDto },
      );
      expect(tooDeep.code).toBe('JSON_TOO_DEEP');
      expect(tooDeep.kind).toBe('invalid');
      expect((await refusal(deep(JSON_DEPTH_MAX + 1), { type: 'body', metatype: Object })).code).toBe(
        'JSON_TOO_DEEP',
      );
      await expect(sut.transform(deep(JSON_DEPTH_MAX), { type: 'body', metatype: Object })).resolves.toEqual(
        deep(JSON_DEPTH_MAX),
      );
    });
  });
});

describe(ruleCode.name, () => {
  it('should spell a class-validator rule as an error code', () => {
    expect(ruleCode('isNotEmpty')).toBe('IS_NOT_EMPTY');
    expect(ruleCode('isRfc3339DateTime')).toBe('IS_RFC3339_DATE_TIME');
    expect(ruleCode('isUUID')).toBe('IS_UUID');
    expect(ruleCode('arrayMaxSize')).toBe('ARRAY_MAX_SIZE');
    expect(ruleCode('whitelistValidation')).toBe('UNKNOWN_FIELD');
  });
});

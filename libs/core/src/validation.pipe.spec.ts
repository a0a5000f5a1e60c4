import { ValidationPipe } from '@nestjs/common';
import { IsInt, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { DomainException } from './domain.exception';
import { createValidationPipe } from './validation.pipe';

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
        { pointer: '#/unknownField', detail: 'unknownField is not a known field' },
      ]);
    });

    it('should point at an unknown field of a nested object', async () => {
      const error = await rejection({ ...valid(), contact: { phone: '1', fax: '2' } });

      expect(errorsOf(error)).toEqual([{ pointer: '#/contact/fax', detail: 'fax is not a known field' }]);
    });

    it('should list one entry per broken rule when known fields are invalid', async () => {
      const error = await rejection({ hospitalId: '', riskLevel: 7.5, contact: { phone: '' } });

      expect(error.code).toBe('VALIDATION_FAILED');
      expect(errorsOf(error).map((e) => e.pointer)).toEqual(
        expect.arrayContaining(['#/hospitalId', '#/riskLevel', '#/contact/phone']),
      );
      expect(errorsOf(error).filter((e) => e.pointer === '#/riskLevel')).toHaveLength(2);
    });

    it('should report missing fields and unknown fields together', async () => {
      const error = await rejection({ riskLevel: 1, contact: { phone: '1' }, extra: true });

      expect(errorsOf(error)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ pointer: '#/hospitalId' }),
          { pointer: '#/extra', detail: 'extra is not a known field' },
        ]),
      );
    });
  });
});

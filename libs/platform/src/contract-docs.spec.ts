import { Body, Controller, Post } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { PatientIdentityDto } from '@app/contracts';
import './contract-docs';

@Controller()
class PatientController {
  @Post('patients')
  take(@Body() _patient: PatientIdentityDto): void {}
}

describe('OpenAPI docs of the contracts DTOs', () => {
  it('should document every field of the patient identity and its guardian', async () => {
    const module = await Test.createTestingModule({ controllers: [PatientController] }).compile();
    const app = module.createNestApplication();
    await app.init();
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    await app.close();

    const schemas = document.components?.schemas as Record<
      string,
      { properties: Record<string, { example?: unknown }>; required?: string[] }
    >;
    expect(Object.keys(schemas.PatientIdentityDto.properties).sort()).toEqual(
      [
        'address',
        'birthDate',
        'guardian',
        'idNumber',
        'lacksCapacity',
        'name',
        'phone',
        'residenceDivisionCode',
        'sex',
      ].sort(),
    );
    expect(schemas.PatientIdentityDto.required?.sort()).toEqual(
      ['birthDate', 'idNumber', 'lacksCapacity', 'name', 'residenceDivisionCode', 'sex'].sort(),
    );
    expect(schemas.PatientIdentityDto.properties.idNumber.example).toBe('61090219900307451X');
    expect(Object.keys(schemas.GuardianDto.properties).sort()).toEqual(['name', 'phone', 'relationship']);
  });
});

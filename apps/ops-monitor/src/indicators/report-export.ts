import { Workbook } from 'exceljs';
import { IndicatorValue } from './indicator-calculator';
import { ReportRecord } from './indicator.repository';

/** The report's columns, in order (CSV header and the XLSX sheet's first row). */
export const REPORT_COLUMNS = [
  'code',
  'name',
  'definition',
  'area',
  'period',
  'numerator',
  'denominator',
  'value',
  'target',
  'gap',
] as const;

/** Four decimals: rates as fractions (0.2500 = 25 %). */
const round = (n: number | null) => (n === null ? null : Math.round(n * 10_000) / 10_000);

function rowOf(v: IndicatorValue): (string | number | null)[] {
  return [
    v.code,
    v.name,
    v.definition,
    v.area,
    v.period,
    v.numerator,
    v.denominator,
    round(v.value),
    round(v.target),
    round(v.gap),
  ];
}

function csvCell(cell: string | number | null): string {
  if (cell === null) return '';
  const text = String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** UTF-8 with a byte-order mark, so Excel opens the Chinese names and definitions correctly. */
export function reportCsv(report: ReportRecord): Buffer {
  const lines = [
    REPORT_COLUMNS.join(','),
    ...report.content.indicators.map((v) => rowOf(v).map(csvCell).join(',')),
  ];
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}

/** Sheet 指标 (the numbers, the same columns as the CSV) and sheet 签发 (version and sign-off). */
export async function reportXlsx(report: ReportRecord): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.created = report.generatedAt;
  const sheet = workbook.addWorksheet('指标');
  sheet.addRow([...REPORT_COLUMNS]);
  sheet.getRow(1).font = { bold: true };
  for (const v of report.content.indicators) sheet.addRow(rowOf(v));
  sheet.columns.forEach((column, i) => (column.width = [24, 22, 60][i] ?? 12));
  const meta = workbook.addWorksheet('签发');
  meta.addRows([
    ['report', report.id],
    ['area', report.area],
    ['period', report.period],
    ['version', report.version],
    ['status', report.status],
    ['generatedAt', report.generatedAt.toISOString()],
    ['signedBy', report.signedBy ?? ''],
    ['signedAt', report.signedAt?.toISOString() ?? ''],
  ]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';

/** apps/ops-monitor/public: beside src in the repository; copied next to dist in the image (docker/Dockerfile). */
function publicFolder(): string {
  const candidates = [join(__dirname, '../../public'), join(process.cwd(), 'apps/ops-monitor/public')];
  const found = candidates.find((c) => existsSync(join(c, 'index.html')));
  if (!found) throw new Error(`ops-monitor dashboard files not found in ${candidates.join(' or ')}`);
  return found;
}

const PUBLIC = publicFolder();
/** Chart.js, served from node_modules (its UMD build), never copied into the repository. */
const CHART_JS = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
/** Scripts and styles from this origin only; data comes from /v1/dashboard with the token in a header. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The ops dashboard page and its static files. Public: they hold no data; the page signs in with an ops JWT
 * (pasted, or `?token=`), keeps it in sessionStorage and polls `GET /v1/dashboard` with it.
 */
@ApiExcludeController()
@Public()
@Controller('dashboard')
export class DashboardPageController {
  @Get()
  @Header('Content-Security-Policy', CSP)
  @Header('Cache-Control', 'no-store')
  page(@Res() response: Response): void {
    response.type('html').sendFile(join(PUBLIC, 'index.html'));
  }

  @Get('app.js')
  @Header('Cache-Control', 'no-cache')
  script(@Res() response: Response): void {
    response.type('application/javascript').sendFile(join(PUBLIC, 'app.js'));
  }

  @Get('app.css')
  @Header('Cache-Control', 'no-cache')
  styles(@Res() response: Response): void {
    response.type('text/css').sendFile(join(PUBLIC, 'app.css'));
  }

  @Get('chart.umd.js')
  @Header('Cache-Control', 'public, max-age=86400')
  chartJs(@Res() response: Response): void {
    response.type('application/javascript').sendFile(CHART_JS);
  }
}

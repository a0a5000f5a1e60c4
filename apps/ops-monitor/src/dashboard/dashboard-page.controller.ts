import { dirname, join } from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { repositoryFolder, WebPage } from '@app/platform';

/** apps/ops-monitor/public: beside src in the repository; copied next to dist in the image (docker/Dockerfile). */
const PUBLIC = repositoryFolder('apps/ops-monitor/public', 'index.html');
/** Chart.js, served from node_modules (its UMD build), never copied into the repository. */
const CHART_JS = join(dirname(require.resolve('chart.js')), 'chart.umd.js');

/**
 * The ops dashboard page and its static files. Public: they hold no data; the page signs in with an ops JWT
 * (pasted, or `?token=`), keeps it in sessionStorage and polls `GET /v1/dashboard` with it. Served with the
 * strict page CSP of @app/platform (scripts, styles and data from this origin only).
 */
@ApiExcludeController()
@Public()
@Controller('dashboard')
export class DashboardPageController {
  private readonly files = new WebPage({
    html: join(PUBLIC, 'index.html'),
    files: { 'app.js': join(PUBLIC, 'app.js'), 'app.css': join(PUBLIC, 'app.css'), 'chart.umd.js': CHART_JS },
  });

  @Get()
  page(@Res() response: Response): void {
    this.files.sendPage(response);
  }

  @Get('app.js')
  script(@Res() response: Response): void {
    this.files.sendFile('app.js', response);
  }

  @Get('app.css')
  styles(@Res() response: Response): void {
    this.files.sendFile('app.css', response);
  }

  @Get('chart.umd.js')
  chartJs(@Res() response: Response): void {
    this.files.sendFile('chart.umd.js', response);
  }
}

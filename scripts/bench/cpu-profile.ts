/**
 * Preload (`NODE_OPTIONS=--require …/cpu-profile.js`, since Node 20 refuses --cpu-prof in NODE_OPTIONS) that
 * records a V8 CPU profile of an app's main process and writes it to $BENCH_CPU_PROFILE_DIR/<pid>.cpuprofile
 * when the process exits. Migrate and seed runs (same environment) are left alone.
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import * as path from 'node:path';

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir && /[/\\]main\.js$/.test(process.argv[1] ?? '')) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // A same-thread inspector session answers synchronously, so this completes inside an exit handler.
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.once('exit', write);
  // Apps re-raise SIGTERM after their shutdown (no 'exit' event then): write when the stop is asked for.
  process.once('SIGTERM', write);
}

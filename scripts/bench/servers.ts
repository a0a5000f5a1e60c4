import * as fs from 'node:fs';

const CLOCK_TICKS = 100;

/** CPU seconds used so far by the shared servers the bench runs against (Postgres, NATS). */
export interface ServerCpu {
  name: 'postgres' | 'nats-server';
  cpuSeconds: number;
}

/**
 * Reads the CPU time of every process of the shared Postgres and NATS servers on this machine. Postgres forks a
 * backend per connection and reaps it when it ends: the postmaster's `cutime + cstime` keep the time of reaped
 * backends, so (own + reaped children + live children) only grows, and a difference between two readings is the
 * CPU the servers spent in between, whatever connections opened or closed. Other load on the machine's servers
 * (other tests) lands here too: read it on a quiet machine.
 */
export function serverCpu(): ServerCpu[] {
  let postgres = 0;
  let nats = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // After ") ": state ppid ... utime(14) stime(15) cutime(16) cstime(17), counted from field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    if (command === 'postgres') {
      const parentIsPostgres = commandOf(Number(fields[1])) === 'postgres';
      // The postmaster (its parent is not postgres) also carries its reaped backends.
      postgres += own + (parentIsPostgres ? 0 : Number(fields[13]) + Number(fields[14]));
    } else if (command === 'nats-server') {
      nats += own;
    }
  }
  return [
    { name: 'postgres', cpuSeconds: postgres / CLOCK_TICKS },
    { name: 'nats-server', cpuSeconds: nats / CLOCK_TICKS },
  ];
}

function commandOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  } catch {
    return undefined;
  }
}

/** CPU milliseconds per referral each server spent between two readings. */
export function serverCpuPerReferral(
  from: ServerCpu[],
  to: ServerCpu[],
  referrals: number,
): { name: string; cpuMsPerReferral: number }[] {
  return to.map(({ name, cpuSeconds }) => {
    const before = from.find((s) => s.name === name)?.cpuSeconds ?? cpuSeconds;
    return { name, cpuMsPerReferral: referrals > 0 ? ((cpuSeconds - before) * 1000) / referrals : 0 };
  });
}

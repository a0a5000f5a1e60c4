'use strict';
/*
 * Preloaded into an app under test with NODE_OPTIONS="--require <this file>" and CLOCK_SHIFT_FILE=<path>:
 * the process's wall clock (Date.now(), new Date()) runs ahead of (or behind) the real one by the number
 * of milliseconds written in that file, re-read every 100 ms. This is how the fault suite jumps the clock of a
 * running app, as an NTP step or a wrong host clock would, without code in the app that knows about tests.
 * Timers (setTimeout/setInterval) keep real time, as they do when a real wall clock jumps.
 */
const fs = require('node:fs');

const file = process.env.CLOCK_SHIFT_FILE;
if (file) {
  const RealDate = Date;
  let offset = 0;
  const read = () => {
    try {
      const value = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isFinite(value)) offset = value;
    } catch {
      // no file yet: real time
    }
  };
  read();
  setInterval(read, 100).unref();

  function ShiftedDate(...args) {
    if (!new.target) return new RealDate(RealDate.now() + offset).toString();
    if (args.length === 0) return Reflect.construct(RealDate, [RealDate.now() + offset], new.target);
    return Reflect.construct(RealDate, args, new.target);
  }
  ShiftedDate.prototype = RealDate.prototype;
  ShiftedDate.now = () => RealDate.now() + offset;
  ShiftedDate.parse = RealDate.parse;
  ShiftedDate.UTC = RealDate.UTC;
  Object.setPrototypeOf(ShiftedDate, RealDate);
  globalThis.Date = ShiftedDate;
}

export { Clock, SystemClock, ManualClock } from '@app/core';

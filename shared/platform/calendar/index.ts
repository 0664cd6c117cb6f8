export {
  addBusinessMinutes,
  businessMinutesBetween,
  isBusinessTime,
  defaultBusinessCalendar,
  NoBusinessTimeError,
  MAX_WALK_DAYS,
} from './business-hours.js';
export { businessCalendarSchema, isTimeZone, isCalendarDate, MAX_CALENDAR_DATES } from './schemas.js';
export type * from './types.js';

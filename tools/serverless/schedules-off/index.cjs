'use strict';
/**
 * Schedules are parameters (`--param="reconcileSchedule=rate(5 minutes)"`), and `off` turns one off. The
 * framework has no conditional events, so this plugin removes every `schedule` event whose rate is `off`:
 * no rule, no permission, nothing in the template. It must do so after the variables are resolved (`${param:}`
 * is resolved after plugins are loaded) and before the framework validates the configuration, which would
 * refuse `off` as a rate, and no lifecycle hook runs in between: so it runs first thing in the service's
 * validation. Any other rate is left to the framework to validate.
 */
const isOff = (rate) => {
  const rates = Array.isArray(rate) ? rate : [rate];
  return (
    rates.length > 0 &&
    rates.every((value) => typeof value === 'string' && value.trim().toLowerCase() === 'off')
  );
};

/** The function's events without its schedules that are `off`. */
function withoutOffSchedules(events) {
  return (events ?? []).filter((event) => {
    const schedule = event?.schedule;
    if (schedule === undefined) return true;
    return !isOff(typeof schedule === 'object' && schedule !== null ? schedule.rate : schedule);
  });
}

class SchedulesOff {
  constructor(serverless) {
    const service = serverless.service;
    const validate = service.validate.bind(service);
    service.validate = () => {
      for (const fn of Object.values(service.functions ?? {})) fn.events = withoutOffSchedules(fn.events);
      return validate();
    };
  }
}

module.exports = SchedulesOff;
module.exports.withoutOffSchedules = withoutOffSchedules;

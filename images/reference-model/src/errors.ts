// A problem with what the job or the request was given (data, hyperparameters, payload), as opposed to a bug:
// its message is written for the person who supplied the input, and becomes the job's FailureReason.
export class InputError extends Error {
  override name = 'InputError';
}

// The eos-run flag names that the bench scripts use, in one place: the CLI's flags are
// derived from the engine's field table, so a renamed field is fixed here only. The η
// schedule is written STEP:LR with an absolute step size, a form every schedule parser
// of the CLI accepts.
export const FLAG = {
  dataset: '--dataset',
  n: '--n',
  degree: '--degree',
  widths: '--widths',
  act: '--act',
  lr: '--lr',
  seed: '--seed',
  steps: '--steps',
  eigEvery: '--eig-every',
  schedule: '--lr-schedule',
  format: '--format',
};

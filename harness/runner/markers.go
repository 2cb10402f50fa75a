package runner

// ClassTimeout is the class of a stage the runner stopped at its deadline.
const ClassTimeout = "stage-timeout"

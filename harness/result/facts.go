package result

// Facts are what the runner observed about a stage beyond its output: the
// classifier decides from these fields, never from text the runner printed.
// Marker lines in Output are for people only. Every field is optional, and
// the JSON names are part of the stable schema.
type Facts struct {
	// TimedOut: the runner stopped the stage at its deadline (TimeoutSeconds).
	TimedOut       bool    `json:"timed_out,omitempty"`
	TimeoutSeconds float64 `json:"timeout_seconds,omitempty"`
	// Interrupted: the run was stopped by a signal (or its context) during the stage.
	Interrupted bool `json:"interrupted,omitempty"`
	// OOMKilled: the memory limit killed a process of the stage (MemoryLimit bytes).
	OOMKilled   bool  `json:"oom_killed,omitempty"`
	MemoryLimit int64 `json:"memory_limit,omitempty"`
	// Signal names the signal that ended the stage's process ("SIGKILL"), when one did.
	Signal string `json:"signal,omitempty"`
	// ImageUnavailable is the image reference the engine did not have and could not pull.
	ImageUnavailable string `json:"image_unavailable,omitempty"`
	// Pull is the registry's refusal when the runner pulled ImageUnavailable and failed
	// (nil when the image was missing and could not be pulled at all, as offline).
	Pull *PullFailure `json:"pull,omitempty"`
	// IndexUnreachable is the host (never the credentials) of a package index the
	// stage's pip could not reach.
	IndexUnreachable string `json:"index_unreachable,omitempty"`
	// Exited: the started app's process ended on its own, AfterSeconds after it started
	// (the code is the stage's ExitCode).
	Exited       bool    `json:"exited,omitempty"`
	AfterSeconds float64 `json:"after_seconds,omitempty"`
	// NoBuildPlan: the builder's CLI found nothing to build in the app root and
	// stopped before building (Nixpacks' "unable to generate a build plan").
	NoBuildPlan bool `json:"no_build_plan,omitempty"`
	// NoStartCommand: boot had nothing to run, or (at build) the builder's CLI
	// refused to build without a start command.
	NoStartCommand bool `json:"no_start_command,omitempty"`
	// Port is the port the app was expected to listen on.
	Port int `json:"port,omitempty"`
	// Listeners are the sockets listening in the container when the health check never
	// passed (nil when not probed).
	Listeners []Listener `json:"listeners,omitempty"`
	// IdleSeconds: boot gave up before its timeout on an app that listened nowhere,
	// and whose processes started or ended none and used almost no CPU, for this long.
	IdleSeconds float64 `json:"idle_seconds,omitempty"`
	// CrashLoop: while the health check had no answer, the app's processes kept
	// starting one command again after it ended (a supervisor restarting a dying
	// worker), and boot stopped waiting.
	CrashLoop *CrashLoop `json:"crash_loop,omitempty"`
	// Health is the last completed answer of the health (or config) endpoint that
	// did not match the expectation.
	Health *HTTPAnswer `json:"health,omitempty"`
	// Glibc is the version of the glibc the failing program ran on ("2.36"): the
	// variant's python's, or the image's when that python cannot start. Probed after an
	// import or the started app failed on a GLIBC_ symbol version.
	Glibc string `json:"glibc,omitempty"`
	// Venv is a virtual environment in the image whose python imports the module the
	// failing python lacks ("/opt/venv"): pip installed the requirements there and the
	// start command's python is another one. Probed after an import failed with
	// "No module named".
	Venv string `json:"venv,omitempty"`
}

// Listener is one listening TCP socket.
type Listener struct {
	Addr string `json:"addr"`
	Port int    `json:"port"`
	// Loopback: bound to 127.0.0.0/8 or ::1 only, unreachable from outside the container.
	Loopback bool `json:"loopback,omitempty"`
}

// HTTPAnswer is one HTTP probe's completed answer, or the error that kept it from completing.
type HTTPAnswer struct {
	Method     string `json:"method"`
	Path       string `json:"path"`
	Status     int    `json:"status,omitempty"`
	WantStatus int    `json:"want_status,omitempty"`
	// Body is the first bytes of the body.
	Body     string `json:"body,omitempty"`
	WantBody string `json:"want_body,omitempty"`
	// Error is why no answer completed ("connection refused").
	Error string `json:"error,omitempty"`
}

// CrashLoop is a command the app's processes kept restarting.
type CrashLoop struct {
	// Command is the restarted process's command line.
	Command string `json:"command"`
	// PIDs are the instances seen at work and then gone, in the order they went.
	PIDs []int `json:"pids"`
	// Seconds is how long after the start the last of them was found gone.
	Seconds float64 `json:"seconds"`
}

// PullFailure is a pull the registry, or the way to it, refused.
type PullFailure struct {
	Ref      string     `json:"ref"`
	Registry string     `json:"registry"`
	Reason   PullReason `json:"reason"`
	// Message is the engine's error, which carries the registry's own answer.
	Message string `json:"message"`
}

// PullReason is why a pull failed.
type PullReason string

const (
	PullDenied      PullReason = "denied"      // 401/403: no or wrong credentials
	PullNotFound    PullReason = "not-found"   // no such repository or tag
	PullUnreachable PullReason = "unreachable" // no answer: refused, no route, no such host
	PullTLS         PullReason = "tls"         // TLS expected and not spoken, or not trusted
)

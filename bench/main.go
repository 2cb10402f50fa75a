// Command bench measures bootmatrix's speed (make bench): one variant against the
// docker CLI doing the same work (bench/baseline.sh), the seed matrix in parallel
// against serial, a warm re-run, the offline kit's build and the CLI's peak memory
// on a 16-variant matrix. It prints one table and writes it, with the machine and
// the raw numbers, between the markers of bench/RESULTS.md.
//
// Run from the repository root after `make images build`:
//
//	go run ./bench              # BENCH_RUNS=3, BENCH_COLD=1 adds a cold kit build (~2.5 min)
//
// Everything it creates is labelled or named for it and removed before it exits:
// the baseline's containers and images (by baseline.sh's trap), the images of the
// salted one-variant runs, temporary directories. The seed's and the 16-variant
// scenario's cached images stay: they are the harness's cache, as after `make demo`.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

const (
	seedScenario = "scenarios/seed/scenario.yaml"
	seedProject  = "scenarios/seed/project"
	bench16      = "bench/scenario16.yaml"
	// p1Variant is the variant bench/baseline.sh reproduces with the docker CLI.
	p1Variant   = "nixpacks-defaults-backend-root"
	resultsFile = "bench/RESULTS.md"
	beginMark   = "<!-- bench:begin (written by make bench; edit outside the markers) -->"
	endMark     = "<!-- bench:end -->"
)

type bench struct {
	bin  string
	runs int
	// p1Runs repeats P1, whose sides differ by less than their run-to-run noise.
	p1Runs int
	tmp    string
	rows   []row
	raw    []string // lines for the raw-numbers section
	// salted are final images of the one-variant runs, removed at the end.
	salted []string
}

type row struct{ metric, measured, target, verdict string }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	b := &bench{bin: envOr("BIN", "bin/bootmatrix"), runs: 3}
	if s := os.Getenv("BENCH_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fmt.Errorf("BENCH_RUNS=%q: want a whole number ≥ 1", s)
		}
		b.runs = n
	}
	b.p1Runs = max(b.runs, 5)
	if s := os.Getenv("BENCH_P1_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fmt.Errorf("BENCH_P1_RUNS=%q: want a whole number ≥ 1", s)
		}
		b.p1Runs = n
	}
	if _, err := os.Stat(b.bin); err != nil {
		return fmt.Errorf("%s: %w (run make build)", b.bin, err)
	}
	tmp, err := os.MkdirTemp("", "bootmatrix-bench-")
	if err != nil {
		return err
	}
	b.tmp = tmp
	defer func() { _ = os.RemoveAll(tmp) }()
	defer b.removeSalted()

	start := time.Now()
	machine := machineInfo()
	logf("machine: %s", strings.Join(machine, "; "))
	steps := []struct {
		name string
		f    func() error
	}{
		{"P1 one variant against the docker CLI", b.p1},
		{"P2/P3 seed matrix: parallel, serial, warm", b.p2p3},
		{"P4 make images", b.p4},
		{"P5 peak RSS, 16 variants", b.p5},
		{"P6 seed run with a wrong health body or a loopback-only app", b.p6},
	}
	only := os.Getenv("BENCH_ONLY") // e.g. "P1,P5": measure only these, write no RESULTS.md
	for _, s := range steps {
		if only != "" && !strings.Contains(","+only+",", ","+strings.Fields(s.name)[0]+",") &&
			!strings.Contains(","+only+",", ","+strings.Split(strings.Fields(s.name)[0], "/")[0]+",") {
			continue
		}
		logf("== %s", s.name)
		if err := s.f(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	b.removeSalted()
	left, err := output("docker", "ps", "-aq", "--filter", "label=org.bootmatrix.bench")
	if err != nil {
		return err
	}
	b.raw = append(b.raw, fmt.Sprintf("bench containers left at the end: %d; total bench time %.0f s",
		len(strings.Fields(left)), time.Since(start).Seconds()))

	table := b.table()
	fmt.Print("\n" + table)
	if only != "" {
		return nil
	}
	md := "Measured " + time.Now().UTC().Format("2006-01-02 15:04 MST") + " by `make bench` (BENCH_RUNS=" +
		strconv.Itoa(b.runs) + ", BENCH_P1_RUNS=" + strconv.Itoa(b.p1Runs) + ").\n\nMachine: " + strings.Join(machine, "; ") + ".\n\n" + table +
		"\nRaw numbers:\n\n" + bullet(b.raw)
	return writeBetweenMarkers(resultsFile, md)
}

// p1 runs the same variant through the harness and through baseline.sh, each with a
// fresh salt in requirements.txt (so both reuse the base layers and both rebuild the
// project copy and the pip install), alternating which goes first.
func (b *bench) p1() error {
	var h, bl []float64
	var hStages, blStages []map[string]float64
	reused, steps := -1, -1
	for i := 0; i < b.p1Runs; i++ {
		order := []string{"harness", "baseline"}
		if i%2 == 1 {
			order = []string{"baseline", "harness"}
		}
		for _, side := range order {
			salt := fmt.Sprintf("%d-%d", time.Now().UnixNano(), i)
			switch side {
			case "harness":
				secs, st, r, s, err := b.saltedHarness(salt)
				if err != nil {
					return err
				}
				h, hStages = append(h, secs), append(hStages, st)
				if reused < 0 || r < reused {
					reused, steps = r, s
				}
				logf("harness  run %d: %.2f s %s", i+1, secs, fmtStages(st))
			case "baseline":
				secs, st, err := baseline(salt)
				if err != nil {
					return err
				}
				bl, blStages = append(bl, secs), append(blStages, st)
				logf("baseline run %d: %.2f s %s", i+1, secs, fmtStages(st))
			}
		}
	}
	mh, mb := median(h), median(bl)
	ratio := mh / mb
	b.rows = append(b.rows, row{
		"P1 one variant (" + p1Variant + ", requirements changed: base layers cached, install rebuilt), harness ÷ baseline",
		fmt.Sprintf("%.3f (%.1f s ÷ %.1f s, medians of %d)", ratio, mh, mb, b.p1Runs), "≤ 1.05", verdict(ratio <= 1.05, ratio, 1.05)})
	b.rows = append(b.rows, row{
		"requirements.txt changed: setup steps before `COPY . /app` taken from the layer cache",
		fmt.Sprintf("%d of %d", reused, steps), "all", verdict(reused == steps && steps > 0, 0, 0)})
	b.raw = append(b.raw,
		"P1 harness (s): "+fmtList(h)+"; median stages "+fmtStages(medianStages(hStages)),
		"P1 baseline (s): "+fmtList(bl)+"; median stages "+fmtStages(medianStages(blStages)))
	return nil
}

// saltedHarness runs p1Variant from a copy of the seed scenario whose requirements.txt
// carries the salt. It returns the CLI's wall time, its stage times, and how many of
// the setup steps before the project copy came from the layer cache, of how many.
func (b *bench) saltedHarness(salt string) (float64, map[string]float64, int, int, error) {
	dir := filepath.Join(b.tmp, "salt-"+salt)
	if err := os.CopyFS(filepath.Join(dir, "project"), os.DirFS(seedProject)); err != nil {
		return 0, nil, 0, 0, err
	}
	if err := copyFile(seedScenario, filepath.Join(dir, "scenario.yaml")); err != nil {
		return 0, nil, 0, 0, err
	}
	req := filepath.Join(dir, "project", "backend", "requirements.txt")
	f, err := os.OpenFile(req, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return 0, nil, 0, 0, err
	}
	fmt.Fprintf(f, "# bench %s\n", salt)
	_ = f.Close()
	js := filepath.Join(dir, "result.json")
	secs, err := b.cli(filepath.Join(dir, "scenario.yaml"), js, "--variant", p1Variant, "--parallel", "1")
	if err != nil {
		return 0, nil, 0, 0, err
	}
	res, err := readResult(js)
	if err != nil {
		return 0, nil, 0, 0, err
	}
	v := res.Variants[0]
	if v.Image != "" {
		b.salted = append(b.salted, v.Image)
	}
	if !v.Boots {
		return 0, nil, 0, 0, fmt.Errorf("variant %s did not boot: %s", v.Name, v.ExpectationDetail)
	}
	reused, steps := cachedSteps(v.StageByName(result.StageBuild).Output, "COPY . /app")
	return secs, stageSeconds(v), reused, steps, nil
}

// cachedSteps counts the build steps before the one starting with stop that the
// classic builder took from its cache ("---> Using cache"), and how many there were.
func cachedSteps(out, stop string) (int, int) {
	reused, steps := 0, 0
	inStep := false
	for _, l := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(l, " : "); ok && strings.HasPrefix(l, "Step ") {
			if strings.HasPrefix(rest, stop) {
				break
			}
			if strings.HasPrefix(rest, "FROM ") {
				inStep = false // FROM is never "Using cache"
				continue
			}
			steps++
			inStep = true
			continue
		}
		if inStep && strings.Contains(l, "Using cache") {
			reused++
			inStep = false
		}
	}
	return reused, steps
}

func baseline(salt string) (float64, map[string]float64, error) {
	cmd := exec.Command("bash", "bench/baseline.sh")
	cmd.Env = append(os.Environ(), "BENCH_SALT="+salt)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, nil, fmt.Errorf("bench/baseline.sh: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	st := map[string]float64{}
	for _, f := range strings.Fields(strings.TrimPrefix(last, "baseline ")) {
		k, v, _ := strings.Cut(f, "=")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, nil, fmt.Errorf("bench/baseline.sh printed %q: %w", last, err)
		}
		st[k] = x
	}
	total, ok := st["total"]
	if !ok {
		return 0, nil, fmt.Errorf("bench/baseline.sh printed no total: %q", last)
	}
	delete(st, "total")
	return total, st, nil
}

// p2p3 runs the seed matrix warm: once to make sure every image is cached, then
// serial and parallel runs alternately, counting the images each creates.
func (b *bench) p2p3() error {
	js := filepath.Join(b.tmp, "seed.json")
	first, err := b.cli(seedScenario, js)
	if err != nil {
		return err
	}
	logf("seed, first run (builds what is not cached): %.1f s", first)
	var ser, par, ratios []float64
	rebuilt, attempted, nvariants := 0, 0, 0
	var uncached []string
	for i := 0; i < b.runs; i++ {
		for _, parallel := range []bool{false, true} {
			before, err := cacheImages()
			if err != nil {
				return err
			}
			args := []string{}
			if !parallel {
				args = append(args, "--parallel", "1")
			}
			secs, err := b.cli(seedScenario, js, args...)
			if err != nil {
				return err
			}
			n, err := imagesCreatedSince(before)
			if err != nil {
				return err
			}
			rebuilt += n
			res, err := readResult(js)
			if err != nil {
				return err
			}
			if err := allMet(res); err != nil {
				return err
			}
			in, builds := 0.0, 0
			nvariants = len(res.Variants)
			for _, v := range res.Variants {
				for _, s := range v.Stages {
					in += s.Seconds
					if (s.Name == result.StageBuild || s.Name == result.StageInstall) && s.Status != result.Skip &&
						!strings.Contains(s.Note, "cached") && !strings.Contains(s.Note, "part of build") {
						builds++
						if !slices.Contains(uncached, v.Name) {
							uncached = append(uncached, v.Name)
						}
					}
				}
			}
			attempted += builds
			if parallel {
				par = append(par, secs)
				logf("seed parallel run %d: %.1f s, %d image(s) created, %d build(s) run", i+1, secs, n, builds)
			} else {
				ser = append(ser, secs)
				ratios = append(ratios, secs/in)
				logf("seed serial   run %d: %.1f s, Σ stage time %.1f s, %d image(s) created, %d build(s) run", i+1, secs, in, n, builds)
			}
		}
	}
	p2 := median(par) / median(ser)
	b.rows = append(b.rows, row{
		fmt.Sprintf("P2 seed matrix (%d variants, warm), parallel (default: %d) ÷ serial", nvariants, runtime.NumCPU()),
		fmt.Sprintf("%.2f (%.1f s ÷ %.1f s)", p2, median(par), median(ser)), "≤ 0.6 on 2 cores", verdict(p2 <= 0.6, p2, 0.6)})
	b.rows = append(b.rows, row{
		"P3 warm re-run: images rebuilt",
		fmt.Sprintf("%d in %d runs (builds run: %d, the failing installs of %s each time: failures are not cached)", rebuilt, 2*b.runs, attempted, strings.Join(uncached, ", ")),
		"0", verdict(rebuilt == 0, 0, 0)})
	p3 := median(ratios)
	b.rows = append(b.rows, row{
		"P3 warm re-run, serial: wall ÷ Σ stage time",
		fmt.Sprintf("%.2f", p3), "≤ 1.2", verdict(p3 <= 1.2, p3, 1.2)})
	b.raw = append(b.raw,
		fmt.Sprintf("seed first run of the bench: %.1f s", first),
		"seed serial (s): "+fmtList(ser)+"; wall ÷ Σ stage time: "+fmtList(ratios),
		"seed parallel (s): "+fmtList(par))
	return nil
}

// p4 times `make images` warm, and cold under another repository name when asked.
func (b *bench) p4() error {
	var warm []float64
	for i := 0; i < b.runs; i++ {
		secs, err := timed(nil, "bash", "images/build.sh")
		if err != nil {
			return err
		}
		warm = append(warm, secs)
	}
	var cold *float64
	if os.Getenv("BENCH_COLD") == "1" {
		secs, err := b.coldKit()
		if err != nil {
			return err
		}
		cold = &secs
	}
	b.rows = append(b.rows, p4Rows(warm, cold)...)
	b.raw = append(b.raw, "make images warm (s): "+fmtList(warm))
	return nil
}

// p4Rows are P4's table rows. cold is nil when this run did not build the kit
// cold: the row then says so rather than showing an older figure as if this run
// had met the target with it.
func p4Rows(warm []float64, cold *float64) []row {
	mw := median(warm)
	coldRow := row{"P4 `make images` cold (s)", "not measured (BENCH_COLD=1 measures it)", "≤ 300", notMeasured}
	if cold != nil {
		coldRow.measured = fmt.Sprintf("%.0f (measured now: KIT_REPO=bmbenchcold, empty KIT_CACHE)", *cold)
		coldRow.verdict = verdict(*cold <= 300, *cold, 300)
	}
	return []row{coldRow, {"P4 `make images` warm (s)", fmt.Sprintf("%.2f", mw), "≤ 10", verdict(mw <= 10, mw, 10)}}
}

// notMeasured is the verdict of a figure this run did not measure.
const notMeasured = "not measured"

func (b *bench) coldKit() (float64, error) {
	dir := filepath.Join(b.tmp, "coldkit")
	env := []string{"KIT_REPO=bmbenchcold", "KIT_CACHE=" + dir + "/cache", "KIT_OUT=" + dir + "/out"}
	defer func() {
		refs, _ := output("docker", "images", "--format", "{{.Repository}}:{{.Tag}}")
		var rm []string
		for _, r := range strings.Fields(refs) {
			if strings.HasPrefix(r, "bmbenchcold/") {
				rm = append(rm, r)
			}
		}
		if len(rm) > 0 {
			_ = exec.Command("docker", append([]string{"rmi"}, rm...)...).Run()
		}
	}()
	return timed(env, "bash", "images/build.sh")
}

// p5 measures the CLI's peak RSS on a 16-variant matrix, read from the kernel's
// resource usage of the finished child (ru_maxrss, in KiB on Linux).
func (b *bench) p5() error {
	js := filepath.Join(b.tmp, "s16.json")
	before, err := cacheImages()
	if err != nil {
		return err
	}
	cmd := exec.Command(b.bin, "run", bench16, "--json", js)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	t0 := time.Now()
	err = cmd.Run()
	secs := time.Since(t0).Seconds()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return err
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok || ru.Maxrss == 0 {
		return fmt.Errorf("no peak RSS for the run: %s", lastLines(stderr.String(), 10))
	}
	kb := int(ru.Maxrss)
	res, err := readResult(js)
	if err != nil {
		return err
	}
	if err := allMet(res); err != nil {
		return err
	}
	created, err := imagesCreatedSince(before)
	if err != nil {
		return err
	}
	mib := float64(kb) / 1024
	b.rows = append(b.rows, row{
		fmt.Sprintf("P5 peak RSS of `bootmatrix run` on %d variants (MiB)", len(res.Variants)),
		fmt.Sprintf("%.1f", mib), "≤ 100", verdict(mib <= 100, mib, 100)})
	b.raw = append(b.raw, fmt.Sprintf("16-variant run: %.1f s wall, %d image(s) created (0 once cached), peak RSS %d kB",
		secs, created, kb))
	return nil
}

// p6 times the seed run twice broken: every health check expecting a body the app
// never gives, and the gunicorn variant bound to 127.0.0.1 only. Each runs with
// --fail-fast=false, which keeps boot waiting for its timeout (90 s in the seed) as
// it did before boot learned to end once its probes know the outcome, and then as
// bootmatrix runs by default. Both runs reuse the seed's cached images.
func (b *bench) p6() error {
	raw, err := os.ReadFile(seedScenario)
	if err != nil {
		return err
	}
	project, err := filepath.Abs(filepath.Join(filepath.Dir(seedScenario), "project"))
	if err != nil {
		return err
	}
	base := strings.Replace(string(raw), "dir: ./project", "dir: "+project, 1)
	cases := []struct{ name, old, new string }{
		{"wrong health body", `body: '{"ok":true}'`, `body: '{"ok":"never"}'`},
		{"loopback-only app", `start: "gunicorn -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:$PORT api.index:app"`, `start: "gunicorn -k uvicorn.workers.UvicornWorker --bind 127.0.0.1:$PORT api.index:app"`},
	}
	for i, c := range cases {
		if !strings.Contains(base, c.old) {
			return fmt.Errorf("%s: %s no longer says %s", c.name, seedScenario, c.old)
		}
		sc := filepath.Join(b.tmp, fmt.Sprintf("p6-%d.yaml", i))
		if err := os.WriteFile(sc, []byte(strings.Replace(base, c.old, c.new, 1)), 0o644); err != nil {
			return err
		}
		js := filepath.Join(b.tmp, fmt.Sprintf("p6-%d.json", i))
		before, err := b.cli(sc, js, "--fail-fast=false")
		if err != nil {
			return err
		}
		after, err := b.cli(sc, js)
		if err != nil {
			return err
		}
		res, err := readResult(js)
		if err != nil {
			return err
		}
		var classes []string
		for _, v := range res.Variants {
			if st := v.StageByName(result.StageBoot); st != nil && st.Status == result.Fail {
				classes = append(classes, v.Name+": "+st.Class)
			}
		}
		b.rows = append(b.rows, row{"P6 seed run, " + c.name + " (s)",
			fmt.Sprintf("%.1f (waiting for the timeout: %.1f)", after, before), "< the wait", verdict(after < before, after, before)})
		b.raw = append(b.raw, fmt.Sprintf("P6 %s: %.1f s with --fail-fast=false, %.1f s by default; boot failures: %s",
			c.name, before, after, strings.Join(classes, ", ")))
	}
	return nil
}

// cli runs `bootmatrix run` and returns its wall time. Exit 1 (a variant not as
// expected) is checked by the callers from the JSON; other failures are errors.
func (b *bench) cli(scenarioFile, js string, extra ...string) (float64, error) {
	args := append([]string{"run", scenarioFile, "--json", js}, extra...)
	cmd := exec.Command(b.bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	t0 := time.Now()
	err := cmd.Run()
	secs := time.Since(t0).Seconds()
	var ee *exec.ExitError
	mismatch := errors.As(err, &ee) && ee.ExitCode() == 1 // unmet expectations still measure the run
	if err != nil && !mismatch {
		return 0, fmt.Errorf("%s %s: %w\n%s", b.bin, strings.Join(args, " "), err, lastLines(stderr.String(), 20))
	}
	return secs, nil
}

// removeSalted removes the salted runs' images: each final image and the cache
// images below it that only it uses (their tags name their content, so no other
// run can have them).
func (b *bench) removeSalted() {
	for _, img := range b.salted {
		chain := []string{img}
		id := img
		for i := 0; i < 40; i++ {
			p, err := output("docker", "image", "inspect", "-f", "{{.Parent}}", id)
			if err != nil || strings.TrimSpace(p) == "" {
				break
			}
			id = strings.TrimSpace(p)
			tags, _ := output("docker", "image", "inspect", "-f", `{{join .RepoTags " "}}`, id)
			if strings.Contains(tags, "bootmatrix-cache/build:") {
				chain = append(chain, strings.Fields(tags)...)
				break
			}
		}
		for _, ref := range chain {
			if out, err := exec.Command("docker", "rmi", ref).CombinedOutput(); err != nil {
				logf("remove %s: %s", ref, strings.TrimSpace(string(out)))
			}
		}
	}
	b.salted = nil
}

func (b *bench) table() string {
	var sb strings.Builder
	sb.WriteString("| metric | measured | target | verdict |\n|---|---|---|---|\n")
	for _, r := range b.rows {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s |\n", r.metric, r.measured, r.target, r.verdict)
	}
	return sb.String()
}

func verdict(ok bool, got, target float64) string {
	if ok {
		return "met"
	}
	if target > 0 {
		return fmt.Sprintf("missed by %.0f%%", (got/target-1)*100)
	}
	return "missed"
}

// cacheImages is the set of the harness's cached image IDs.
func cacheImages() (map[string]bool, error) {
	out, err := output("docker", "images", "-q", "--no-trunc", "--filter", "label=org.bootmatrix.cache=true")
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, id := range strings.Fields(out) {
		set[id] = true
	}
	return set, nil
}

// imagesCreatedSince counts the cached images that are not in before.
func imagesCreatedSince(before map[string]bool) (int, error) {
	after, err := cacheImages()
	if err != nil {
		return 0, err
	}
	n := 0
	for id := range after {
		if !before[id] {
			n++
		}
	}
	return n, nil
}

func allMet(res *result.Run) error {
	for _, v := range res.Variants {
		if !v.ExpectationMet {
			return fmt.Errorf("variant %s: expected %s: %s", v.Name, v.Expectation, v.ExpectationDetail)
		}
	}
	return nil
}

func readResult(path string) (*result.Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r result.Run
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(r.Variants) == 0 {
		return nil, fmt.Errorf("%s: no variants", path)
	}
	return &r, nil
}

func stageSeconds(v result.Variant) map[string]float64 {
	m := map[string]float64{}
	for _, s := range v.Stages {
		m[string(s.Name)] = s.Seconds
	}
	return m
}

func medianStages(ms []map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k := range ms[0] {
		var xs []float64
		for _, m := range ms {
			xs = append(xs, m[k])
		}
		out[k] = median(xs)
	}
	return out
}

func fmtStages(m map[string]float64) string {
	var order []string
	for _, s := range result.StageNames {
		order = append(order, string(s))
	}
	order = append(order, "teardown")
	var parts []string
	for _, k := range order {
		if v, ok := m[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %.1f", k, v))
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func fmtList(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(s, ", ")
}

func median(xs []float64) float64 {
	s := append([]float64{}, xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func timed(env []string, name string, args ...string) (float64, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	err := cmd.Run()
	secs := time.Since(t0).Seconds()
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, lastLines(out.String(), 20))
	}
	return secs, nil
}

func output(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return string(out), nil
}

func machineInfo() []string {
	info := []string{fmt.Sprintf("nproc %d", runtime.NumCPU())}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.Atoi(f[1])
				info = append(info, fmt.Sprintf("memory %.1f GiB", float64(kb)/(1<<20)))
			}
		}
	}
	if v, err := output("docker", "version", "--format", "docker {{.Server.Version}} (API {{.Server.APIVersion}})"); err == nil {
		info = append(info, strings.TrimSpace(v))
	}
	if v, err := output("docker", "info", "--format", "storage driver {{.Driver}}, cgroup v{{.CgroupVersion}}, engine CPUs {{.NCPU}}, kernel {{.KernelVersion}}"); err == nil {
		info = append(info, strings.TrimSpace(v))
	}
	if v, err := output("go", "env", "GOVERSION"); err == nil {
		info = append(info, strings.TrimSpace(v))
	}
	return info
}

// writeBetweenMarkers replaces what is between the markers of path (creating the
// file, or appending the markers, when they are missing).
func writeBetweenMarkers(path, body string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	text := string(old)
	block := beginMark + "\n" + body + endMark
	i, j := strings.Index(text, beginMark), strings.Index(text, endMark)
	switch {
	case i >= 0 && j > i:
		text = text[:i] + block + text[j+len(endMark):]
	case text == "":
		text = "# bench results\n\n" + block + "\n"
	default:
		text = strings.TrimRight(text, "\n") + "\n\n" + block + "\n"
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return err
	}
	logf("wrote %s", path)
	return nil
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

func bullet(lines []string) string {
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteString("* " + l + "\n")
	}
	return sb.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

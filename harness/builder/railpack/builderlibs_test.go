package railpack_test

import (
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder/railpack"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
)

// TestBuilderLibs: every library the diagnosis says railpack-builder has is
// in the kit's stand-in at that path, from that Debian package, and is not in
// the runtime stand-in, which is why a package built against it fails there.
func TestBuilderLibs(t *testing.T) {
	if testing.Short() {
		t.Skip("container test: runs the Railpack stand-ins")
	}
	builder := "bootmatrix-kit/railpack-builder:mise-" + recipe.RailpackMiseVersion
	runtime := "bootmatrix-kit/railpack-runtime:mise-" + recipe.RailpackMiseVersion
	runnertest.RequireImages(t, builder, runtime)
	var script strings.Builder
	for _, so := range slices.Sorted(maps.Keys(railpack.BuilderLibs)) {
		l := railpack.BuilderLibs[so]
		fmt.Fprintf(&script, "echo %s $(dpkg -S %s 2>/dev/null | cut -d: -f1) $(dpkg -s %s >/dev/null 2>&1 && echo dev);", so, l.Path, l.Dev)
	}
	out := run(t, builder, script.String())
	for _, so := range slices.Sorted(maps.Keys(railpack.BuilderLibs)) {
		l := railpack.BuilderLibs[so]
		if want := fmt.Sprintf("%s %s dev", so, l.Package); !strings.Contains(out, want+"\n") {
			t.Errorf("builder: want %q (the file from its package, the -dev package installed), got:\n%s", want, out)
		}
	}
	var check strings.Builder
	for _, l := range railpack.BuilderLibs {
		fmt.Fprintf(&check, "[ -e %s ] && echo present %s;", l.Path, l.Path)
	}
	if got := run(t, runtime, check.String()+"true"); strings.Contains(got, "present") {
		t.Errorf("the runtime stand-in has libraries the table says it lacks:\n%s", got)
	}
}

func run(t *testing.T, image, script string) string {
	t.Helper()
	out, err := exec.Command("docker", "run", "--rm", "--network", "none", "--label", "org.bootmatrix.managed=true", image, "bash", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", image, err, out)
	}
	return string(out)
}

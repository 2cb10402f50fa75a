package railpack

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/builder/debian"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	rp "github.com/bootmatrix/bootmatrix/harness/railpack"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// BuilderLib is a runtime library railpack-builder has and railpack-runtime
// has not: the -dev package the builder installs pulls it in, so a package
// compiled from source in the build step links it, and the deploy image does
// not carry it.
type BuilderLib struct {
	// Path is where the builder image has it; Package the Debian (trixie)
	// package that ships it; Dev the builder's -dev package that brings it.
	Path, Package, Dev string
}

// BuilderLibs are those libraries, by soname. They are true of the real
// railpack-builder (railwayapp/railpack images/debian/build/Dockerfile) and of
// the kit's stand-in; TestBuilderLibs checks the stand-in.
var BuilderLibs = map[string]BuilderLib{
	"libpq.so.5":       {"/usr/lib/x86_64-linux-gnu/libpq.so.5", "libpq5", "libpq-dev"},
	"libxml2.so.2":     {"/usr/lib/x86_64-linux-gnu/libxml2.so.2", "libxml2", "libxml2-dev"},
	"libxslt.so.1":     {"/usr/lib/x86_64-linux-gnu/libxslt.so.1", "libxslt1.1", "libxslt1-dev"},
	"libexslt.so.0":    {"/usr/lib/x86_64-linux-gnu/libexslt.so.0", "libxslt1.1", "libxslt1-dev"},
	"libjpeg.so.62":    {"/usr/lib/x86_64-linux-gnu/libjpeg.so.62", "libjpeg62-turbo", "libjpeg-dev"},
	"libpng16.so.16":   {"/usr/lib/x86_64-linux-gnu/libpng16.so.16", "libpng16-16t64", "libpng-dev"},
	"libffi.so.8":      {"/usr/lib/x86_64-linux-gnu/libffi.so.8", "libffi8", "libffi-dev"},
	"libgomp.so.1":     {"/usr/lib/x86_64-linux-gnu/libgomp.so.1", "libgomp1", "build-essential"},
	"libreadline.so.8": {"/usr/lib/x86_64-linux-gnu/libreadline.so.8", "libreadline8t64", "libreadline-dev"},
	"libncursesw.so.6": {"/usr/lib/x86_64-linux-gnu/libncursesw.so.6", "libncursesw6", "libncurses-dev"},
}

// Facts are a Railpack image's: Debian's loader and apt packages, a fat
// builder stage and a slim deploy image that receives only /mise, /app/.venv
// and /app, and deploy.aptPackages with its "..." rule.
type Facts struct {
	// ConfigFile is the railpack.json read, "" when none.
	ConfigFile string
	// DeployApt are the deploy image's apt packages after the config.
	DeployApt []string
	// Dropped are the provider's deploy packages a deploy.aptPackages
	// without "..." replaced.
	Dropped []string
	// Python is the plan's Python request.
	Python *rp.ResolvedPackage
}

// NixStore is false: the deploy image is Debian's.
func (Facts) NixStore() bool { return false }

// Provider names the Debian package: trixie's name for the libraries the
// builder has, debian's table otherwise.
func (f Facts) Provider(m result.MissingLib) string {
	if b, ok := BuilderLibs[path.Base(m.Library)]; ok {
		return b.Package
	}
	return debian.Facts{}.Provider(m)
}

func (f Facts) configName() string {
	if f.ConfigFile == "" {
		return "railpack.json"
	}
	return path.Base(f.ConfigFile)
}

// ExplainMissing says where the library was when the package was built (the
// builder image), why the deploy image lacks it, and the deploy.aptPackages
// that fixes it; when a list without "..." dropped one of them, that first.
// The fixes name the package of every missing library, as the doctor's draft
// does: one for the first alone would only move the failure on to the next.
func (f Facts) ExplainMissing(mc diagnose.MissingCase) diagnose.Explanation {
	m := mc.Libs[0]
	pkg := m.Provider
	var x diagnose.Explanation
	var b strings.Builder
	fmt.Fprintf(&b, "the loader cannot find %s%s in the deploy image (railpack-runtime)", m.Library, mc.NeededBy())
	if len(m.FoundAt) > 0 {
		fmt.Fprintf(&b, ": a copy exists at %s, a directory it does not search", m.FoundAt[0])
	}
	if bl, ok := BuilderLibs[path.Base(m.Library)]; ok {
		fmt.Fprintf(&b, "; railpack-builder has it at %s (Debian's %s, brought by its %s), so the package compiled against it in the build step, and the deploy image receives only /mise, /app/.venv and /app from the builder", bl.Path, bl.Package, bl.Dev)
	} else if pkg != "" {
		fmt.Fprintf(&b, "; Debian's %s ships it", pkg)
	}
	// A deploy list without "..." may have dropped any of the packages, not only
	// the first library's: those come back with "...", the others must be added.
	var dropped, add []string
	pkgs, _ := mc.Providers()
	for _, p := range pkgs {
		if slices.Contains(f.Dropped, p) {
			dropped = append(dropped, p)
		} else {
			add = append(add, p)
		}
	}
	if len(dropped) > 0 {
		fmt.Fprintf(&b, `. Railpack's Python provider adds %s to the deploy image, but deploy.aptPackages in %s has no "...", so it replaced the provider's packages (%s)`, strings.Join(dropped, ", "), f.configName(), strings.Join(f.Dropped, ", "))
	}
	b.WriteString(mc.AlsoMissing() + ".")
	x.Text = b.String()
	if len(dropped) > 0 {
		x.Add(diagnose.FixRailpackKeepDefaults, fmt.Sprintf(`put "..." first in deploy.aptPackages in %s (["...", %s]): it keeps the provider's %s`, f.configName(), quoted(f.DeployApt), strings.Join(f.Dropped, ", ")))
	}
	if len(add) > 0 {
		x.Add(diagnose.FixRailpackDeployApt, fmt.Sprintf(`add %s to deploy.aptPackages in %s, keeping "..." first: {"deploy": {"aptPackages": ["...", %s]}} (or RAILPACK_DEPLOY_APT_PACKAGES="... %s")`, diagnose.Quoted(add), f.configName(), diagnose.Quoted(add), strings.Join(add, " ")))
		x.Suggestions[len(x.Suggestions)-1].Packages = add
	}
	if path.Base(m.Library) == "libpq.so.5" {
		x.Add(diagnose.FixBinaryPackage, "require psycopg2-binary instead of psycopg2: its wheel carries libpq, and Railpack then adds no libpq at all")
	}
	return x
}

func quoted(items []string) string {
	q := make([]string, 0, len(items))
	for _, s := range items {
		if s != "..." {
			q = append(q, fmt.Sprintf("%q", s))
		}
	}
	return strings.Join(q, ", ")
}

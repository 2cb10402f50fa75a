package nixpacks

import "slices"

// Marker is what, in a list, stands for the earlier configuration's list.
const Marker = "..."

// IsSplice reports the markers fill replaces: Nixpacks accepts "@auto" as a synonym of "...".
func IsSplice(s string) bool { return s == Marker || s == "@auto" }

// HasSplice reports whether a list extends the earlier one rather than replacing it.
func HasSplice(list []string) bool { return slices.ContainsFunc(list, IsSplice) }

// Splice writes a later list onto an earlier one with the markers resolved
// there: each marker of later becomes the whole of earlier (whose own markers
// stay), and a nil earlier leaves later as it is. Merging the result where
// earlier was gives what merging earlier and then later did.
func Splice(later, earlier []string) []string {
	if earlier == nil {
		return append([]string{}, later...)
	}
	out := []string{}
	for _, x := range later {
		if IsSplice(x) {
			out = append(out, earlier...)
			continue
		}
		out = append(out, x)
	}
	return out
}

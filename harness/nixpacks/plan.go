package nixpacks

// Dedupe drops repeated entries, keeping the first of each in place, as
// Nixpacks does when it merges package lists.
func Dedupe(v []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Package shellquote quotes words for a POSIX shell. Every command the harness
// writes for sh or bash (RUN lines, exec commands, start commands in a project)
// is quoted here, so the set of characters left bare is the same everywhere.
package shellquote

import "strings"

// safe are the characters no POSIX shell treats specially outside the first
// word of a command (an "=" there would make an assignment, which a quoted
// word cannot be either, so leaving it bare changes nothing).
const safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,"

// Quote returns s as one shell word: as written when every character is safe,
// otherwise in single quotes, each single quote closed, escaped and reopened.
func Quote(s string) string {
	if s != "" && strings.Trim(s, safe) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Join quotes each word and joins them with spaces.
func Join(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Quote(w)
	}
	return strings.Join(q, " ")
}

package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties *junitPropertys `xml:"properties,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitPropertys struct {
	Props []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

// Logs go in CDATA so the file stays readable (encoding/xml would write every
// line break of character data as &#xA;); encoding/xml splits any "]]>" inside.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes one <testsuite> for the run's scenario, one testcase per
// variant and stage (classname = variant, name = stage) and one per variant named
// "expectation", so CI dashboards show both what failed and whether that was
// what the scenario expected. A failed stage's failure carries its class as type
// and its evidence as body; the stage's log goes to system-out.
func WriteJUnit(w io.Writer, run *result.Run) error {
	suite := junitSuite{Name: run.Scenario, Time: secs(run.Seconds)}
	if !run.StartedAt.IsZero() {
		suite.Timestamp = run.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	var props []junitProperty
	for _, p := range [][2]string{{"file", run.File}, {"mode", string(run.Mode)}} {
		if p[1] != "" {
			props = append(props, junitProperty{Name: p[0], Value: xmlSafe(p[1])})
		}
	}
	if len(props) > 0 {
		suite.Properties = &junitPropertys{Props: props}
	}
	for i := range run.Variants {
		v := &run.Variants[i]
		for _, name := range result.StageNames {
			suite.add(stageCase(v, name))
		}
		c := junitCase{Classname: xmlSafe(v.Name), Name: "expectation", Time: secs(0)}
		switch {
		case !hasExpectation(v):
			// Skipped, not passed: a dashboard must not count a claim nobody made.
			c.Skipped = &junitSkipped{Message: "no expectation"}
		case !v.ExpectationMet:
			msg := "expected: " + v.Expectation
			var body []string
			if v.ExpectationDetail != "" {
				body = append(body, v.ExpectationDetail)
			}
			if v.Error != "" {
				body = append(body, "could not run: "+v.Error)
			}
			c.Failure = &junitFailure{Message: xmlSafe(msg), Type: "expectation", Body: xmlSafe(strings.Join(body, "\n"))}
		}
		if len(v.Caveats) > 0 {
			out := []string{"not decided: " + outcomeWord(v) + " here, a deploy may differ"}
			for _, cv := range v.Caveats {
				out = append(out, "caveat: "+cv)
			}
			c.SystemOut = &junitText{Text: xmlSafe(strings.Join(out, "\n"))}
		}
		suite.add(c)
	}
	all := junitSuites{Name: "bootmatrix", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("junit: scenario %s: %w", run.Scenario, err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return nil
}

func stageCase(v *result.Variant, name result.StageName) junitCase {
	c := junitCase{Classname: xmlSafe(v.Name), Name: string(name), Time: secs(0)}
	s := v.StageByName(name)
	if s == nil {
		c.Skipped = &junitSkipped{Message: "not run"}
		return c
	}
	c.Time = secs(s.Seconds)
	var out []string
	if s.Note != "" && s.Status != result.Skip {
		out = append(out, s.Note)
	}
	if s.Output != "" {
		out = append(out, s.Output)
	}
	if len(out) > 0 {
		c.SystemOut = &junitText{Text: xmlSafe(strings.Join(out, "\n"))}
	}
	switch s.Status {
	case result.Fail:
		class := classOf(s)
		msg := class
		if s.Explanation != "" {
			msg += ": " + s.Explanation
		}
		body := append([]string(nil), s.Evidence...)
		for _, m := range s.Missing {
			line := "missing " + m.Library
			if len(m.FoundAt) > 0 {
				line += ", found at " + strings.Join(m.FoundAt, ", ")
			}
			if m.Provider != "" {
				line += ", provided by " + m.Provider
			}
			body = append(body, line)
		}
		if len(body) == 0 {
			body = append(body, s.Output)
		}
		c.Failure = &junitFailure{Message: xmlSafe(msg), Type: xmlSafe(class), Body: xmlSafe(strings.Join(body, "\n"))}
	case result.Pass:
	default:
		note := s.Note
		if note == "" {
			note = "skipped"
		}
		c.Skipped = &junitSkipped{Message: xmlSafe(note)}
	}
	return c
}

func (s *junitSuite) add(c junitCase) {
	s.Tests++
	if c.Failure != nil {
		s.Failures++
	}
	if c.Skipped != nil {
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

func secs(f float64) string { return fmt.Sprintf("%.1f", f) }

// xmlSafe drops characters XML 1.0 cannot carry at all; captured output may hold
// any byte, and encoding/xml would otherwise write a file no consumer can read.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
			return -1
		case r == 0xFFFD:
			return r
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

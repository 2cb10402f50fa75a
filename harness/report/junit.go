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
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes one testcase per variant and stage, and one per variant for
// its expectation, so CI dashboards show both what failed and what was expected to.
func WriteJUnit(w io.Writer, run *result.Run) error {
	suite := junitSuite{Name: run.Scenario, Time: secs(run.Seconds)}
	for _, v := range run.Variants {
		for _, name := range result.StageNames {
			s := v.StageByName(name)
			c := junitCase{Classname: v.Name, Name: name}
			switch {
			case s == nil:
				c.Skipped = &junitSkipped{Message: "not run"}
			case s.Status == result.Fail:
				c.Time = secs(s.Seconds)
				class := s.Class
				if class == "" {
					class = "unclassified"
				}
				msg := class
				if s.Explanation != "" {
					msg += ": " + s.Explanation
				}
				body := strings.Join(s.Evidence, "\n")
				if body == "" {
					body = s.Output
				}
				c.Failure = &junitFailure{Message: xmlSafe(msg), Type: class, Body: xmlSafe(body)}
			case s.Status == result.Skip:
				c.Time = secs(s.Seconds)
				c.Skipped = &junitSkipped{Message: xmlSafe(s.Note)}
			default:
				c.Time = secs(s.Seconds)
				if s.Note != "" {
					c.SystemOut = xmlSafe(s.Note)
				}
			}
			suite.add(c)
		}
		c := junitCase{Classname: v.Name, Name: "expectation", Time: secs(0)}
		if !v.ExpectationMet {
			c.Failure = &junitFailure{Message: xmlSafe("expected " + v.Expectation), Type: "expectation", Body: xmlSafe(v.ExpectationDetail + v.Error)}
		}
		suite.add(c)
	}
	all := junitSuites{Name: "bootmatrix", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
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

// Package scenarios holds the scenario files that replay real incidents, and the
// tests that run them against the real engine and assert every variant's outcome.
package scenarios

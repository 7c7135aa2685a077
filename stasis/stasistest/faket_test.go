package stasistest_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// fakeT is a testing.TB for the examples, and for the tests that check
// what Start reports: it runs a test body, then its cleanups, and records
// what was logged and whether the test failed. The methods it does not
// define panic (the embedded testing.TB is nil).
type fakeT struct {
	testing.TB
	ctx      context.Context
	cancel   context.CancelFunc
	mu       sync.Mutex
	cleanups []func()
	failed   bool
	logs     []string
}

// run runs body as a test: body, then the cleanups in reverse order.
func run(body func(t testing.TB)) *fakeT {
	t := &fakeT{}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(t)
	}()
	<-done
	t.cancel()
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		done := make(chan struct{})
		go func() {
			defer close(done)
			t.cleanups[i]()
		}()
		<-done
	}
	return t
}

// test runs body as a test, for the examples: a failure prints the log.
func test(body func(t testing.TB)) {
	if t := run(body); t.Failed() {
		fmt.Println("FAIL\n" + t.Logged())
	}
}

func (t *fakeT) Helper()                      {}
func (t *fakeT) Name() string                 { return "Example" }
func (t *fakeT) Context() context.Context     { return t.ctx }
func (t *fakeT) Cleanup(f func())             { t.cleanups = append(t.cleanups, f) }
func (t *fakeT) Log(args ...any)              { t.log(fmt.Sprintln(args...)) }
func (t *fakeT) Logf(f string, args ...any)   { t.log(fmt.Sprintf(f, args...)) }
func (t *fakeT) Error(args ...any)            { t.Log(args...); t.fail() }
func (t *fakeT) Errorf(f string, args ...any) { t.Logf(f, args...); t.fail() }
func (t *fakeT) Fatal(args ...any)            { t.Error(args...); runtime.Goexit() }
func (t *fakeT) Fatalf(f string, args ...any) { t.Errorf(f, args...); runtime.Goexit() }
func (t *fakeT) FailNow()                     { t.fail(); runtime.Goexit() }
func (t *fakeT) Fail()                        { t.fail() }

func (t *fakeT) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

func (t *fakeT) fail() {
	t.mu.Lock()
	t.failed = true
	t.mu.Unlock()
}

func (t *fakeT) log(s string) {
	t.mu.Lock()
	t.logs = append(t.logs, strings.TrimSuffix(s, "\n"))
	t.mu.Unlock()
}

// Logged returns what the test logged, a line per call.
func (t *fakeT) Logged() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.logs, "\n")
}

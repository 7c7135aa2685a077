// Command mksounds writes stand-in prompts for the examples: one tone per
// sound name they play, as 8 kHz signed-linear audio (.sln, a format every
// Asterisk reads), each as long as the real prompt roughly is, so that
// playbacks take real time and keys pressed during a prompt stop it.
//
//	go run ./deploy/mksounds deploy/sounds
//
// writes deploy/sounds/<name>.sln, which deploy/compose.yaml mounts as
// Asterisk's sounds/en. Asterisk's core sound package has every prompt but
// the agent example's menu (press-1-for-sales-2-for-support, a recording of
// your own); use it instead for real speech (see docs/asterisk.md).
package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

// sampleRate is the rate of .sln audio: 8 kHz, 16-bit little-endian.
const sampleRate = 8000

// prompts are the sounds the examples play (without "sound:"), and how long
// each stand-in lasts.
var prompts = []struct {
	name string
	len  time.Duration
}{
	// examples/ivr (ivr.DefaultPrompts)
	{"hello-world", 2 * time.Second},
	{"demo-instruct", 6 * time.Second},
	{"demo-congrats", 4 * time.Second},
	{"tt-monkeys", 4 * time.Second},
	{"vm-goodbye", time.Second},
	// examples/agent
	{"press-1-for-sales-2-for-support", 4 * time.Second},
	{"option-is-invalid", 2 * time.Second},
	{"is-curntly-busy", 2 * time.Second},
	// examples/conference
	{"conf-placeintoconf", 2 * time.Second},
}

func main() {
	if len(os.Args) != 2 || os.Args[1] == "" || os.Args[1][0] == '-' {
		fmt.Fprintln(os.Stderr, "usage: go run ./deploy/mksounds DIR   (e.g. deploy/sounds; Asterisk's sounds/en)")
		os.Exit(2)
	}
	n, err := write(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "mksounds:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d prompts to %s\n", n, os.Args[1])
}

// write creates dir if needed and writes one .sln file per prompt into it,
// a tone of its own pitch for each; it returns how many it wrote.
func write(dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	for i, p := range prompts {
		path := filepath.Join(dir, p.name+".sln")
		if err := os.WriteFile(path, tone(p.len, 300+50*float64(i)), 0o644); err != nil {
			return i, err
		}
	}
	return len(prompts), nil
}

// tone is d of a sine wave at freq Hz as .sln samples.
func tone(d time.Duration, freq float64) []byte {
	n := int(d.Seconds() * sampleRate)
	buf := make([]byte, 2*n)
	for i := range n {
		v := int16(8000 * math.Sin(2*math.Pi*freq*float64(i)/sampleRate))
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(v))
	}
	return buf
}

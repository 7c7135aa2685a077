package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gostasis.dev/ari/aritest"
)

// nodeName is the name of server i (0-based): its Asterisk system name
// and its stasis.Node name.
func nodeName(i int) string { return "ast" + strconv.Itoa(i+1) }

// appName is instance n's app.
func appName(n int) string { return appPrefix + strconv.Itoa(n) }

// instanceOf is stasis.ClusterConfig.InstanceOf: worker-<n> is instance
// n's.
func instanceOf(app string) (string, bool) { return strings.CutPrefix(app, appPrefix) }

// simConfig configures simulated server i.
func simConfig(i int) aritest.Config {
	timing := aritest.FastTiming()
	timing.Playback = playback
	timing.WriteTimeout = 10 * time.Second // a loaded machine is no slow client
	filter := "^" + appPrefix
	return aritest.Config{
		Timing:       timing,
		SystemName:   nodeName(i),
		AsteriskID:   fmt.Sprintf("02:fc:00:00:00:%02d", i+1),
		EventLogSize: 100,
		Dialplan: aritest.Dialplan{"from-phones": aritest.Extensions{
			"_X.": aritest.Exten(
				fmt.Sprintf("StasisBroadcast(%d,%s)", broadcastTimeout.Milliseconds(), filter),
				"Goto(stasis-${STASISSTATUS},1)"),
			"stasis-FAILED":  aritest.Exten("Hangup(41)"),
			"stasis-TIMEOUT": aritest.Exten("Hangup(34)"),
		}},
	}
}

// The hangup causes the dialplan gives a call no app took.
const (
	causeFailed  = 41 // STASISSTATUS=FAILED: claimed by an app that was gone
	causeTimeout = 34 // STASISSTATUS=TIMEOUT: nobody claimed it
)

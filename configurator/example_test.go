package configurator_test

import (
	"context"
	"fmt"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/configurator"
)

// This example provisions a phone on a simulated Asterisk, runs again to
// show that nothing is written twice, then changes one setting.
func Example() {
	srv := aritest.NewServer(aritest.Config{Timing: aritest.FastTiming()})
	defer srv.Close()
	ctx := context.Background()

	cfg, err := configurator.New(configurator.Config{Client: srv.Client(), Prune: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	phone := configurator.Endpoint{
		ID: "alice", Context: "from-phones",
		AORs: []string{"alice"}, Auth: []string{"alice"},
		Allow: []string{"ulaw", "alaw"}, DirectMedia: configurator.Ptr(false),
	}
	err = cfg.Declare(
		configurator.Identify{ID: "alice", Endpoint: "alice", Match: []string{"192.0.2.0/24", "198.51.100.7"}},
		phone,
		configurator.Auth{ID: "alice", AuthType: "userpass", Username: "alice", Password: "s3cret"},
		configurator.AOR{ID: "alice", MaxContacts: configurator.Ptr(1)},
	)
	if err != nil {
		fmt.Println(err)
		return
	}

	rep, err := cfg.Reconcile(ctx)
	fmt.Println("first run:", rep, err)

	// Asterisk answers "false", "(ulaw|alaw)", "192.0.2.0/255.255.255.0":
	// the same as declared, once normalised.
	rep, err = cfg.Reconcile(ctx)
	fmt.Println("second run:", rep, err)

	phone.DirectMedia = configurator.Ptr(true)
	_ = cfg.Declare(phone)
	rep, err = cfg.Reconcile(ctx)
	fmt.Println("third run:", rep, err)

	// Pruning: the identify is no longer wanted.
	cfg.Remove(configurator.Ref{Class: configurator.PJSIP, Type: "identify", ID: "alice"})
	rep, err = cfg.Reconcile(ctx)
	fmt.Println("fourth run:", rep, err)

	// Output:
	// first run: created 4 (res_pjsip/auth/alice; res_pjsip/aor/alice; res_pjsip/endpoint/alice; res_pjsip/identify/alice), updated 0, unchanged 0, deleted 0, failed 0 <nil>
	// second run: created 0, updated 0, unchanged 4, deleted 0, failed 0 <nil>
	// third run: created 0, updated 1 (res_pjsip/endpoint/alice: direct_media: "false" -> "true"), unchanged 3, deleted 0, failed 0 <nil>
	// fourth run: created 0, updated 0, unchanged 3, deleted 1 (res_pjsip/identify/alice), failed 0 <nil>
}

// Package natspeers implements stasis.Peers on a NATS JetStream key-value
// bucket, so that the instances of a stasis application take over the
// calls of an instance that dies (stasis.ClusterConfig). The core
// packages do not import NATS: only a program that imports this package
// does.
//
// # Guarantees
//
//   - Claim: of all the instances that claim the same key within the TTL,
//     exactly one gets true. A claim is a JetStream KV Create, which the
//     JetStream server makes atomic (it stores the key only if the key has
//     no value), so it holds across processes and machines without any
//     consensus of this package's own.
//   - Alive: an instance is listed from its Join's first announcement
//     until its Join's ctx ends (Join deletes its key: seen dead at once),
//     or, if its process dies or loses NATS, until its last refresh is
//     older than the TTL (the bucket's MaxAge removes the key).
//   - A claim also lives for the TTL: after that the key can be taken
//     again, so a winner that died before acting on its claim does not
//     hold the thing forever.
//
// # The TTL
//
// Config.TTL trades takeover delay against false death. A dead instance's
// calls are taken over within TTL plus ClusterConfig.Interval, so a
// shorter TTL takes them over sooner; but an instance that cannot reach
// NATS for longer than TTL (Join refreshes every TTL/3) is seen dead while
// it still drives its calls, and its calls are moved away from it. The
// default, 10s, rides out a NATS server restart or a short network
// partition. Every instance must use the same TTL: New refuses a bucket
// whose TTL differs (ErrBucketMismatch).
//
// NATS must be reachable by all instances, and with JetStream enabled; for
// the bucket to outlive one NATS server, run a JetStream cluster and set
// Config.Replicas to 3. Every call takes its ctx: give it a deadline, or a
// call to an unreachable NATS waits for as long as the connection keeps
// reconnecting (Join bounds each of its own writes by TTL/3).
//
// # Wiring
//
//	nc, err := nats.Connect(natsURL)
//	if err != nil { ... }
//	defer nc.Close()
//	js, err := jetstream.New(nc)
//	if err != nil { ... }
//	peers, err := natspeers.New(ctx, js, natspeers.Config{})
//	if err != nil { ... }
//	rt, err := stasis.New(stasis.Config{
//		Client: client,
//		Apps:   []stasis.App{{Name: "w-" + hostname, New: newHandler}},
//		Cluster: &stasis.ClusterConfig{
//			Instance: hostname,
//			Peers:    peers,
//			InstanceOf: func(app string) (string, bool) {
//				return strings.CutPrefix(app, "w-")
//			},
//		},
//	})
//
// Instance names and claim keys are any non-empty strings up to
// MaxNameLen bytes (channel ids with ';' included): they are stored
// base64url-encoded, under "alive." and "claim." in the bucket.
package natspeers

package natspeers

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"gostasis.dev/stasis"
)

// Defaults and limits of Config and of the names Peers takes.
const (
	// DefaultBucket is the JetStream KV bucket used when Config.Bucket is
	// empty.
	DefaultBucket = "gostasis-peers"
	// DefaultTTL is Config.TTL's default.
	DefaultTTL = 10 * time.Second
	// MinTTL is the shortest Config.TTL: JetStream refuses a MaxAge below
	// 100ms.
	MinTTL = 100 * time.Millisecond
	// MaxReplicas is the largest Config.Replicas JetStream accepts.
	MaxReplicas = 5
	// MaxNameLen is the longest instance name or claim key, in bytes.
	MaxNameLen = 1024
)

// Errors returned by New, Join, Alive and Claim; match them with
// errors.Is. Errors from NATS are wrapped, so jetstream's and nats'
// sentinels (context.DeadlineExceeded, nats.ErrConnectionClosed, ...)
// match too.
var (
	// ErrInvalidConfig: a Config field, or New's JetStream, is unusable.
	ErrInvalidConfig = errors.New("natspeers: invalid config")
	// ErrInvalidName: an instance name or claim key is empty or longer
	// than MaxNameLen.
	ErrInvalidName = errors.New("natspeers: invalid name")
	// ErrBucketMismatch: the bucket exists with another time to live than
	// Config.TTL, which would let instances that disagree on it think
	// each other dead. Give every instance the same TTL, or delete the
	// bucket to change it.
	ErrBucketMismatch = errors.New("natspeers: bucket exists with another TTL")
)

// Prefixes of the bucket's keys. Instance names and claim keys are stored
// base64url-encoded after them, since KV keys allow only [-/_=.a-zA-Z0-9]
// and channel ids hold ';' and more.
const (
	alivePrefix = "alive."
	claimPrefix = "claim."
)

var bucketRe = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// Config configures Peers. The zero value is ready to use.
type Config struct {
	// Bucket is the JetStream KV bucket, shared by every instance of the
	// application. Default DefaultBucket.
	Bucket string
	// TTL is how long an instance is seen alive after its last refresh
	// (Join refreshes every TTL/3) and how long a claim holds: it is the
	// bucket's MaxAge. Default DefaultTTL; at least MinTTL.
	TTL time.Duration
	// Replicas is the bucket's number of replicas in a JetStream cluster.
	// Default 1; at most MaxReplicas.
	Replicas int
	// Logger receives the warnings of Join (a failed refresh or leave).
	// Default slog.Default().
	Logger *slog.Logger
}

// Peers is a stasis.Peers on a JetStream KV bucket: an instance is alive
// while its key, refreshed by Join, is younger than the bucket's MaxAge,
// and a claim is a kv.Create, which the server makes atomic. Its methods
// may be called concurrently.
type Peers struct {
	kv  jetstream.KeyValue
	ttl time.Duration
	log *slog.Logger
}

var _ stasis.Peers = (*Peers)(nil)

// New creates the bucket of cfg, or binds it if it exists with the same
// TTL, through js.
func New(ctx context.Context, js jetstream.JetStream, cfg Config) (*Peers, error) {
	if js == nil {
		return nil, fmt.Errorf("%w: nil JetStream", ErrInvalidConfig)
	}
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultBucket
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = 1
	}
	switch {
	case !bucketRe.MatchString(cfg.Bucket):
		return nil, fmt.Errorf("%w: Bucket %q: only letters, digits, '-' and '_'", ErrInvalidConfig, cfg.Bucket)
	case cfg.TTL < MinTTL:
		return nil, fmt.Errorf("%w: TTL %v is below %v", ErrInvalidConfig, cfg.TTL, MinTTL)
	case cfg.Replicas < 1 || cfg.Replicas > MaxReplicas:
		return nil, fmt.Errorf("%w: Replicas %d is not in 1..%d", ErrInvalidConfig, cfg.Replicas, MaxReplicas)
	}
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      cfg.Bucket,
		Description: "gostasis instances alive and their claims (package natspeers)",
		TTL:         cfg.TTL,
		Replicas:    cfg.Replicas,
	})
	if errors.Is(err, jetstream.ErrBucketExists) {
		kv, err = bind(ctx, js, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("natspeers: bucket %q: %w", cfg.Bucket, err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Peers{kv: kv, ttl: cfg.TTL, log: log}, nil
}

// bind binds the existing bucket of cfg, whose configuration differs from
// cfg's in something, and checks that its TTL is cfg's.
func bind(ctx context.Context, js jetstream.JetStream, cfg Config) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, cfg.Bucket)
	if err != nil {
		return nil, err
	}
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, err
	}
	if st.TTL() != cfg.TTL {
		return nil, fmt.Errorf("%w: the bucket's is %v, Config.TTL is %v", ErrBucketMismatch, st.TTL(), cfg.TTL)
	}
	return kv, nil
}

// Join announces instance alive, refreshes the announcement every TTL/3
// until ctx ends, then deletes it (a clean leave: the others see the
// instance dead at once) and returns ctx.Err(). It returns at once with
// an error if the first announcement fails. A failed refresh is logged
// and retried at the next; once none has succeeded for TTL the others see
// the instance dead. If the NATS connection is closed, Join returns
// nats.ErrConnectionClosed: the announcement lapses within TTL.
//
// Instance names are unique in the cluster; should two processes
// announce the same name anyway (a restarted pod that keeps its name,
// while the old one stops), the leave deletes the announcement only if
// this Join wrote it last, so the name stays alive for the other.
func (p *Peers) Join(ctx context.Context, instance string) error {
	key, err := encode(alivePrefix, "instance", instance)
	if err != nil {
		return err
	}
	every := p.ttl / 3
	rev, err := p.put(ctx, key, instance, every)
	if err != nil {
		return fmt.Errorf("natspeers: announcing %q alive: %w", instance, err)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			p.leave(ctx, key, instance, rev, every)
			return ctx.Err()
		case <-t.C:
		}
		r, err := p.put(ctx, key, instance, every)
		switch {
		case err == nil:
			rev = r
		case ctx.Err() != nil:
		case errors.Is(err, nats.ErrConnectionClosed):
			return fmt.Errorf("natspeers: refreshing %q: %w", instance, err)
		default:
			p.log.Warn("natspeers: refreshing an instance's alive key failed; the others see it dead once none succeeds for the TTL", "instance", instance, "ttl", p.ttl, "err", err)
		}
	}
}

// put writes the alive key of instance, waiting at most timeout, and
// returns its revision.
func (p *Peers) put(ctx context.Context, key, instance string, timeout time.Duration) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return p.kv.Put(ctx, key, []byte(instance))
}

// leave deletes the alive key of instance, although ctx has ended, if its
// latest revision is rev (this Join's last write).
func (p *Peers) leave(ctx context.Context, key, instance string, rev uint64, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	err := p.kv.Delete(ctx, key, jetstream.LastRevision(rev))
	switch {
	case err == nil, errors.Is(err, nats.ErrConnectionClosed):
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch):
		p.log.Info("natspeers: another process announced this instance since; its announcement is left alive", "instance", instance)
	default:
		p.log.Warn("natspeers: deleting an instance's alive key failed; the others see it dead within the TTL", "instance", instance, "ttl", p.ttl, "err", err)
	}
}

// Alive lists, sorted, the instances whose alive key is younger than the
// TTL.
func (p *Peers) Alive(ctx context.Context) ([]string, error) {
	w, err := p.kv.WatchFiltered(ctx, []string{alivePrefix + ">"}, jetstream.IgnoreDeletes(), jetstream.MetaOnly())
	if err != nil {
		return nil, fmt.Errorf("natspeers: listing instances: %w", err)
	}
	defer func() {
		_ = w.Stop()
		// Unblock the watcher, should it be waiting to hand over an entry,
		// until Stop closes Updates.
		go func() {
			for range w.Updates() {
			}
		}()
	}()
	var alive []string
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("natspeers: listing instances: %w", ctx.Err())
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("natspeers: listing instances: %w", nats.ErrConnectionClosed)
			}
			if e == nil { // all current keys seen
				slices.Sort(alive)
				return slices.Compact(alive), nil
			}
			if name, ok := decode(alivePrefix, e.Key()); ok {
				alive = append(alive, name)
			}
		}
	}
}

// Claim takes key for instance: of all the callers of Claim with the same
// key within the TTL, exactly one gets true, the first whose create
// reaches the JetStream server; the others get false and no error. Once
// the claim is older than the TTL, key can be taken again.
func (p *Peers) Claim(ctx context.Context, key, instance string) (bool, error) {
	if _, err := encode("", "instance", instance); err != nil {
		return false, err
	}
	k, err := encode(claimPrefix, "key", key)
	if err != nil {
		return false, err
	}
	_, err = p.kv.Create(ctx, k, []byte(instance))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrKeyExists), errors.Is(err, jetstream.ErrKeyRevisionMismatch):
		return false, nil
	default:
		return false, fmt.Errorf("natspeers: claiming %q: %w", key, err)
	}
}

// encode returns the bucket key of name (an instance or claim key, what)
// under prefix.
func encode(prefix, what, name string) (string, error) {
	if name == "" || len(name) > MaxNameLen {
		return "", fmt.Errorf("%w: %s of %d bytes (want 1 to %d)", ErrInvalidName, what, len(name), MaxNameLen)
	}
	return prefix + base64.RawURLEncoding.EncodeToString([]byte(name)), nil
}

// decode returns the name a bucket key under prefix encodes; false for a
// key that is not one of ours.
func decode(prefix, key string) (string, bool) {
	enc, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(b) == 0 {
		return "", false
	}
	return string(b), true
}
